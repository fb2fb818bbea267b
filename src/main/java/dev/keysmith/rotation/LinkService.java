package dev.keysmith.rotation;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamException;
import dev.keysmith.jobs.HeldElsewhere;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Retries;
import dev.keysmith.request.Approvers;
import dev.keysmith.request.Notifier;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs link requests: {@code /iam link} asks, an approver other than the one who asked and the new
 * owner approves, and only then is the owner tag written in IAM. Applies {@link LinkWorkflow}'s
 * transitions through {@link Transitions}, then calls IAM and Slack.
 */
public final class LinkService {
  /** The job that expires a link request nobody decided. */
  public static final String EXPIRE = "link.expire";

  /** The job that writes an approved link's owner tag when IAM did not answer at once. */
  public static final String APPLY = "link.apply";

  /** When the job stored with an approval runs if nothing sooner reschedules it (a stop). */
  static final Duration APPLY_FALLBACK = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(LinkService.class);

  private final LinkStore store;
  private final Approvers approvers;
  private final LinkNotifier notifier;
  private final Ownership ownership;
  private final Transitions transitions;
  private final Clock clock;
  private final Supplier<String> ids;
  private final List<String> protectedGroups;
  private final Duration lifetime;
  private final Leases leases;

  public LinkService(
      LinkPorts ports,
      Ownership ownership,
      WorkflowContext workflow,
      Supplier<String> ids,
      List<String> protectedGroups,
      Duration lifetime) {
    this.store = ports.store();
    this.approvers = ports.approvers();
    this.notifier = ports.notifier();
    this.ownership = ownership;
    this.transitions = workflow.transitions();
    this.clock = workflow.clock();
    this.leases = workflow.leases();
    this.ids = ids;
    this.protectedGroups = List.copyOf(protectedGroups);
    this.lifetime = lifetime;
  }

  /**
   * {@code actor} asks for {@code ownerId} to own {@code iamUser}: checked against IAM, stored with
   * its audit event and its expiry, then posted for approval. Nothing changes in IAM.
   */
  public LinkRequest ask(String actor, String iamUser, String ownerId) {
    LinkTarget target = ownership.linkTarget(iamUser);
    for (int attempt = 0; attempt < 5; attempt++) {
      LinkRequest r =
          LinkWorkflow.ask(
              ids.get(), target, ownerId, actor, protectedGroups, clock.instant(), lifetime);
      // The check for another pending link runs in the transaction that stores this one, so two
      // people asking for the same user at once get one request.
      LinkRequest[] waiting = {null};
      boolean stored =
          transitions
              .change(
                  r.id(),
                  () -> {
                    Optional<LinkRequest> other = store.findPending(r.iamUser());
                    if (other.isPresent()) {
                      waiting[0] = other.get();
                      return false;
                    }
                    return store.insert(r); // false: the id is taken; try another
                  })
              .audited(actor, AuditAction.LINK_REQUESTED, details(r))
              .schedule(EXPIRE, r.expiresAt())
              .tell(() -> notifier.postForApproval(r))
              .commit();
      if (stored) {
        return r;
      }
      if (waiting[0] != null) {
        throw new Refusal(Reason.LINK_PENDING, waiting[0].id(), waiting[0].iamUser());
      }
    }
    throw new KeysmithException("Could not find a free link id; please try again.");
  }

  /**
   * An approver approves: IAM is read again, and a user now in a protected group, gone, or owned by
   * someone else than when it was asked for ends the request instead. Tags once however many clicks
   * arrive.
   */
  public void approve(String id, String actor) {
    LinkRequest r = find(id);
    LinkRequest next = LinkWorkflow.approve(r, actor, approvers.isApprover(actor), clock.instant());
    try {
      LinkWorkflow.checkStillLinkable(r, ownership.linkTarget(r.iamUser()), protectedGroups);
    } catch (Refusal why) {
      stop(r, why, actor);
      throw why;
    }
    if (!transitions
        .move(store, LinkState.PENDING, next)
        .audited(actor, AuditAction.LINK_APPROVED, details(next))
        .cancel(EXPIRE)
        .schedule(APPLY, clock.instant().plus(APPLY_FALLBACK))
        .commit()) {
      throw LinkWorkflow.alreadyDecided(find(id));
    }
    apply(next, 0);
  }

  /** An approver denies; the requester is told. */
  public void deny(String id, String actor) {
    LinkRequest r = find(id);
    LinkRequest next = LinkWorkflow.deny(r, actor, approvers.isApprover(actor), clock.instant());
    if (!transitions
        .move(store, LinkState.PENDING, next)
        .audited(actor, AuditAction.LINK_DENIED, details(next))
        .cancel(EXPIRE)
        .tell(
            () -> {
              notifier.updateApproval(next);
              notifier.denied(next);
            })
        .commit()) {
      throw LinkWorkflow.alreadyDecided(find(id));
    }
  }

  /** Job: a link request nobody decided in time expires. */
  public JobHandler expireJob() {
    return job -> {
      Optional<LinkRequest> found = store.find(job.subject());
      if (found.isEmpty() || found.get().state() != LinkState.PENDING) {
        return;
      }
      LinkRequest expired = LinkWorkflow.expire(found.get(), clock.instant());
      if (!transitions
          .move(store, LinkState.PENDING, expired)
          .audited(SYSTEM, AuditAction.LINK_EXPIRED, details(expired))
          .tell(
              () -> {
                notifier.updateApproval(expired);
                notifier.expired(expired);
              })
          .commit()) {
        log.info("link {}: decided just before it expired", expired.id());
      }
    };
  }

  /** Finishes what a restart interrupted: posting requests for approval, writing approved tags. */
  public void resumeInterrupted() {
    for (LinkRequest r : store.findByState(LinkState.PENDING)) {
      if (r.approvalTs() == null) {
        // Waiting in the outbox, or lost by a version before it: leaving it again replaces a
        // waiting message and edits a posted one, so it is never posted twice.
        transitions.about(r.id()).tell(() -> notifier.postForApproval(r)).commit();
      }
    }
    for (LinkRequest r : store.findByState(LinkState.APPROVED)) {
      log.info("link {}: finishing the approved link a restart interrupted", r.id());
      transitions
          .about(r.id())
          .cancel(APPLY)
          .schedule(APPLY, clock.instant().plus(APPLY_FALLBACK))
          .commit();
      try {
        resumeApproved(r, 0);
      } catch (KeysmithException e) {
        // A refusal IAM may not repeat; the stored job asks again.
        log.warn("link {}: could not finish it yet: {}", r.id(), e.getMessage());
      }
    }
  }

  /**
   * Job: writes the owner tag of an APPROVED link that an IAM outage or a stop held up, checking
   * IAM again first, as after a restart; safe to run again.
   */
  public JobHandler applyJob() {
    return job -> {
      Optional<LinkRequest> r = store.find(job.subject());
      if (r.isPresent()
          && r.get().state() == LinkState.APPROVED
          && !resumeApproved(r.get(), Retries.failuresBefore(job))) {
        throw new HeldElsewhere("the owner tag of " + job.subject());
      }
    };
  }

  private LinkRequest find(String id) {
    return store.find(id).orElseThrow(() -> new Refusal(Reason.NO_SUCH_LINK, id));
  }

  /** Slack has the approvals message of link {@code id}: decisions may come from it now. */
  public void approvalPosted(String id, Notifier.MessageRef where) {
    Optional<LinkRequest> r = store.find(id);
    // Decisions refuse a link whose message is not stored yet, so nothing else moves it meanwhile.
    if (r.isEmpty()
        || r.get().state() != LinkState.PENDING
        || !store.compareAndSet(
            LinkState.PENDING, r.get().withApprovalMessage(where.channel(), where.ts()))) {
      log.warn("link {}: left PENDING before its approvals message was recorded", id);
    }
  }

  /**
   * Slack refused the approvals message of link {@code id} for good: nobody can decide it, so it
   * ends and the asker is told.
   */
  public void approvalUndeliverable(String id, String error) {
    LinkRequest r = find(id);
    if (r.state() != LinkState.PENDING || r.approvalTs() != null) {
      return;
    }
    log.error("link {}: could not post it for approval: {}", id, error);
    Refusal why = new Refusal(Reason.LINK_NOT_POSTED);
    LinkRequest cancelled = LinkWorkflow.cancel(r, why, null, clock.instant());
    if (!transitions
        .move(store, LinkState.PENDING, cancelled)
        .audited(SYSTEM, AuditAction.LINK_CANCELLED, Map.of("reason", why.reason().name()))
        .cancel(EXPIRE)
        .tell(() -> notifier.stopped(cancelled, why))
        .commit()) {
      log.warn("link {}: left PENDING before it could be cancelled", id);
    }
  }

  /**
   * Ends a PENDING request that a check at approval refused; when someone decided it meanwhile,
   * their decision stands and the clicker hears of it instead.
   */
  private void stop(LinkRequest r, Refusal why, String actor) {
    LinkRequest cancelled = LinkWorkflow.cancel(r, why, actor, clock.instant());
    if (!transitions
        .move(store, LinkState.PENDING, cancelled)
        .audited(actor, AuditAction.LINK_CANCELLED, withReason(cancelled, why))
        .cancel(EXPIRE)
        .tell(() -> notifier.stopped(cancelled, why))
        .commit()) {
      throw LinkWorkflow.alreadyDecided(find(r.id()));
    }
  }

  /**
   * Writes the owner tag of an APPROVED link unless a replica (this one too) is already at it, then
   * false.
   */
  private boolean apply(LinkRequest approved, int failuresBefore) {
    String lease = "link:" + approved.id();
    if (!leases.tryHold(lease)) {
      log.info("link {}: owner tag already being written", approved.id());
      return false;
    }
    try {
      applyHeld(approved, failuresBefore);
    } finally {
      leases.release(lease);
    }
    return true;
  }

  /** Writes the owner tag of an APPROVED link, which this thread holds; IAM may still refuse. */
  private void applyHeld(LinkRequest approved, int failuresBefore) {
    try {
      ownership.setOwner(approved.iamUser(), approved.ownerId());
    } catch (IamException e) {
      if (e.isTransient()) {
        retryLater(approved, e, failuresBefore + 1);
        return;
      }
      LinkRequest failed = LinkWorkflow.failed(approved, e.getMessage(), clock.instant());
      transitions
          .move(store, LinkState.APPROVED, failed)
          .audited(SYSTEM, AuditAction.LINK_FAILED, Map.of("errorCode", e.errorCode()))
          .cancel(APPLY)
          .tell(
              () -> {
                notifier.updateApproval(failed);
                notifier.failed(failed);
              })
          .commitOrThrow();
      log.warn("link {}: IAM refused the owner tag: {}", approved.id(), e.errorCode());
      return;
    }
    LinkRequest linked = LinkWorkflow.linked(approved, clock.instant());
    Map<String, String> details = details(linked);
    details.put("requester", linked.requesterId());
    transitions
        .move(store, LinkState.APPROVED, linked)
        .audited(
            Objects.requireNonNullElse(linked.decidedBy(), SYSTEM),
            AuditAction.KEYS_LINKED,
            details)
        .cancel(APPLY)
        .tell(
            () -> {
              notifier.updateApproval(linked);
              notifier.linked(linked);
            })
        .commitOrThrow();
  }

  /** IAM did not answer: the link stays APPROVED, and a stored job tries again after a wait. */
  private void retryLater(LinkRequest approved, IamException e, int failures) {
    Duration wait = Retries.backoff(failures);
    log.warn(
        "link {}: IAM did not answer ({}); writing the owner tag again in {} s",
        approved.id(),
        e.errorCode(),
        wait.toSeconds());
    transitions
        .about(approved.id())
        .cancel(APPLY)
        .schedule(APPLY, clock.instant().plus(wait), Retries.data(failures))
        .commit();
  }

  /**
   * An APPROVED link after a restart or an outage: done if the tag was written before, written now
   * if IAM still shows the user as when it was asked for, else FAILED with the reason; false when a
   * replica is writing it at this moment.
   */
  private boolean resumeApproved(LinkRequest approved, int failuresBefore) {
    LinkTarget now;
    try {
      now = ownership.linkTarget(approved.iamUser());
      if (now.owner().filter(approved.ownerId()::equals).isEmpty()) {
        LinkWorkflow.checkStillLinkable(approved, now, protectedGroups);
      }
    } catch (IamException e) {
      if (!e.isTransient()) {
        throw e;
      }
      retryLater(approved, e, failuresBefore + 1);
      return true;
    } catch (Refusal why) {
      LinkRequest failed = LinkWorkflow.failed(approved, why.getMessage(), clock.instant());
      transitions
          .move(store, LinkState.APPROVED, failed)
          .audited(SYSTEM, AuditAction.LINK_FAILED, withReason(failed, why))
          .cancel(APPLY)
          .tell(() -> notifier.stopped(failed, why))
          .commitOrThrow();
      return true;
    }
    return apply(approved, failuresBefore);
  }

  private static Map<String, String> details(LinkRequest r) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", r.iamUser());
    details.put("owner", r.ownerId());
    if (r.previousOwnerId() != null) {
      details.put("previousOwner", r.previousOwnerId());
    }
    return details;
  }

  private static Map<String, String> withReason(LinkRequest r, Refusal why) {
    Map<String, String> details = details(r);
    details.put("reason", why.reason().name());
    return details;
  }
}
