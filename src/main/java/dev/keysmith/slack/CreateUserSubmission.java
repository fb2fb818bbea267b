package dev.keysmith.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.app_backend.interactive_components.response.Option;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.view.View;
import com.slack.api.model.view.ViewState;
import dev.keysmith.core.Refusal;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.FormField;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestService;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestSubmissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The create-user modal: its submission, checked inline, and its group type-ahead. */
final class CreateUserSubmission {
  private static final Logger log = LoggerFactory.getLogger(CreateUserSubmission.class);

  private static final Map<FormField, String> BLOCKS =
      Map.of(
          FormField.IAM_USER_NAME, Ids.BLOCK_IAM_USER_NAME,
          FormField.GROUP, Ids.BLOCK_GROUP,
          FormField.ACCESS_TYPE, Ids.BLOCK_ACCESS_TYPE,
          FormField.OWNER, Ids.BLOCK_OWNER,
          FormField.JUSTIFICATION, Ids.BLOCK_JUSTIFICATION,
          FormField.LIFETIME, Ids.BLOCK_LIFETIME,
          FormField.BREAK_GLASS, Ids.BLOCK_BREAK_GLASS);

  private final RequestService service;
  private final RequestSubmissions submissions;
  private final IamDirectory directory;
  private final Later later;

  /**
   * The request each modal (by view id) stored. A submission delivered twice (a Socket Mode
   * envelope again, a retry) would otherwise find its own request claiming the name and be told the
   * name is taken; kept in memory, since repeats come within seconds of the first.
   */
  private final Cache<String, Submitted> submitted =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(30)).maximumSize(10_000).build();

  private record Submitted(
      String requester, @Nullable String hash, RequestForm form, AccessRequest request) {
    boolean repeatedBy(String requester, @Nullable String hash, RequestForm form) {
      return this.requester.equals(requester)
          && ((hash != null && hash.equals(this.hash)) || this.form.equals(form));
    }
  }

  CreateUserSubmission(
      RequestService service, RequestSubmissions submissions, IamDirectory directory, Later later) {
    this.service = service;
    this.submissions = submissions;
    this.directory = directory;
    this.later = later;
  }

  void register(App app) {
    app.viewSubmission(Ids.CREATE_USER_VIEW, this::submit);
    app.blockSuggestion(
        Ids.ACTION_GROUP_SUGGEST,
        (req, ctx) -> {
          String query = req.getPayload().getValue() == null ? "" : req.getPayload().getValue();
          String q = query.strip().toLowerCase(Locale.ROOT);
          String asker =
              req.getPayload().getUser() == null ? "" : req.getPayload().getUser().getId();
          return ctx.ack(
              r ->
                  r.options(
                      directory.offeredGroups().stream()
                          .filter(g -> g.toLowerCase(Locale.ROOT).contains(q))
                          // Not waiting for Slack here; the submission checks again.
                          .filter(g -> submissions.policies().mayRequest(g, asker).orElse(true))
                          .limit(Blocks.STATIC_SELECT_LIMIT)
                          .map(Blocks::groupOption)
                          .map(o -> new Option(o.getText(), o.getValue()))
                          .toList()));
        });
  }

  Response submit(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
    String requester;
    try {
      requester = Untrusted.userId(Views.actor(req));
    } catch (Refusal e) {
      later.refuse("create-user", Views.actor(req), null, e);
      return ctx.ackWithErrors(Map.of(Ids.BLOCK_IAM_USER_NAME, Refusals.text(e)));
    }
    Map<String, Map<String, ViewState.Value>> values = Views.values(req);
    // Checked with the other fields: an owner that is not a Slack user id shows on its field.
    String owner = selected(values, Ids.BLOCK_OWNER, ViewState.Value::getSelectedUser);
    RequestForm form =
        new RequestForm(
            trimmed(selected(values, Ids.BLOCK_IAM_USER_NAME, ViewState.Value::getValue)),
            option(values, Ids.BLOCK_GROUP),
            accessType(option(values, Ids.BLOCK_ACCESS_TYPE)),
            owner == null ? requester : owner,
            trimmed(selected(values, Ids.BLOCK_JUSTIFICATION, ViewState.Value::getValue)),
            option(values, Ids.BLOCK_LIFETIME),
            brokeGlass(values));
    Outcome outcome = submitOnce(req.getPayload().getView(), form, requester);
    RequestSubmissions.Submission submission = outcome.fresh();
    if (submission == null) {
      AccessRequest repeated = Objects.requireNonNull(outcome.repeated());
      log.info("request {}: its form came again; answered as the first time", repeated.id());
      return ctx.ackWithUpdate(Blocks.submittedModal(repeated));
    }
    AccessRequest stored = submission.request();
    if (stored == null) {
      Map<String, String> errors = new LinkedHashMap<>();
      submission
          .problems()
          .forEach((field, problem) -> errors.put(BLOCKS.get(field), FormProblems.text(problem)));
      return ctx.ackWithErrors(errors);
    }
    // Its approvals message and the requester's notice are in the outbox, committed with it.
    if (stored.state() == RequestState.APPROVED) {
      // Its group's policy approved it; IAM is called after the ack, like after an approval.
      later.run("provision", stored.id(), null, () -> service.provisionApproved(stored.id()));
    }
    return ctx.ackWithUpdate(Blocks.submittedModal(stored));
  }

  /** A submission stored (or refused) now, or the request this modal's first delivery stored. */
  private record Outcome(
      RequestSubmissions.@Nullable Submission fresh, @Nullable AccessRequest repeated) {}

  private Outcome submitOnce(@Nullable View view, RequestForm form, String requester) {
    if (view == null || view.getId() == null) {
      return new Outcome(submissions.submit(form, requester), null);
    }
    String hash = view.getHash();
    RequestSubmissions.Submission[] fresh = {null};
    // compute: a repeat arriving while the first is still being stored waits for it.
    Submitted kept =
        submitted
            .asMap()
            .compute(
                view.getId(),
                (id, before) -> {
                  if (before != null && before.repeatedBy(requester, hash, form)) {
                    return before;
                  }
                  RequestSubmissions.Submission s = submissions.submit(form, requester);
                  fresh[0] = s;
                  AccessRequest r = s.request();
                  return r == null ? before : new Submitted(requester, hash, form, r);
                });
    return fresh[0] != null
        ? new Outcome(fresh[0], null)
        : new Outcome(null, Objects.requireNonNull(kept).request());
  }

  /** Whether the break-glass box is ticked: its one option, and nothing else, selected. */
  private static boolean brokeGlass(Map<String, Map<String, ViewState.Value>> values) {
    List<ViewState.SelectedOption> chosen =
        selected(values, Ids.BLOCK_BREAK_GLASS, ViewState.Value::getSelectedOptions);
    return chosen != null
        && chosen.size() == 1
        && chosen.get(0) != null
        && Ids.BREAK_GLASS.equals(chosen.get(0).getValue());
  }

  private static @Nullable String option(
      Map<String, Map<String, ViewState.Value>> values, String block) {
    return selected(
        values,
        block,
        v -> v.getSelectedOption() == null ? null : v.getSelectedOption().getValue());
  }

  private static <T> @Nullable T selected(
      Map<String, Map<String, ViewState.Value>> values,
      String block,
      java.util.function.Function<ViewState.Value, T> get) {
    Map<String, ViewState.Value> actions = values.get(block);
    if (actions == null || actions.isEmpty()) {
      return null;
    }
    // One element per input block; its action id differs between static and external selects.
    ViewState.Value value = actions.values().iterator().next();
    return value == null ? null : get.apply(value);
  }

  private static @Nullable AccessType accessType(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return AccessType.valueOf(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String trimmed(@Nullable String s) {
    return s == null ? "" : s.strip();
  }
}
