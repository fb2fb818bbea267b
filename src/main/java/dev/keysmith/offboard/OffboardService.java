package dev.keysmith.offboard;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import dev.keysmith.jobs.HeldElsewhere;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Retries;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offboards IAM users: shows the plan, then, once someone allowed confirms it, removes everything
 * the user has in the order IAM requires ({@link Teardown}) and the user. The start, its audit
 * event and its job commit together; each step is audited per thing removed and stored as done, so
 * the job {@link #JOB} carries on where a crash or an IAM outage stopped it.
 */
public final class OffboardService {
  /** The job that runs (or resumes) an offboarding; its subject is the offboarding's id. */
  public static final String JOB = "user.offboard";

  /**
   * When the job stored with a start runs if nothing sooner finishes or reschedules it (a stop).
   */
  static final Duration JOB_FALLBACK = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(OffboardService.class);

  private final IamGateway iam;
  private final IamDirectory directory;
  private final Teardown teardown;
  private final OffboardStore store;
  private final OffboardNotifier notifier;
  private final Predicate<String> isApprover;
  private final Transitions transitions;
  private final AuditTrail audit;
  private final Clock clock;
  private final Supplier<String> ids;
  private final Leases leases;

  /**
   * A service over {@code iam} and {@code store} that tells {@code directory} of users it deleted;
   * {@code isApprover} says whether a Slack user is a Keysmith approver now, {@code ids} makes
   * offboarding ids.
   */
  public OffboardService(
      IamGateway iam,
      IamDirectory directory,
      OffboardStore store,
      OffboardNotifier notifier,
      Predicate<String> isApprover,
      WorkflowContext workflow,
      Supplier<String> ids) {
    this.iam = iam;
    this.directory = directory;
    this.teardown = new Teardown(iam);
    this.store = store;
    this.notifier = notifier;
    this.isApprover = isApprover;
    this.transitions = workflow.transitions();
    this.audit = workflow.audit();
    this.clock = workflow.clock();
    this.leases = workflow.leases();
    this.ids = ids;
  }

  /**
   * What deleting {@code iamUser} would remove, for {@code actor} to confirm; refuses anyone but
   * its owner and approvers, and users Keysmith does not manage. Changes nothing.
   */
  public OffboardPlan plan(String iamUser, String actor) {
    checkMayDelete(iamUser, actor);
    return teardown.plan(iamUser).orElseThrow(() -> new Refusal(Reason.NO_SUCH_IAM_USER, iamUser));
  }

  /**
   * {@code actor} confirmed deleting {@code iamUser}: checked again against IAM now (still managed,
   * still theirs or they an approver), started, and run as far as IAM lets it.
   */
  public Offboarding delete(String iamUser, String actor) {
    String owner = checkMayDelete(iamUser, actor);
    OffboardCause cause = owner.equals(actor) ? OffboardCause.OWNER : OffboardCause.APPROVER;
    return start(iamUser, actor, cause);
  }

  /**
   * Starts offboarding {@code iamUser} for {@code cause}: stored PLANNED with its audit event, its
   * job and the approvals channel's notice in one commit, then run at once, after the commit.
   * Returns where it got to. Refuses a second start while one of the same user is under way.
   */
  public Offboarding start(String iamUser, String startedBy, OffboardCause cause) {
    Optional<Map<String, String>> tags = iam.userTags(iamUser);
    if (tags.isEmpty()) {
      throw new Refusal(Reason.NO_SUCH_IAM_USER, iamUser);
    }
    String owner = tags.get().get(UserTags.OWNER);
    for (int attempt = 0; attempt < 5; attempt++) {
      Offboarding o =
          Offboarding.planned(ids.get(), iamUser, owner, startedBy, cause, clock.instant());
      Offboarding[] underWay = {null};
      boolean stored =
          transitions
              .change(
                  o.id(),
                  () -> {
                    Optional<Offboarding> other = store.findUnderWay(iamUser);
                    if (other.isPresent()) {
                      underWay[0] = other.get();
                      return false;
                    }
                    return store.insert(o); // false: the id is taken; try another
                  })
              .audited(startedBy, AuditAction.OFFBOARD_STARTED, details(o))
              .schedule(JOB, clock.instant().plus(JOB_FALLBACK))
              .tell(() -> notifier.started(o))
              .commit();
      if (stored) {
        log.info("offboarding {}: {} starts deleting IAM user {}", o.id(), startedBy, iamUser);
        Offboarding ran = run(o, 0, /* starterWaiting= */ true);
        return ran != null ? ran : o;
      }
      if (underWay[0] != null) {
        throw new Refusal(Reason.OFFBOARD_UNDER_WAY, iamUser, underWay[0].startedBy());
      }
    }
    throw new KeysmithException("Could not find a free offboarding id; please try again.");
  }

  /** Job: runs or resumes the offboarding named by the job's subject; done ones are left alone. */
  public JobHandler job() {
    return job -> {
      Optional<Offboarding> o = store.find(job.subject());
      if (o.isPresent() && o.get().underWay()) {
        if (run(o.get(), Retries.failuresBefore(job), /* starterWaiting= */ false) == null) {
          throw new HeldElsewhere("offboarding " + job.subject());
        }
      }
    };
  }

  /** At start: every offboarding a stop cut off gets its job, due now. */
  public void resumeInterrupted() {
    for (OffboardState state : new OffboardState[] {OffboardState.PLANNED, OffboardState.RUNNING}) {
      for (Offboarding o : store.findByState(state)) {
        log.info("offboarding {}: resuming the deletion of IAM user {}", o.id(), o.iamUser());
        transitions.about(o.id()).cancel(JOB).schedule(JOB, clock.instant()).commit();
      }
    }
  }

  /** The owner of a managed {@code iamUser} whom {@code actor} may delete, or a refusal. */
  private String checkMayDelete(String iamUser, String actor) {
    Optional<Map<String, String>> tags = iam.userTags(iamUser);
    if (tags.isEmpty()) {
      throw new Refusal(Reason.NO_SUCH_IAM_USER, iamUser);
    }
    String owner = tags.get().get(UserTags.OWNER);
    if (owner == null || owner.isBlank()) {
      throw new Refusal(Reason.NOT_MANAGED_USER, iamUser);
    }
    if (!owner.equals(actor) && !isApprover.test(actor)) {
      throw new Refusal(Reason.NOT_YOURS_TO_DELETE, iamUser);
    }
    return owner;
  }

  /**
   * Runs {@code o}'s remaining steps unless a replica (this one too) is already at it; returns
   * where it got, or null when it was already at it.
   */
  private @Nullable Offboarding run(Offboarding o, int failuresBefore, boolean starterWaiting) {
    String lease = "offboard:" + o.id();
    if (!leases.tryHold(lease)) {
      log.info("offboarding {}: already running", o.id());
      return null;
    }
    try {
      return runHeld(o, failuresBefore, starterWaiting);
    } finally {
      leases.release(lease);
    }
  }

  private Offboarding runHeld(Offboarding planned, int failuresBefore, boolean starterWaiting) {
    Offboarding o = planned;
    if (o.state() == OffboardState.PLANNED) {
      Offboarding next = o.moved(OffboardState.RUNNING, clock.instant());
      transitions.move(store, OffboardState.PLANNED, next).commitOrThrow();
      o = next;
    }
    for (OffboardStep step : OffboardStep.values()) {
      if (o.stepsDone().contains(step)) {
        continue;
      }
      String subject = o.id();
      String user = o.iamUser();
      try {
        teardown.run(step, user, (s, thing) -> removed(subject, user, s, thing));
      } catch (IamException e) {
        return e.isTransient() ? retryLater(o, step, e, failuresBefore + 1) : fail(o, step, e);
      }
      Offboarding next = o.withStepDone(step, clock.instant());
      transitions.move(store, OffboardState.RUNNING, next).commitOrThrow();
      o = next;
    }
    directory.userDeleted(o.iamUser());
    Offboarding done = o.moved(OffboardState.DONE, clock.instant());
    transitions
        .move(store, OffboardState.RUNNING, done)
        .audited(SYSTEM, AuditAction.OFFBOARD_DONE, details(done))
        .cancel(JOB)
        .tell(() -> notifier.done(done, starterWaiting))
        .commitOrThrow();
    log.info("offboarding {}: IAM user {} is deleted", done.id(), done.iamUser());
    return done;
  }

  /** One thing is gone in IAM: audited at once, with its id, so a crash cannot lose the fact. */
  private void removed(String subject, String user, OffboardStep step, String thing) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", user);
    details.put("step", step.name());
    details.put("id", thing);
    audit.record(clock.instant(), subject, SYSTEM, AuditAction.OFFBOARD_REMOVED, details);
  }

  /** IAM did not answer: the offboarding stays RUNNING, and its job tries again after a wait. */
  private Offboarding retryLater(Offboarding o, OffboardStep step, IamException e, int failures) {
    Duration wait = Retries.backoff(failures);
    log.warn(
        "offboarding {}: IAM did not answer at step {} ({}); trying again in {} s",
        o.id(),
        step,
        e.errorCode(),
        wait.toSeconds());
    transitions
        .about(o.id())
        .cancel(JOB)
        .schedule(JOB, clock.instant().plus(wait), Retries.data(failures))
        .commit();
    return o;
  }

  /** IAM refused a step for good: FAILED, audited, and the starter and approvers are told. */
  private Offboarding fail(Offboarding o, OffboardStep step, IamException e) {
    Offboarding failed = o.failed(step, e.getMessage(), clock.instant());
    Map<String, String> details = details(failed);
    details.put("step", step.name());
    details.put("errorCode", e.errorCode());
    transitions
        .move(store, OffboardState.RUNNING, failed)
        .audited(SYSTEM, AuditAction.OFFBOARD_FAILED, details)
        .cancel(JOB)
        .tell(() -> notifier.failed(failed))
        .commitOrThrow();
    log.warn("offboarding {}: IAM refused step {}: {}", o.id(), step, e.errorCode());
    return failed;
  }

  private static Map<String, String> details(Offboarding o) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", o.iamUser());
    details.put("cause", o.cause().name());
    if (o.ownerId() != null) {
      details.put("owner", o.ownerId());
    }
    details.put("startedBy", o.startedBy());
    return details;
  }
}
