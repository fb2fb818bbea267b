package dev.keysmith.request;

import static dev.keysmith.audit.AuditEvent.SYSTEM;
import static dev.keysmith.request.RequestService.EXPIRE;
import static dev.keysmith.request.RequestService.PROVISION;
import static dev.keysmith.request.RequestService.PROVISION_FALLBACK;
import static dev.keysmith.request.RequestService.REMIND;
import static dev.keysmith.request.RequestService.words;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How a request comes to be: a create-user form or an extension of a time-bound user, checked
 * against the group's policy and stored PENDING (or approved at once, by the policy or by
 * break-glass) with its audit event, jobs and messages; fast enough to run before the Slack ack.
 * What happens to it next is {@link RequestService}'s.
 */
public final class RequestSubmissions {
  private final RequestStore store;
  private final Policies policies;
  private final Notifier notifier;
  private final Transitions transitions;
  private final Clock clock;
  private final RequestValidator validator;
  private final Supplier<String> ids;
  private final RequestService.Deadlines deadlines;

  public RequestSubmissions(
      RequestPorts ports,
      WorkflowContext context,
      IamDirectory directory,
      Supplier<String> ids,
      RequestService.Deadlines deadlines) {
    this.store = ports.store();
    this.policies = ports.policies();
    this.notifier = ports.notifier();
    this.transitions = context.transitions();
    this.clock = context.clock();
    this.validator = new RequestValidator(directory);
    this.ids = ids;
    this.deadlines = deadlines;
  }

  /** The access policies of the groups, which decide who may ask and who approves. */
  public Policies policies() {
    return policies;
  }

  /** The request with this id, or a refusal naming the id. */
  private AccessRequest find(String id) {
    return store.find(id).orElseThrow(() -> new Refusal(Reason.NO_SUCH_REQUEST, id));
  }

  /** The outcome of a submission: the stored request, or the problems to show on the form. */
  public record Submission(@Nullable AccessRequest request, Map<FormField, FormProblem> problems) {
    /** Whether the request was stored. */
    public boolean accepted() {
      return request != null;
    }
  }

  /**
   * Validates and stores a new PENDING request with its audit event, in one transaction that also
   * checks no other open request claims the name; fast enough to run before the Slack ack.
   */
  public Submission submit(RequestForm form, String requesterId) {
    Map<FormField, FormProblem> problems = new EnumMap<>(FormField.class);
    problems.putAll(validator.problems(form));
    if (!problems.containsKey(FormField.GROUP) && form.groupName() != null) {
      policyProblems(form, requesterId).forEach(problems::putIfAbsent);
    }
    if (!problems.isEmpty()) {
      if (!problems.containsKey(FormField.IAM_USER_NAME)) {
        // Shown with the other problems, so the form is not sent back twice.
        store.findClaiming(form.iamUserName()).stream()
            .findFirst()
            .ifPresent(c -> problems.put(FormField.IAM_USER_NAME, RequestValidator.claimedBy(c)));
      }
      return new Submission(null, problems);
    }
    GroupPolicy policy = policies.of(Objects.requireNonNull(form.groupName(), "checked above"));
    @Nullable Duration lifetime = lifetime(form, policy).orElse(null);
    return store(
        id ->
            AccessRequest.pending(
                id, form, requesterId, policy.quorum(), lifetime, clock.instant()),
        policy,
        requesterId,
        form.breakGlass());
  }

  /**
   * Stores the request {@code make} makes with a fresh id, PENDING (or approved by its policy),
   * with its audit event, its jobs and its messages, in one transaction that also checks no other
   * open request claims its name.
   */
  private Submission store(
      java.util.function.Function<String, AccessRequest> make,
      GroupPolicy policy,
      String requesterId,
      boolean breakGlass) {
    for (int attempt = 0; attempt < 5; attempt++) {
      AccessRequest asked = make.apply(ids.get());
      // A group whose policy approves at once is stored approved, and still posted and audited;
      // so is a request whose requester broke the glass, loudly.
      AccessRequest r =
          breakGlass
              ? RequestWorkflow.breakGlass(asked, clock.instant())
              : policy.autoApprove()
                  ? RequestWorkflow.autoApprove(asked, SYSTEM, clock.instant())
                  : asked;
      // The claim check runs inside the transaction that stores the request, so two people asking
      // for the same name at once get one request.
      AccessRequest[] claimant = {null};
      Transitions.Change change =
          transitions
              .change(
                  r.id(),
                  () -> {
                    List<AccessRequest> claiming = store.findClaiming(r.iamUserName());
                    if (!claiming.isEmpty()) {
                      claimant[0] = claiming.get(0);
                      return false;
                    }
                    return store.insert(r); // false: the id is taken; try another
                  })
              .audited(requesterId, AuditAction.REQUEST_SUBMITTED, submitted(r))
              .tell(
                  () -> {
                    notifier.postForApproval(r);
                    notifier.requestReceived(r);
                  });
      if (breakGlass) {
        change
            .audited(
                requesterId,
                AuditAction.REQUEST_BREAK_GLASS,
                Map.of(
                    "iamUser",
                    r.iamUserName(),
                    "group",
                    r.groupName(),
                    "reason",
                    r.justification()))
            .audited(requesterId, AuditAction.REQUEST_APPROVED, Map.of("by", "break-glass"))
            .tell(() -> notifier.glassBroken(r))
            // Carries the provisioning on if this process stops before it ends.
            .schedule(PROVISION, clock.instant().plus(PROVISION_FALLBACK));
      } else if (policy.autoApprove()) {
        change
            .audited(
                SYSTEM,
                AuditAction.REQUEST_APPROVED,
                Map.of("by", "the policy of group " + r.groupName()))
            // Carries the provisioning on if this process stops before it ends.
            .schedule(PROVISION, clock.instant().plus(PROVISION_FALLBACK));
      } else {
        change
            .schedule(REMIND, r.createdAt().plus(deadlines.remindApprovers()))
            .schedule(EXPIRE, r.createdAt().plus(deadlines.undecided()));
      }
      boolean stored = change.commit();
      if (stored) {
        return new Submission(r, Map.of());
      }
      if (claimant[0] != null) {
        return new Submission(
            null, Map.of(FormField.IAM_USER_NAME, RequestValidator.claimedBy(claimant[0])));
      }
    }
    throw new KeysmithException("Could not find a free request id; please submit again.");
  }

  private static Map<String, String> submitted(AccessRequest r) {
    Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("iamUser", r.iamUserName());
    details.put("group", r.groupName());
    details.put("accessType", r.accessType().name());
    details.put("owner", r.ownerId());
    Duration lifetime = r.lifetime();
    details.put("lifetime", lifetime == null ? "no end" : lifetime.toString());
    String extended = r.extendsRequest();
    if (extended != null) {
      details.put("extends", extended);
    }
    return details;
  }

  /**
   * Refuses early when {@code actor} may not extend the time-bound user {@code liveId} keeps: only
   * its owner, only while it lives and has an end. Returns that request.
   */
  public AccessRequest checkExtend(String liveId, String actor) {
    AccessRequest live = find(liveId);
    if (!live.ownerId().equals(actor)) {
      throw new Refusal(Reason.NOT_YOUR_USER, live.iamUserName());
    }
    Optional<Instant> end = live.userExpiresAt();
    boolean made =
        switch (live.state()) {
          case PROVISIONED, REVEALING, REVEALED, EXTENDED -> true;
          case EXPIRED -> live.decidedBy() != null; // its offer ran out; the user stands
          default -> false;
        };
    if (!made || end.isEmpty() || !end.get().isAfter(clock.instant())) {
      throw new Refusal(Reason.NOT_EXTENDABLE, live.iamUserName());
    }
    return live;
  }

  /**
   * The owner asks to extend the time-bound user {@code liveId} keeps by {@code lifetime} (an
   * ISO-8601 duration the form offers) from its approval: a new request through the same policy
   * (who may ask, quorum, maximum lifetime, auto-approval), fast enough to run before the ack.
   */
  public Submission extend(
      String liveId, String actor, @Nullable String lifetime, String justification) {
    AccessRequest live = checkExtend(liveId, actor);
    GroupPolicy policy = policies.of(live.groupName());
    RequestForm form =
        new RequestForm(
            live.iamUserName(),
            live.groupName(),
            live.accessType(),
            live.ownerId(),
            justification,
            lifetime == null || lifetime.isEmpty() ? "" : lifetime);
    Map<FormField, FormProblem> problems = new EnumMap<>(FormField.class);
    validator
        .justificationProblem(justification)
        .ifPresent(p -> problems.put(FormField.JUSTIFICATION, p));
    if (RequestForm.NO_END.equals(lifetime)) {
      problems.put(FormField.LIFETIME, FormProblem.of(FormProblem.Reason.LIFETIME_UNREADABLE));
    }
    policyProblems(form, actor).forEach((field, p) -> problems.putIfAbsent(FormField.LIFETIME, p));
    Optional<Duration> asked = Optional.empty();
    if (!problems.containsKey(FormField.LIFETIME)) {
      asked = lifetime(form, policy);
      if (asked.isEmpty()) {
        // The group lets its users live with no end now: nothing to extend.
        problems.put(FormField.LIFETIME, FormProblem.of(FormProblem.Reason.LIFETIME_UNREADABLE));
      }
    }
    if (!problems.isEmpty()) {
      return new Submission(null, problems);
    }
    Duration extra = asked.orElseThrow();
    Instant end = live.userExpiresAt().orElseThrow();
    if (!clock.instant().plus(extra).isAfter(end)) {
      return new Submission(
          null, Map.of(FormField.LIFETIME, FormProblem.of(FormProblem.Reason.LIFETIME_NOT_LATER)));
    }
    return store(
        id ->
            AccessRequest.extension(
                id, live, actor, justification, policy.quorum(), extra, clock.instant()),
        policy,
        actor,
        /* breakGlass= */ false);
  }

  /**
   * What the group's policy says about this form: whether the requester may ask for the group,
   * whether it allows the access type, and whether enough approvers are left to reach its quorum.
   */
  private Map<FormField, FormProblem> policyProblems(RequestForm form, String requesterId) {
    String group = Objects.requireNonNull(form.groupName());
    GroupPolicy policy = policies.of(group);
    Map<FormField, FormProblem> problems = new EnumMap<>(FormField.class);
    Optional<Boolean> may = policies.mayRequest(group, requesterId);
    if (may.isEmpty()) {
      problems.put(
          FormField.GROUP, FormProblem.of(FormProblem.Reason.GROUP_MEMBERS_UNKNOWN, group));
    } else if (!may.get()) {
      problems.put(FormField.GROUP, FormProblem.of(FormProblem.Reason.GROUP_NOT_FOR_YOU, group));
    } else if (form.breakGlass()) {
      if (policy.breakGlass().isEmpty()) {
        problems.put(
            FormField.BREAK_GLASS,
            FormProblem.of(FormProblem.Reason.BREAK_GLASS_NOT_ALLOWED, group));
      } else if (!form.ownerId().equals(requesterId)) {
        problems.put(
            FormField.OWNER, FormProblem.of(FormProblem.Reason.BREAK_GLASS_FOR_SOMEONE_ELSE));
      }
    } else if (!policy.autoApprove()) {
      Optional<Integer> others = policies.approversBesides(group, requesterId, form.ownerId());
      if (others.isPresent() && others.get() < policy.quorum()) {
        problems.put(
            FormField.GROUP,
            FormProblem.of(
                FormProblem.Reason.GROUP_TOO_FEW_APPROVERS,
                group,
                String.valueOf(policy.quorum())));
      }
    }
    try {
      Optional<Duration> lifetime = lifetime(form, policy);
      Optional<Duration> max = longest(form, policy);
      if (max.isPresent() && lifetime.isEmpty()) {
        problems.put(
            FormField.LIFETIME,
            FormProblem.of(FormProblem.Reason.LIFETIME_NEEDS_END, group, words(max.get())));
      } else if (max.isPresent() && lifetime.get().compareTo(max.get()) > 0) {
        problems.put(
            FormField.LIFETIME,
            FormProblem.of(FormProblem.Reason.LIFETIME_TOO_LONG, group, words(max.get())));
      }
    } catch (IllegalArgumentException e) {
      problems.put(FormField.LIFETIME, FormProblem.of(FormProblem.Reason.LIFETIME_UNREADABLE));
    }
    AccessType type = form.accessType();
    if (type != null && !policy.accessTypes().contains(type)) {
      problems.put(
          FormField.ACCESS_TYPE,
          FormProblem.of(
              FormProblem.Reason.ACCESS_TYPE_NOT_ALLOWED,
              group,
              Arrays.stream(AccessType.values())
                  .filter(policy.accessTypes()::contains)
                  .map(AccessType::label)
                  .collect(Collectors.joining(", "))));
    }
    return problems;
  }

  /**
   * How long the form asks the user to live under {@code policy}: what it chose, else the policy's
   * default, else its maximum; empty for no end.
   *
   * @throws IllegalArgumentException for a value the form never offers
   */
  private static Optional<Duration> lifetime(RequestForm form, GroupPolicy policy) {
    String chosen = form.lifetime();
    if (chosen == null || chosen.isEmpty()) {
      return form.breakGlass() && policy.breakGlass().isPresent()
          ? policy.breakGlass()
          : policy.defaultLifetime().or(policy::maxLifetime);
    }
    if (chosen.equals(RequestForm.NO_END)) {
      return Optional.empty();
    }
    if (chosen.length() > 12) {
      throw new IllegalArgumentException("not a lifetime option");
    }
    try {
      Duration d = Duration.parse(chosen);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("not a lifetime option");
      }
      return Optional.of(d);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("not a lifetime option", e);
    }
  }

  /** The longest a user of this form may live: break-glass's limit, else the group's maximum. */
  private static Optional<Duration> longest(RequestForm form, GroupPolicy policy) {
    return form.breakGlass() && policy.breakGlass().isPresent()
        ? policy.breakGlass()
        : policy.maxLifetime();
  }
}
