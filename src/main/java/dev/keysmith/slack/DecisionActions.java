package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.Refusal;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.RequestService;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Approve and Deny on the approvals message, and the requester's Cancel. Who may decide or cancel
 * is checked by the workflow on the server for every click, whatever buttons a client shows.
 */
final class DecisionActions {
  private final RequestService service;
  private final SlackWebApi slack;
  private final SlackSecretChannel replies;
  private final Clicks clicks;
  private final Later later;

  DecisionActions(
      RequestService service,
      SlackWebApi slack,
      SlackSecretChannel replies,
      Clicks clicks,
      Later later) {
    this.service = service;
    this.slack = slack;
    this.replies = replies;
    this.clicks = clicks;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_APPROVE, this::approve);
    app.blockAction(Ids.ACTION_DENY, this::askReason);
    app.viewSubmission(Ids.DENY_VIEW, this::deny);
    app.blockAction(Ids.ACTION_CANCEL_REQUEST, this::cancel);
  }

  /** The requester withdraws the request; their message says so in place of the button. */
  Response cancel(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "cancel",
        v -> Untrusted.requestId(v, Untrusted.BUTTON),
        (id, click) -> {
          AccessRequest r = service.cancel(id, click.actor());
          String text =
              "You cancelled request "
                  + r.id()
                  + " for IAM user `"
                  + r.iamUserName()
                  + "`. Nothing was created, and the approvers no longer see buttons on it.";
          replies.replace(click.responseUrl(), Outgoing.plain(text), Blocks.text(text));
        },
        (id, actor) -> {
          AccessRequest r = service.cancel(id, actor);
          return "You cancelled request " + r.id() + " for IAM user `" + r.iamUserName() + "`.";
        });
  }

  Response approve(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "approve",
        v -> Untrusted.requestId(v, Untrusted.BUTTON),
        (id, click) -> service.approve(id, click.actor()),
        (id, actor) -> {
          service.approve(id, actor);
          return "Your approval of request " + id + " is recorded.";
        });
  }

  Response askReason(BlockActionRequest req, ActionContext ctx) {
    String trigger = req.getPayload().getTriggerId();
    return clicks.handle(
        req,
        ctx,
        "deny",
        v -> Untrusted.requestId(v, Untrusted.BUTTON),
        (id, click) -> askReason(id, click.actor(), trigger),
        (id, actor) -> {
          askReason(id, actor, trigger);
          return null;
        });
  }

  private void askReason(String id, String actor, @Nullable String trigger) {
    AccessRequest r = service.checkDeny(id, actor);
    SlackWebApi.call(
        "views.open", () -> slack.viewsOpen(v -> v.triggerId(trigger).view(Blocks.denyModal(r))));
  }

  Response deny(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
    String id;
    String actor;
    try {
      id = Untrusted.requestId(Views.metadata(req), Untrusted.FORM);
      actor = Untrusted.userId(Views.actor(req));
    } catch (Refusal e) {
      later.refuse("deny", Views.metadata(req), null, e);
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_DENY_REASON, Refusals.text(e)));
    }
    String text = Views.text(req, Ids.BLOCK_DENY_REASON);
    if (text.isEmpty()) {
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_DENY_REASON, "Say why, so the requester knows."));
    }
    try {
      // The approvals message and the requester's notice go to the outbox with the denial.
      service.deny(id, actor, text);
    } catch (Refusal e) {
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_DENY_REASON, Refusals.text(e)));
    }
    return ctx.ack();
  }
}
