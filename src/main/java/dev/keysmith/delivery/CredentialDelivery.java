package dev.keysmith.delivery;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamException;
import dev.keysmith.jobs.Job;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Retries;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestPorts;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestStore;
import dev.keysmith.request.RequestWorkflow;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an owner their new credentials once. They are minted only when the owner clicks to see
 * them, shown ephemerally, and wiped after a while or on Hide; nothing secret is kept anywhere.
 */
public final class CredentialDelivery {
  /** The job that undoes a failed reveal which IAM could not undo at once. */
  public static final String UNDO_REVEAL = "delivery.undo-reveal";

  /** How often an undo IAM refuses (rather than fails to answer) is tried again. */
  static final Duration UNDO_REFUSED_RETRY = Duration.ofHours(1);

  private static final String APPROVERS_TOLD = "approversTold";

  private static final Logger log = LoggerFactory.getLogger(CredentialDelivery.class);

  private final RequestStore store;
  private final Notifier notifier;
  private final Transitions transitions;
  private final AuditTrail audit;
  private final Clock clock;
  private final Leases leases;
  private final CredentialMinter minter;
  private final SecretChannel channel;
  private final SecretReveal reveal;

  public CredentialDelivery(
      RequestPorts ports,
      WorkflowContext context,
      CredentialMinter minter,
      SecretChannel channel,
      SecretReveal reveal) {
    this.store = ports.store();
    this.notifier = ports.notifier();
    this.transitions = context.transitions();
    this.audit = context.audit();
    this.clock = context.clock();
    this.leases = context.leases();
    this.minter = minter;
    this.channel = channel;
    this.reveal = reveal;
  }

  /** The owner opened the offer (in the DM): show, ephemerally, the button that reveals. */
  public void offer(String requestId, String actor, String responseUrl) {
    AccessRequest r = find(requestId);
    RequestWorkflow.checkRevealable(r, actor, clock.instant());
    channel.offerReveal(responseUrl, r);
    audit.record(clock.instant(), r.id(), actor, AuditAction.DELIVERY_OFFERED, Map.of());
  }

  /**
   * The owner clicked Reveal on the ephemeral message: mint, show through its {@code responseUrl},
   * and schedule the wipe. Refuses everyone else and every later click.
   */
  public void reveal(String requestId, String actor, String responseUrl) {
    // Held from before REVEALING until the reveal ends, so no replica takes a reveal under way for
    // one a stop cut off: a lease with no reveal behind it is harmless, a reveal without one is
    // never left.
    String lease = lease(requestId);
    if (!leases.tryHold(lease)) {
      RequestWorkflow.checkRevealable(find(requestId), actor, clock.instant());
      throw new Refusal(Reason.REVEAL_UNDER_WAY);
    }
    try {
      revealHeld(requestId, actor, responseUrl);
    } finally {
      leases.release(lease);
    }
  }

  private static String lease(String requestId) {
    return "reveal:" + requestId;
  }

  private void revealHeld(String requestId, String actor, String responseUrl) {
    AccessRequest r = find(requestId);
    Instant now = clock.instant();
    if (r.state() == RequestState.PROVISIONED && RequestWorkflow.isOfferExpired(r, now)) {
      expire(r);
    }
    AccessRequest revealing = RequestWorkflow.startReveal(r, actor, now);
    if (!transitions.move(store, RequestState.PROVISIONED, revealing).commit()) {
      RequestWorkflow.checkRevealable(find(requestId), actor, now);
      throw new Refusal(Reason.REVEAL_UNDER_WAY);
    }
    Credentials credentials;
    try {
      credentials = minter.mint(revealing);
    } catch (IamException e) {
      undoOrLater(revealing, actor, "mint failed: " + e.errorCode());
      throw new Refusal(Reason.CREDENTIALS_NOT_MINTED, e.getMessage());
    }
    Instant wipeAt;
    try {
      wipeAt = reveal.show(r.id(), r.ownerId(), responseUrl, credentials);
    } catch (RuntimeException e) {
      log.warn("request {}: could not show credentials: {}", r.id(), e.getClass().getSimpleName());
      undoOrLater(revealing, actor, "show failed");
      throw new Refusal(Reason.CREDENTIALS_NOT_SHOWN);
    }
    AccessRequest revealed = RequestWorkflow.revealed(revealing, clock.instant());
    Map<String, String> details = new LinkedHashMap<>();
    credentials.accessKeyId().ifPresent(id -> details.put("accessKeyId", id));
    details.put("consolePassword", credentials.password().isPresent() ? "created" : "none");
    details.put("wipeAt", wipeAt.toString());
    transitions
        .move(store, RequestState.REVEALING, revealed)
        .audited(actor, AuditAction.DELIVERY_REVEALED, details)
        .tell(
            () -> {
              notifier.updateApproval(revealed);
              notifier.offerClosed(revealed);
            })
        .commitOrThrow();
  }

  /** Ends offers nobody revealed in time, and tells their owners. */
  public void expireOffers() {
    Instant now = clock.instant();
    for (AccessRequest r : store.findByState(RequestState.PROVISIONED)) {
      if (RequestWorkflow.isOfferExpired(r, now)) {
        expire(r);
      }
    }
  }

  /**
   * After a stop: credentials minted but maybe never shown are deleted, and the offer stands again.
   * Keysmith users have no other keys or password before their first reveal. A reveal under way, on
   * this replica or another that lives, holds its lease and is left alone; so this may run at any
   * time, on any replica.
   */
  public void recoverInterrupted() {
    for (AccessRequest r : store.findByState(RequestState.REVEALING)) {
      if (!leases.tryHold(lease(r.id()))) {
        continue;
      }
      try {
        Optional<AccessRequest> now = store.find(r.id());
        if (now.isPresent() && now.get().state() == RequestState.REVEALING) {
          log.info("request {}: deleting credentials of a reveal a stop interrupted", r.id());
          undo(now.get(), SYSTEM, "interrupted by restart", /* interrupted= */ true);
        }
      } finally {
        leases.release(lease(r.id()));
      }
    }
  }

  /**
   * Job: deletes the unseen credentials of a reveal that failed while IAM could not undo it, puts
   * the offer back and tells the owner, as after a restart; tries again while IAM does not answer.
   */
  public JobHandler undoRevealJob() {
    return job -> {
      if (!leases.tryHold(lease(job.subject()))) {
        return; // a recovery on some replica is undoing it now, and retries if it fails
      }
      try {
        undoJob(job);
      } finally {
        leases.release(lease(job.subject()));
      }
    };
  }

  private void undoJob(Job job) {
    Optional<AccessRequest> r = store.find(job.subject());
    if (r.isEmpty() || r.get().state() != RequestState.REVEALING) {
      return;
    }
    try {
      undo(r.get(), SYSTEM, "undo retried after IAM failed", /* interrupted= */ true);
    } catch (IamException e) {
      if (e.isTransient()) {
        undoLater(r.get(), Retries.failuresBefore(job) + 1);
      } else {
        undoRefused(r.get(), job, e);
      }
    }
  }

  /** Undoes a live reveal that failed; when IAM cannot undo it now, a stored job does later. */
  private void undoOrLater(AccessRequest revealing, String actor, String why) {
    try {
      undo(revealing, actor, why);
    } catch (IamException e) {
      // The owner hears of what failed first; the offer comes back once the undo is done.
      undoLater(revealing, 1);
    }
  }

  /**
   * IAM refuses to delete what a reveal minted (a missing permission, say): the request cannot come
   * back to its offer until someone fixes that, so the approvers are told once, and the undo is
   * tried every hour rather than given up.
   */
  private void undoRefused(AccessRequest revealing, Job job, IamException e) {
    boolean toldBefore = job.data().containsKey(APPROVERS_TOLD);
    log.error(
        "request {}: IAM refuses to delete the unseen credentials ({}); trying again in an hour",
        revealing.id(),
        e.errorCode());
    Map<String, String> data = new LinkedHashMap<>(Retries.data(Retries.failuresBefore(job) + 1));
    data.put(APPROVERS_TOLD, "true");
    transitions
        .about(revealing.id())
        .cancel(UNDO_REVEAL)
        .schedule(UNDO_REVEAL, clock.instant().plus(UNDO_REFUSED_RETRY), data)
        .tell(
            () -> {
              if (!toldBefore) {
                notifier.undoRefused(revealing, e.errorCode());
              }
            })
        .commit();
  }

  private void undoLater(AccessRequest revealing, int failures) {
    Duration wait = Retries.backoff(failures);
    log.warn(
        "request {}: undoing the reveal again in {} s, once IAM answers",
        revealing.id(),
        wait.toSeconds());
    transitions
        .about(revealing.id())
        .cancel(UNDO_REVEAL)
        .schedule(UNDO_REVEAL, clock.instant().plus(wait), Retries.data(failures))
        .commit();
  }

  private void expire(AccessRequest r) {
    AccessRequest expired = RequestWorkflow.expire(r, clock.instant());
    if (transitions
        .move(store, RequestState.PROVISIONED, expired)
        .audited(SYSTEM, AuditAction.DELIVERY_EXPIRED)
        .tell(
            () -> {
              notifier.offerExpired(expired);
              notifier.updateApproval(expired);
              notifier.offerClosed(expired);
            })
        .commit()) {
      log.info("request {}: the offer expired", expired.id());
    }
  }

  private void undo(AccessRequest revealing, String actor, String why) {
    undo(revealing, actor, why, false);
  }

  /**
   * Deletes what a reveal minted and puts the offer back; tells the owner when {@code interrupted}
   * (a stop, or an outage the undo waited out, cut the reveal off, so nobody is looking at a
   * refusal that says so). False when another undo (a restart's, a job's) moved it first.
   */
  private boolean undo(AccessRequest revealing, String actor, String why, boolean interrupted) {
    try {
      minter.deleteUnseen(revealing);
    } catch (IamException e) {
      log.error(
          "request {}: could not delete unseen credentials: {}", revealing.id(), e.getMessage());
      throw e;
    }
    AccessRequest undone = RequestWorkflow.revealUndone(revealing, clock.instant());
    return transitions
        .move(store, RequestState.REVEALING, undone)
        .audited(actor, AuditAction.DELIVERY_UNDONE, Map.of("why", why))
        .cancel(UNDO_REVEAL)
        .tell(
            () -> {
              if (interrupted) {
                notifier.revealInterrupted(undone);
              }
            })
        .commit();
  }

  private AccessRequest find(String id) {
    return store.find(id).orElseThrow(() -> new Refusal(Reason.NO_SUCH_REQUEST, id));
  }
}
