package dev.keysmith.rotation;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.JobStore;
import dev.keysmith.workflow.Transitions;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The old key's end after a rotation: deactivated when the grace period is over (later if it is
 * still in use) or at once on request, then deleted unless its owner reactivated it. Both run as
 * stored jobs, which a restart gives back to a rotation that lost them.
 */
public final class RotationJobs {
  /** The job that ends a rotation's grace period. */
  public static final String DEACTIVATE_OLD = "rotation.deactivate-old-key";

  /** The job that deletes a rotation's deactivated old key. */
  public static final String DELETE_OLD = "rotation.delete-old-key";

  private static final Logger log = LoggerFactory.getLogger(RotationJobs.class);

  private final RotationContext context;
  private final IamGateway iam;
  private final RotationStore rotations;
  private final Transitions transitions;
  private final Clock clock;
  private final JobStore jobs;

  public RotationJobs(RotationContext context, JobStore jobs) {
    this.context = context;
    this.iam = context.iam();
    this.rotations = context.rotations();
    this.transitions = context.workflow().transitions();
    this.clock = context.workflow().clock();
    this.jobs = jobs;
  }

  /** The owner (or an approver) asks to deactivate the old key now instead of after the grace. */
  public void deactivateOldNow(String rotationId, String actor) {
    Rotation r = context.find(rotationId);
    context.ownership().checkMayActOn(r.iamUser(), actor);
    Rotation next = RotationWorkflow.deactivateNow(r, clock.instant());
    if (!transitions.move(rotations, RotationState.GRACE, next).cancel(DEACTIVATE_OLD).commit()) {
      throw new Refusal(Reason.OLD_KEY_JUST_HANDLED);
    }
    deactivateOld(next, actor);
  }

  /** Job: the grace period is over; deactivate the old key unless it was used after the reveal. */
  public JobHandler deactivateOldJob() {
    return job -> {
      Rotation r = context.find(job.subject());
      if (r.state() != RotationState.GRACE) {
        return;
      }
      Optional<AccessKeyInfo> old = context.oldKey(r);
      if (old.isEmpty()) {
        context.finish(r, RotationState.DONE, "old key already gone");
        return;
      }
      IamGateway.KeyLastUsed used = iam.accessKeyLastUsed(r.replacedKey());
      Instant now = clock.instant();
      switch (RotationWorkflow.afterGrace(r, old.get(), used)) {
        case POSTPONE -> postpone(r, used, now);
        case DEACTIVATE -> {
          Rotation next = r.moved(RotationState.OLD_DEACTIVATED, now);
          if (transitions.move(rotations, RotationState.GRACE, next).commit()) {
            deactivateOld(next, SYSTEM);
          }
        }
      }
    };
  }

  /** Job: the old key has been inactive long enough; delete it unless it was reactivated. */
  public JobHandler deleteOldJob() {
    return job -> {
      Rotation r = context.find(job.subject());
      if (r.state() != RotationState.OLD_DEACTIVATED) {
        return;
      }
      switch (RotationWorkflow.deletion(r, context.oldKey(r))) {
        case OLD_KEY_GONE -> context.finish(r, RotationState.DONE, "old key already gone");
        case KEEP_REACTIVATED ->
            context.finish(r, RotationState.CANCELLED, "old key reactivated by its owner; kept");
        case DELETE -> {
          iam.deleteAccessKey(r.iamUser(), r.replacedKey());
          context.auditIamCall(r, AuditAction.IAM_DELETE_ACCESS_KEY, r.replacedKey());
          context.finish(
              r,
              RotationState.DONE,
              "old key deleted",
              () -> context.notifier().oldKeyDeleted(r.iamUser(), r.replacedKey(), r.ownerId()));
        }
      }
    };
  }

  /**
   * After a restart: a rotation cut off between its state and its next job gets the job: one in its
   * grace period its deactivation; one past it its deletion, after the deactivation itself if that
   * never happened (no {@code deactivatedAt}). The deletion job keeps a key its owner reactivated.
   */
  public void recoverInterrupted() {
    recoverInterrupted(clock.instant());
  }

  /**
   * The same, for rotations last changed no later than {@code startedAt}: one changed since is
   * between two steps right now, and is left alone when a failed recovery runs again.
   */
  public void recoverInterrupted(Instant startedAt) {
    KeysmithException failed = null;
    for (Rotation r : rotations.findByState(RotationState.GRACE)) {
      if (r.updatedAt().isAfter(startedAt)) {
        continue;
      }
      if (!hasPending(r, DEACTIVATE_OLD)) {
        log.info("rotation {}: scheduling the deactivation a restart interrupted", r.id());
        jobs.schedule(
            DEACTIVATE_OLD,
            r.id(),
            Map.of(),
            Objects.requireNonNull(r.revealedAt(), "revealedAt")
                .plus(context.settings().rotationGracePeriod()));
      }
    }
    for (Rotation r : rotations.findByState(RotationState.OLD_DEACTIVATED)) {
      if (r.updatedAt().isAfter(startedAt) || hasPending(r, DELETE_OLD)) {
        continue;
      }
      Optional<Instant> deactivatedAt = Optional.ofNullable(r.deactivatedAt());
      if (deactivatedAt.isPresent()) {
        log.info("rotation {}: scheduling the deletion a restart interrupted", r.id());
        jobs.schedule(
            DELETE_OLD,
            r.id(),
            Map.of(),
            deactivatedAt.get().plus(context.settings().deleteAfterDeactivation()));
        continue;
      }
      log.info("rotation {}: deactivating the old key a restart interrupted", r.id());
      try {
        deactivateOld(r, SYSTEM);
      } catch (KeysmithException e) {
        // IAM may not be reachable yet: the others still get their turn, then the recovery fails
        // and runs again later (jobs.Recovery), which finds this one still undone.
        log.warn("rotation {}: could not deactivate the old key yet: {}", r.id(), e.getMessage());
        if (failed == null) {
          failed = e;
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Deactivates the old key of {@code r}, already OLD_DEACTIVATED in the store, then audits it and
   * schedules its deletion together.
   */
  void deactivateOld(Rotation r, String actor) {
    try {
      iam.setAccessKeyStatus(r.iamUser(), r.replacedKey(), /* active= */ false);
    } catch (IamException e) {
      if (!"NoSuchEntity".equals(e.errorCode())) {
        throw e;
      }
      context.finish(r, RotationState.DONE, "old key already gone");
      return;
    }
    Instant now = clock.instant();
    Instant deleteAt = now.plus(context.settings().deleteAfterDeactivation());
    transitions
        .move(rotations, RotationState.OLD_DEACTIVATED, r.oldKeyDeactivated(now))
        .audited(
            actor,
            AuditAction.KEYS_DEACTIVATED,
            Map.of("iamUser", r.iamUser(), "accessKeyId", r.replacedKey()))
        .schedule(DELETE_OLD, deleteAt)
        .tell(
            () ->
                context
                    .notifier()
                    .oldKeyDeactivated(r.iamUser(), r.replacedKey(), r.ownerId(), deleteAt))
        .commitOrThrow();
  }

  private void postpone(Rotation r, IamGateway.KeyLastUsed used, Instant now) {
    Instant later = now.plus(context.settings().rotationGracePeriod());
    KeyNotifier.KeyUse use =
        new KeyNotifier.KeyUse(
            used.at().orElseThrow(),
            used.service().orElse("unknown"),
            used.region().orElse("unknown"));
    if (!transitions
        .move(rotations, RotationState.GRACE, r.postponedOnce(now))
        .audited(SYSTEM, AuditAction.ROTATION_POSTPONED, Map.of("lastUsed", use.at().toString()))
        .schedule(DEACTIVATE_OLD, later)
        .tell(
            () ->
                context
                    .notifier()
                    .oldKeyStillUsed(r.iamUser(), r.replacedKey(), r.ownerId(), use, later))
        .commit()) {
      log.info("rotation {}: the owner deactivated the old key meanwhile", r.id());
    }
  }

  private boolean hasPending(Rotation r, String kind) {
    return jobs.pending(r.id()).stream().anyMatch(job -> job.kind().equals(kind));
  }
}
