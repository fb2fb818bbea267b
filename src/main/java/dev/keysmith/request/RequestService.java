package dev.keysmith.request;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.jobs.HeldElsewhere;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Retries;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the access-request workflow once a request is stored ({@link RequestSubmissions} stores it):
 * applies {@link RequestWorkflow}'s transitions through {@link Transitions} (compare-and-set and
 * audit event together), and carries out what follows (IAM, Slack).
 */
public final class RequestService {
  /** The job that carries on provisioning an approved request. */
  public static final String PROVISION = "request.provision";

  /** The job that removes the half-made IAM user of a failed request. */
  public static final String CLEAN_UP = "request.clean-up";

  /** The job that reminds the approvers of a request nobody has decided yet, once. */
  public static final String REMIND = "request.remind";

  /** The job that expires a request nobody decided in time. */
  public static final String EXPIRE = "request.expire";

  /**
   * When the job stored with an approval runs if nothing sooner reschedules it: only a stop cuts
   * the provisioning after an approval off without rescheduling, and the start resumes it anyway.
   */
  static final Duration PROVISION_FALLBACK = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RequestService.class);

  private final RequestStore store;
  private final Policies policies;
  private final Notifier notifier;
  private final Transitions transitions;
  private final Clock clock;
  private final Provisioner provisioner;
  private final IamDirectory directory;
  private final Deadlines deadlines;
  private final Leases leases;

  public RequestService(
      RequestPorts ports,
      WorkflowContext context,
      Provisioner provisioner,
      IamDirectory directory,
      Deadlines deadlines) {
    this.store = ports.store();
    this.policies = ports.policies();
    this.notifier = ports.notifier();
    this.transitions = context.transitions();
    this.clock = context.clock();
    this.leases = context.leases();
    this.provisioner = provisioner;
    this.directory = directory;
    this.deadlines = deadlines;
  }

  /**
   * How long the parts of a request's life may take.
   *
   * @param offer how long the owner may reveal new credentials
   * @param remindApprovers after how long undecided the approvers are reminded, once
   * @param undecided after how long undecided a request expires
   */
  public record Deadlines(Duration offer, Duration remindApprovers, Duration undecided) {
    public Deadlines {
      if (remindApprovers.compareTo(undecided) >= 0) {
        throw new IllegalArgumentException("the reminder must come before the expiry");
      }
    }
  }

  /** The access policies of the groups, which decide who may ask and who approves. */
  public Policies policies() {
    return policies;
  }

  /**
   * Provisions a request its group's policy approved when it was asked for: after the Slack ack
   * that stored it. Nothing happens for one that is not APPROVED (any more).
   */
  public void provisionApproved(String id) {
    AccessRequest r = find(id);
    if (r.state() == RequestState.APPROVED) {
      provision(r, 0);
    }
  }

  /**
   * Slack has the approvals message of {@code id}: decisions may come from it now. A receipt of the
   * outbox calls this.
   */
  public void approvalPosted(String id, Notifier.MessageRef where) {
    if (!store.recordApprovalMessage(id, where)) {
      log.warn("request {}: gone before its approvals message was recorded", id);
    }
  }

  /**
   * Slack refused the approvals message of {@code id} for good ({@code not_in_channel}, say): a
   * request nobody can see cannot be approved, so it ends, and the requester is told why.
   */
  public void approvalUndeliverable(String id, String error) {
    AccessRequest r = find(id);
    if (r.state() != RequestState.PENDING || r.approvalTs() != null) {
      return; // an edit of a message already decided on; the decision stands
    }
    AccessRequest failed =
        RequestWorkflow.unannounced(
            r,
            "Keysmith could not post it to the approvals channel (Slack said `"
                + error
                + "`), so nobody could approve it. Ask a Keysmith admin to check that the bot is"
                + " in that channel.",
            clock.instant());
    transitions
        .move(store, RequestState.PENDING, failed)
        .audited(SYSTEM, AuditAction.REQUEST_FAILED, Map.of("errorCode", "ApprovalsChannel"))
        .cancel(REMIND)
        .cancel(EXPIRE)
        .tell(() -> notifier.requestFailed(failed))
        .commit();
  }

  /** Slack has the owner's offer of {@code id}, so closing the offer can edit it. */
  public void offerPosted(String id, Notifier.MessageRef where) {
    if (!store.recordOfferMessage(id, where)) {
      log.warn("request {}: gone before its offer message was recorded", id);
    }
  }

  /** The request with this id, or a refusal naming the id. */
  public AccessRequest find(String id) {
    return store.find(id).orElseThrow(() -> new Refusal(Reason.NO_SUCH_REQUEST, id));
  }

  /** The undecided requests {@code person} asked for, oldest first: theirs to cancel. */
  public List<AccessRequest> openBy(String person) {
    return store.findByState(RequestState.PENDING).stream()
        .filter(r -> r.requesterId().equals(person))
        .toList();
  }

  /** The offers of credentials waiting for {@code owner} to reveal them, oldest first. */
  public List<AccessRequest> offersFor(String owner) {
    Instant now = clock.instant();
    return store.findByState(RequestState.PROVISIONED).stream()
        .filter(r -> r.ownerId().equals(owner))
        .filter(r -> r.offerExpiresAt() != null && r.offerExpiresAt().isAfter(now))
        .toList();
  }

  /**
   * The undecided requests waiting for {@code approver}, oldest first: those their policy lets them
   * decide, that they neither asked for nor would own, and that they have not approved yet. The
   * workflow checks each decision again, whatever this list showed.
   */
  public List<AccessRequest> awaiting(String approver) {
    return store.findByState(RequestState.PENDING).stream()
        .filter(r -> !r.requesterId().equals(approver) && !r.ownerId().equals(approver))
        .filter(r -> !r.approvedBy(approver))
        .filter(r -> mayApprove(r.groupName(), approver))
        .toList();
  }

  private boolean mayApprove(String group, String approver) {
    try {
      return policies.mayApprove(group, approver);
    } catch (KeysmithException e) {
      // A user group Slack cannot list now: the request is left out of the list, not decided.
      log.info("cannot tell whether {} decides for {}: {}", approver, group, e.getMessage());
      return false;
    }
  }

  /**
   * An approver approves; once the group's quorum of distinct approvers has, the request is
   * approved and provisioned, exactly once however many clicks arrive at once.
   */
  public void approve(String id, String actor) {
    for (int attempt = 0; attempt < 10; attempt++) {
      AccessRequest r = find(id);
      AccessRequest next =
          RequestWorkflow.approve(
              r, actor, policies.mayApprove(r.groupName(), actor), clock.instant());
      Transitions.Change change =
          transitions
              .change(id, () -> store.compareAndSetApprovals(r, next))
              .tell(() -> notifier.updateApproval(next));
      if (next.state() == RequestState.PENDING) {
        // One more approval of a quorum; the others are still to come.
        change.audited(
            actor,
            AuditAction.REQUEST_APPROVAL_COUNTED,
            Map.of("approvals", next.approvals().size() + " of " + next.quorum()));
        if (change.commit()) {
          return;
        }
        continue; // another approver's click landed first: count again on what is stored now
      }
      change
          .audited(
              actor,
              AuditAction.REQUEST_APPROVED,
              next.quorum() == 1 ? Map.of() : Map.of("approvedBy", approvers(next)))
          .cancel(REMIND)
          .cancel(EXPIRE)
          // Carries the provisioning on if this process stops before it ends.
          .schedule(PROVISION, clock.instant().plus(PROVISION_FALLBACK));
      if (change.commit()) {
        provision(next, 0);
        return;
      }
    }
    throw RequestWorkflow.alreadyDecided(find(id));
  }

  private static String approvers(AccessRequest r) {
    return String.join(", ", r.approvals().stream().map(AccessRequest.Approval::approver).toList());
  }

  /** Refuses early when {@code actor} may not deny {@code id}, before asking for a reason. */
  public AccessRequest checkDeny(String id, String actor) {
    AccessRequest r = find(id);
    RequestWorkflow.deny(r, actor, policies.mayApprove(r.groupName(), actor), "", clock.instant());
    return r;
  }

  /**
   * An approver denies with a reason; fast enough to run before the Slack ack. The approvals
   * message and the requester's notice go out with the change.
   */
  public AccessRequest deny(String id, String actor, String reason) {
    AccessRequest r = find(id);
    AccessRequest next =
        RequestWorkflow.deny(
            r, actor, policies.mayApprove(r.groupName(), actor), reason, clock.instant());
    if (!transitions
        .move(store, RequestState.PENDING, next)
        .audited(actor, AuditAction.REQUEST_DENIED, Map.of("reason", next.outcome()))
        .cancel(REMIND)
        .cancel(EXPIRE)
        .tell(
            () -> {
              notifier.updateApproval(next);
              notifier.requestDenied(next);
            })
        .commit()) {
      throw RequestWorkflow.alreadyDecided(find(id));
    }
    return next;
  }

  /**
   * The requester withdraws a request nobody has decided; fast enough to run before the Slack ack.
   * The approvals message loses its buttons, and the owner, when someone else, is told.
   */
  public AccessRequest cancel(String id, String actor) {
    AccessRequest r = find(id);
    AccessRequest next = RequestWorkflow.cancel(r, actor, clock.instant());
    if (!transitions
        .move(store, RequestState.PENDING, next)
        .audited(actor, AuditAction.REQUEST_CANCELLED, Map.of("iamUser", next.iamUserName()))
        .cancel(REMIND)
        .cancel(EXPIRE)
        .tell(
            () -> {
              notifier.updateApproval(next);
              notifier.requestCancelled(next);
            })
        .commit()) {
      throw RequestWorkflow.alreadyDecided(find(id));
    }
    return next;
  }

  /**
   * Stops the PENDING requests asked by or for {@code person} ({@code what}: why, in words after
   * their name, like "left the workspace"); returns how many. Their approvals messages lose their
   * buttons.
   */
  public int stopFor(String person, String what) {
    int stopped = 0;
    for (AccessRequest r : store.findByState(RequestState.PENDING)) {
      if (!r.requesterId().equals(person) && !r.ownerId().equals(person)) {
        continue;
      }
      AccessRequest next =
          RequestWorkflow.stop(
              r,
              (r.requesterId().equals(person) ? "Its requester " : "Its owner ") + what + ".",
              clock.instant());
      if (transitions
          .move(store, RequestState.PENDING, next)
          .audited(
              SYSTEM,
              AuditAction.REQUEST_CANCELLED,
              Map.of("iamUser", next.iamUserName(), "why", Objects.requireNonNull(next.outcome())))
          .cancel(REMIND)
          .cancel(EXPIRE)
          .tell(() -> notifier.updateApproval(next))
          .commit()) {
        stopped++;
      }
    }
    return stopped;
  }

  /**
   * Job: the approvers are reminded, once, of a request still waiting for them; a request decided
   * since is left alone.
   */
  public JobHandler remindJob() {
    return job -> {
      Optional<AccessRequest> r = store.find(job.subject());
      if (r.isEmpty() || r.get().state() != RequestState.PENDING) {
        return;
      }
      AccessRequest waiting = r.get();
      transitions
          .about(waiting.id())
          .audited(SYSTEM, AuditAction.REQUEST_REMINDED, Map.of("iamUser", waiting.iamUserName()))
          .tell(() -> notifier.remindApprovers(waiting))
          .commit();
    };
  }

  /**
   * Job: a request nobody decided in time expires; the requester is told, and the approvals message
   * loses its buttons.
   */
  public JobHandler expireJob() {
    return job -> {
      Optional<AccessRequest> r = store.find(job.subject());
      if (r.isEmpty() || r.get().state() != RequestState.PENDING) {
        return;
      }
      AccessRequest expired =
          RequestWorkflow.expireUndecided(r.get(), words(deadlines.undecided()), clock.instant());
      if (!transitions
          .move(store, RequestState.PENDING, expired)
          .audited(SYSTEM, AuditAction.REQUEST_EXPIRED, Map.of("iamUser", expired.iamUserName()))
          .cancel(REMIND)
          .tell(
              () -> {
                notifier.updateApproval(expired);
                notifier.requestExpired(expired);
              })
          .commit()) {
        log.info("request {}: decided just before it expired", expired.id());
      }
    };
  }

  /** A duration the way a person says it: 3 days, 4 hours, 90 minutes. */
  static String words(Duration d) {
    if (d.toDays() >= 1 && d.toHoursPart() == 0 && d.toMinutesPart() == 0) {
      return d.toDays() + (d.toDays() == 1 ? " day" : " days");
    }
    if (d.toHours() >= 1 && d.toMinutesPart() == 0) {
      return d.toHours() + (d.toHours() == 1 ? " hour" : " hours");
    }
    long minutes = Math.max(1, d.toMinutes());
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }

  /**
   * Finishes what a restart interrupted: posting requests for approval, and provisioning, which
   * carries on the same way as after an approval.
   */
  public void resumeInterrupted() {
    Instant now = clock.instant();
    for (AccessRequest r : store.findByState(RequestState.PENDING)) {
      // The deadlines follow the settings of this start, and reach requests made before there
      // were any. A reminder already due is not stored again: it went out, or is lost for good.
      Transitions.Change deadlinesNow =
          transitions
              .about(r.id())
              .cancel(EXPIRE)
              .schedule(EXPIRE, r.createdAt().plus(deadlines.undecided()));
      Instant remindAt = r.createdAt().plus(deadlines.remindApprovers());
      if (remindAt.isAfter(now)) {
        deadlinesNow.cancel(REMIND).schedule(REMIND, remindAt);
      }
      if (r.approvalTs() == null) {
        // Its message waits in the outbox, or a version before the outbox lost it: leaving it
        // again replaces a waiting one and edits a posted one, so it is never posted twice.
        deadlinesNow.tell(() -> notifier.postForApproval(r));
      }
      deadlinesNow.commit();
    }
    for (AccessRequest r : store.findByState(RequestState.APPROVED)) {
      log.info("request {}: carrying on with provisioning a restart interrupted", r.id());
      AccessRequest restarted =
          r.withProgress(
              "Keysmith restarted mid-way, so it carries on from where it stopped",
              clock.instant());
      if (transitions
          .move(store, RequestState.APPROVED, restarted)
          // A decided request is reminded of and expired no more, however it got here.
          .cancel(REMIND)
          .cancel(EXPIRE)
          .cancel(PROVISION)
          .schedule(PROVISION, clock.instant().plus(PROVISION_FALLBACK))
          .tell(() -> notifier.updateApproval(restarted))
          .commit()) {
        provision(restarted, 0);
      }
    }
  }

  /**
   * Job: carries on provisioning an APPROVED request that an IAM outage or a stop held up; the same
   * work as right after approval, and safe to run again.
   */
  public JobHandler provisionJob() {
    return job -> {
      Optional<AccessRequest> r = store.find(job.subject());
      if (r.isPresent()
          && r.get().state() == RequestState.APPROVED
          && !provision(r.get(), Retries.failuresBefore(job))) {
        throw new HeldElsewhere("provisioning " + job.subject());
      }
    };
  }

  /**
   * Job: removes the half-made IAM user of a FAILED request, which IAM could not delete when the
   * request failed; tries again while IAM does not answer.
   */
  public JobHandler cleanUpJob() {
    return job -> {
      Optional<AccessRequest> r = store.find(job.subject());
      if (r.isEmpty() || r.get().state() != RequestState.FAILED) {
        return;
      }
      try {
        if (provisioner.undo(r.get())) {
          log.info("request {}: removed the half-made IAM user it left", job.subject());
          directory.usersChanged();
        }
      } catch (IamException e) {
        if (!e.isTransient()) {
          log.error(
              "request {}: IAM refused to remove the half-made user: {}",
              job.subject(),
              e.getMessage());
          AccessRequest failed = r.get();
          transitions
              .about(job.subject())
              .tell(() -> notifier.halfMadeUserLeft(failed, e.errorCode()))
              .commit();
          return;
        }
        int failures = Retries.failuresBefore(job) + 1;
        log.warn(
            "request {}: could not remove the half-made user yet: {}",
            job.subject(),
            e.errorCode());
        transitions
            .about(job.subject())
            .schedule(
                CLEAN_UP, clock.instant().plus(Retries.backoff(failures)), Retries.data(failures))
            .commit();
      }
    };
  }

  /**
   * Provisions {@code approved} unless a replica (this one too) is already at it, then false: the
   * lease keeps a second approval's, a resumed job's or another replica's recovery off a
   * provisioning under way, and runs out if its replica stops, so the next try takes it up.
   */
  private boolean provision(AccessRequest approved, int failuresBefore) {
    String lease = "provision:" + approved.id();
    if (!leases.tryHold(lease)) {
      log.info("request {}: provisioning already under way", approved.id());
      return false;
    }
    try {
      provisionHeld(approved, failuresBefore);
    } finally {
      leases.release(lease);
    }
    return true;
  }

  private void provisionHeld(AccessRequest approved, int failuresBefore) {
    AccessRequest[] current = {approved};
    try {
      Provisioner.Step work = approved.isExtension() ? provisioner::extend : provisioner::provision;
      work.run(
          approved,
          step -> {
            AccessRequest next = current[0].withProgress(step, clock.instant());
            if (transitions
                .move(store, RequestState.APPROVED, next)
                .tell(() -> notifier.updateApproval(next))
                .commit()) {
              current[0] = next;
            }
          });
    } catch (IamException e) {
      // The user may be half-made; only IAM knows.
      directory.usersChanged();
      if (e.isTransient()) {
        retryLater(current[0], e, failuresBefore + 1);
      } else {
        fail(current[0], e);
      }
      return;
    } catch (RuntimeException e) {
      directory.usersChanged();
      throw e;
    }
    if (approved.isExtension()) {
      extended(current[0]);
      return;
    }
    directory.userCreated(approved.iamUserName(), approved.ownerId());
    AccessRequest done =
        RequestWorkflow.provisioned(current[0], deadlines.offer(), clock.instant());
    Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("offerExpiresAt", String.valueOf(done.offerExpiresAt()));
    done.userExpiresAt().ifPresent(end -> details.put("userExpiresAt", end.toString()));
    Transitions.Change change =
        transitions
            .move(store, RequestState.APPROVED, done)
            .audited(SYSTEM, AuditAction.REQUEST_PROVISIONED, details)
            .cancel(PROVISION)
            .tell(
                () -> {
                  notifier.updateApproval(done);
                  notifier.credentialsOffered(done);
                });
    // A time-bound user: its owner is warned before its end, and it is offboarded at the end.
    Lifetimes.schedule(change, done);
    change.commitOrThrow();
  }

  /** An extension applied: the user ends later now, and its warning and end move with it. */
  private void extended(AccessRequest applied) {
    AccessRequest done = RequestWorkflow.extended(applied, clock.instant());
    String end = done.userExpiresAt().orElseThrow().toString();
    Transitions.Change change =
        transitions
            .move(store, RequestState.APPROVED, done)
            .audited(
                SYSTEM,
                AuditAction.USER_EXTENDED,
                Map.of(
                    "iamUser",
                    done.iamUserName(),
                    "userExpiresAt",
                    end,
                    "extends",
                    done.rootRequest()))
            .cancel(PROVISION)
            .tell(
                () -> {
                  notifier.updateApproval(done);
                  notifier.userExtended(done);
                });
    // The jobs of the earlier end find the tag moved and leave the user alone.
    Lifetimes.schedule(change, done);
    change.commitOrThrow();
  }

  /** IAM did not answer: the request stays APPROVED, and a stored job tries again after a wait. */
  private void retryLater(AccessRequest r, IamException e, int failures) {
    Duration wait = Retries.backoff(failures);
    AccessRequest waiting =
        r.withProgress(
            "IAM did not answer ("
                + e.errorCode()
                + "); Keysmith tries again in "
                + wait.toSeconds()
                + " s",
            clock.instant());
    log.warn(
        "request {}: IAM did not answer ({}); provisioning again in {} s",
        r.id(),
        e.errorCode(),
        wait.toSeconds());
    transitions
        .move(store, RequestState.APPROVED, waiting)
        .cancel(PROVISION)
        .schedule(PROVISION, clock.instant().plus(wait), Retries.data(failures))
        .tell(() -> notifier.updateApproval(waiting))
        .commit();
  }

  /**
   * IAM refused for good: the request fails with IAM's own words, and what was made is removed; if
   * IAM cannot be reached to remove it, a stored job removes it later.
   */
  private void fail(AccessRequest r, IamException e) {
    AccessRequest current = r;
    boolean leftBehind = false;
    @Nullable IamException refused = null;
    try {
      if (provisioner.undo(r)) {
        current =
            r.withProgress(
                "Removed the half-made user `" + r.iamUserName() + "` again", clock.instant());
      }
    } catch (IamException undoFailure) {
      log.warn(
          "request {}: could not remove the half-made user: {}", r.id(), undoFailure.errorCode());
      leftBehind = undoFailure.isTransient();
      refused = leftBehind ? null : undoFailure;
    }
    AccessRequest failed = RequestWorkflow.failed(current, e.getMessage(), clock.instant());
    Transitions.Change change =
        transitions
            .move(store, RequestState.APPROVED, failed)
            .audited(SYSTEM, AuditAction.REQUEST_FAILED, Map.of("errorCode", e.errorCode()))
            .cancel(PROVISION)
            .tell(
                () -> {
                  notifier.updateApproval(failed);
                  notifier.requestFailed(failed);
                });
    if (refused != null) {
      String errorCode = refused.errorCode();
      AccessRequest left = failed;
      change.tell(() -> notifier.halfMadeUserLeft(left, errorCode));
    }
    if (leftBehind) {
      change.schedule(
          CLEAN_UP, clock.instant().plus(Retries.backoff(1)), Retries.data(/* failures= */ 1));
    }
    change.commitOrThrow();
    log.warn("request {}: provisioning failed: {}", r.id(), e.errorCode());
  }
}
