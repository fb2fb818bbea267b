package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.view.ViewState;
import dev.keysmith.core.Refusal;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.RequestService;
import java.util.Map;

/**
 * Approve and Deny on the approvals message. Who may decide is checked by the workflow on the
 * server for every click, whatever buttons a client shows.
 */
final class DecisionActions {
  private final RequestService service;
  private final SlackWebApi slack;
  private final Later later;

  DecisionActions(RequestService service, SlackWebApi slack, Later later) {
    this.service = service;
    this.slack = slack;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_APPROVE, this::approve);
    app.blockAction(Ids.ACTION_DENY, this::askReason);
    app.viewSubmission(Ids.DENY_VIEW, this::deny);
  }

  Response approve(BlockActionRequest req, ActionContext ctx) {
    String id = Clicks.requestId(req);
    String actor = req.getPayload().getUser().getId();
    later.run("approve", id, req.getPayload().getResponseUrl(), () -> service.approve(id, actor));
    return ctx.ack();
  }

  Response askReason(BlockActionRequest req, ActionContext ctx) {
    String id = Clicks.requestId(req);
    String actor = req.getPayload().getUser().getId();
    String trigger = req.getPayload().getTriggerId();
    later.run(
        "deny",
        id,
        req.getPayload().getResponseUrl(),
        () -> {
          AccessRequest r = service.checkDeny(id, actor);
          SlackNotifier.call(
              "views.open",
              () -> slack.viewsOpen(v -> v.triggerId(trigger).view(Blocks.denyModal(r))));
        });
    return ctx.ack();
  }

  Response deny(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
    String id = req.getPayload().getView().getPrivateMetadata();
    String actor = req.getPayload().getUser().getId();
    Map<String, ViewState.Value> reasonBlock =
        req.getPayload().getView().getState().getValues().get(Ids.BLOCK_DENY_REASON);
    ViewState.Value reason = reasonBlock == null ? null : reasonBlock.get(Ids.INPUT);
    String text = reason == null || reason.getValue() == null ? "" : reason.getValue().strip();
    if (text.isEmpty()) {
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_DENY_REASON, "Say why, so the requester knows."));
    }
    AccessRequest denied;
    try {
      denied = service.deny(id, actor, text);
    } catch (Refusal e) {
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_DENY_REASON, Refusals.text(e)));
    }
    later.run("announce denial", id, null, () -> service.announceDenial(denied));
    return ctx.ack();
  }
}
