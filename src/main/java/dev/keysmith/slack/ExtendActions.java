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
import dev.keysmith.request.FormField;
import dev.keysmith.request.RequestService;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestSubmissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extend, on the warning that a time-bound user ends: the owner's form (how long from now, and
 * why), whose submission is a new request through the group's policy.
 */
final class ExtendActions {
  private final RequestService service;
  private final RequestSubmissions submissions;
  private final SlackWebApi slack;
  private final Clicks clicks;
  private final Later later;

  ExtendActions(
      RequestService service,
      RequestSubmissions submissions,
      SlackWebApi slack,
      Clicks clicks,
      Later later) {
    this.service = service;
    this.submissions = submissions;
    this.slack = slack;
    this.clicks = clicks;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_EXTEND, this::open);
    app.viewSubmission(Ids.EXTEND_VIEW, this::submit);
  }

  /** Opens the form, once the server agrees the clicker may extend this user. */
  Response open(BlockActionRequest req, ActionContext ctx) {
    String trigger = req.getPayload().getTriggerId();
    return clicks.handle(
        req,
        ctx,
        "extend",
        v -> Untrusted.requestId(v, Untrusted.BUTTON),
        (id, click) -> {
          AccessRequest live = submissions.checkExtend(id, click.actor());
          SlackWebApi.call(
              "views.open",
              () ->
                  slack.viewsOpen(
                      v ->
                          v.triggerId(trigger)
                              .view(
                                  Blocks.extendModal(
                                      live,
                                      submissions.policies().of(live.groupName()).maxLifetime()))));
        });
  }

  Response submit(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
    String id;
    String actor;
    try {
      id = Untrusted.requestId(Views.metadata(req), Untrusted.FORM);
      actor = Untrusted.userId(Views.actor(req));
    } catch (Refusal e) {
      later.refuse("extend", Views.metadata(req), null, e);
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_LIFETIME, Refusals.text(e)));
    }
    Map<String, ViewState.Value> chosen = Views.values(req).get(Ids.BLOCK_LIFETIME);
    ViewState.Value value =
        chosen == null || chosen.isEmpty() ? null : chosen.values().iterator().next();
    String lifetime =
        value == null || value.getSelectedOption() == null
            ? null
            : value.getSelectedOption().getValue();
    RequestSubmissions.Submission s;
    try {
      s = submissions.extend(id, actor, lifetime, Views.text(req, Ids.BLOCK_JUSTIFICATION));
    } catch (Refusal e) {
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_LIFETIME, Refusals.text(e)));
    }
    AccessRequest stored = s.request();
    if (stored == null) {
      Map<String, String> errors = new LinkedHashMap<>();
      s.problems()
          .forEach(
              (field, problem) ->
                  errors.put(
                      field == FormField.JUSTIFICATION
                          ? Ids.BLOCK_JUSTIFICATION
                          : Ids.BLOCK_LIFETIME,
                      FormProblems.text(problem)));
      return ctx.ackWithErrors(errors);
    }
    if (stored.state() == RequestState.APPROVED) {
      later.run("extend", stored.id(), null, () -> service.provisionApproved(stored.id()));
    }
    return ctx.ackWithUpdate(Blocks.submittedModal(stored));
  }
}
