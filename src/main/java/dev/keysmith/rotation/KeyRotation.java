package dev.keysmith.rotation;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.JobStore;
import dev.keysmith.request.Approvers;
import dev.keysmith.request.Notifier;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access-key rotation the way AWS documents it: a second key while the old one stays active, the
 * new secret shown once, the old key deactivated after a grace period (later if it is still in
 * use), then deleted unless the owner reactivated it. Losing a secret is the same with the old key
 * deactivated at once.
 */
public final class KeyRotation {
  /** Job kinds this class handles. */
  public static final String DEACTIVATE_OLD = "rotation.deactivate-old-key";

  public static final String DELETE_OLD = "rotation.delete-old-key";

  private static final String DEACTIVATED = "keys.deactivated";

  private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

  private final IamGateway iam;
  private final Ownership ownership;
  private final Approvers approvers;
  private final RotationStore rotations;
  private final JobStore jobs;
  private final SecretReveal reveal;
  private final KeyNotifier notifier;
  private final AuditTrail audit;
  private final Clock clock;
  private final KeysmithConfig.KeyCare settings;
  private final Supplier<String> ids;

  public KeyRotation(
      IamGateway iam,
      Ownership ownership,
      Approvers approvers,
      RotationStore rotations,
      JobStore jobs,
      SecretReveal reveal,
      KeyNotifier notifier,
      AuditTrail audit,
      Clock clock,
      KeysmithConfig.KeyCare settings,
      Supplier<String> ids) {
    this.iam = iam;
    this.ownership = ownership;
    this.approvers = approvers;
    this.rotations = rotations;
    this.jobs = jobs;
    this.reveal = reveal;
    this.notifier = notifier;
    this.audit = audit;
    this.clock = clock;
    this.settings = settings;
    this.ids = ids;
  }

  /** What a rotation of one user's key needs first. */
  public enum Step {
    /** Ready: one key (or none) to replace. */
    READY,
    /** Both key slots are taken and one key is inactive: delete it first (confirmed). */
    DELETE_INACTIVE_FIRST,
    /** Both key slots are taken by active keys: the owner picks one to delete (confirmed). */
    CHOOSE_KEY_TO_DELETE
  }

  /** What `/iam rotate-key` offers for {@code iamUser}. */
  public record Plan(String iamUser, List<AccessKeyInfo> keys, boolean lost, Step step) {
    /** The key that will be replaced, when the plan is READY and the user has one. */
    public Optional<String> oldKeyId() {
      return step == Step.READY && keys.size() == 1
          ? Optional.of(keys.get(0).accessKeyId())
          : Optional.empty();
    }
  }

  /** Works out what rotating a key of {@code iamUser} (or the actor's only user) takes. */
  public Plan plan(String actor, Optional<String> iamUser, boolean lost) {
    String user = iamUser.orElseGet(() -> onlyUserOf(actor));
    checkOwner(user, actor);
    List<AccessKeyInfo> keys = iam.listAccessKeys(user);
    Step step = Step.READY;
    if (keys.size() >= 2) {
      step =
          keys.stream().anyMatch(k -> !"Active".equals(k.status()))
              ? Step.DELETE_INACTIVE_FIRST
              : Step.CHOOSE_KEY_TO_DELETE;
    }
    return new Plan(user, keys, lost, step);
  }

  private String onlyUserOf(String actor) {
    List<String> owned = ownership.usersOwnedBy(actor);
    if (owned.isEmpty()) {
      throw new Refusal(
          "You own no IAM user that Keysmith knows of. Ask an approver to link yours with"
              + " `/iam link`.");
    }
    if (owned.size() > 1) {
      throw new Refusal(
          "You own several IAM users ("
              + String.join(", ", owned)
              + "). Say which one: `/iam rotate-key <iam-user>`.");
    }
    return owned.get(0);
  }

  /** Only the owner rotates: the new secret is shown to whoever rotates, and only to them. */
  private void checkOwner(String iamUser, String actor) {
    Optional<String> owner = ownership.checkMayActOn(iamUser, actor);
    if (owner.isEmpty() || !owner.get().equals(actor)) {
      throw new Refusal(
          "Only the owner of `"
              + iamUser
              + "` can rotate its keys, because only they may see the new secret."
              + (owner.isEmpty() ? " Link it to its owner first with `/iam link`." : ""));
    }
  }

  /** Deletes a key to free a slot before rotating; the click carried a confirmation. */
  public Plan deleteToMakeRoom(String actor, String iamUser, String keyId, boolean lost) {
    checkOwner(iamUser, actor);
    List<AccessKeyInfo> keys = iam.listAccessKeys(iamUser);
    if (keys.stream().noneMatch(k -> k.accessKeyId().equals(keyId))) {
      throw new Refusal("`" + keyId + "` is not a key of `" + iamUser + "` any more.");
    }
    if (keys.size() < 2) {
      throw new Refusal("`" + iamUser + "` has a free key slot already; nothing was deleted.");
    }
    iam.deleteAccessKey(iamUser, keyId);
    record(null, actor, "keys.deleted", Map.of("iamUser", iamUser, "accessKeyId", keyId));
    return plan(actor, Optional.of(iamUser), lost);
  }

  /**
   * The owner clicked Rotate on the ephemeral prompt: mint the new key, show it once through that
   * click's {@code responseUrl}, and start the grace period (or, for a lost key, deactivate the old
   * one at once).
   */
  public Rotation rotate(
      String actor, String iamUser, String oldKeyId, boolean lost, String responseUrl) {
    checkOwner(iamUser, actor);
    List<String> keys =
        iam.listAccessKeys(iamUser).stream().map(AccessKeyInfo::accessKeyId).toList();
    List<String> expected = oldKeyId == null ? List.of() : List.of(oldKeyId);
    if (!keys.equals(expected)) {
      throw new Refusal(
          "The keys of `" + iamUser + "` changed since you asked; run `/iam rotate-key` again.");
    }
    Rotation started;
    if (settings.rotationNeedsApproval()) {
      Optional<Rotation> approved =
          rotations.findByState(RotationState.APPROVED).stream()
              .filter(r -> r.iamUser().equals(iamUser))
              .filter(r -> Objects.equals(r.oldKeyId(), oldKeyId) && r.lost() == lost)
              .findFirst();
      if (approved.isEmpty()) {
        return requestApproval(actor, iamUser, oldKeyId, lost);
      }
      started = approved.get().moved(RotationState.MINTING, clock.instant());
      if (!rotations.compareAndSet(RotationState.APPROVED, started)) {
        throw new Refusal("This rotation is already under way.");
      }
    } else {
      started =
          Rotation.start(
              ids.get(), iamUser, actor, oldKeyId, lost, RotationState.MINTING, clock.instant());
      if (!rotations.insert(started)) {
        throw new Refusal("A rotation of `" + iamUser + "` is already under way.");
      }
    }
    IamGateway.NewAccessKey key;
    try {
      key = iam.createAccessKey(iamUser);
    } catch (IamException e) {
      finish(started, RotationState.CANCELLED, "CreateAccessKey failed: " + e.errorCode());
      throw new Refusal("IAM could not create the new key: " + e.getMessage());
    }
    record(
        started.id(), "keysmith", "iam.CreateAccessKey", Map.of("accessKeyId", key.accessKeyId()));
    try {
      reveal.show(
          started.id(),
          actor,
          responseUrl,
          new Credentials(
              iamUser,
              Optional.of(key.accessKeyId()),
              Optional.of(key.secretAccessKey()),
              Optional.empty(),
              Optional.empty()));
    } catch (RuntimeException e) {
      log.warn(
          "rotation {}: could not show the new key: {}",
          started.id(),
          e.getClass().getSimpleName());
      undoMint(started, "show failed");
      throw new Refusal(
          "Slack did not take the message with your new key, so nothing changed. Try again.");
    }
    Instant now = clock.instant();
    RotationState next =
        oldKeyId == null
            ? RotationState.DONE
            : lost ? RotationState.OLD_DEACTIVATED : RotationState.GRACE;
    Rotation shown = started.revealed(key.accessKeyId(), next, now);
    rotations.compareAndSet(RotationState.MINTING, shown);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", iamUser);
    details.put("newKeyId", key.accessKeyId());
    details.put("oldKeyId", Objects.toString(oldKeyId, "none"));
    details.put("lost", Boolean.toString(lost));
    record(shown.id(), actor, "keys.rotated", details);
    if (next == RotationState.OLD_DEACTIVATED) {
      deactivateOld(shown, actor);
    } else if (next == RotationState.GRACE) {
      Instant deactivateAt = now.plus(settings.rotationGracePeriod());
      jobs.schedule(DEACTIVATE_OLD, shown.id(), Map.of(), deactivateAt);
      Notifier.bestEffort(
          shown.id(),
          () ->
              notifier.rotationGracePeriod(
                  shown.id(), iamUser, oldKeyId, key.accessKeyId(), actor, deactivateAt));
    }
    return shown;
  }

  /** Where rotations need approval: posts one for approval instead of minting. */
  private Rotation requestApproval(String actor, String iamUser, String oldKeyId, boolean lost) {
    rotations.findByState(RotationState.AWAITING_APPROVAL).stream()
        .filter(r -> r.iamUser().equals(iamUser))
        .findFirst()
        .ifPresent(
            r -> {
              throw new Refusal(
                  "Rotation " + r.id() + " of `" + iamUser + "` already waits for approval.");
            });
    Rotation waiting =
        Rotation.start(
            ids.get(),
            iamUser,
            actor,
            oldKeyId,
            lost,
            RotationState.AWAITING_APPROVAL,
            clock.instant());
    if (!rotations.insert(waiting)) {
      throw new KeysmithException("Could not find a free rotation id; please try again.");
    }
    record(waiting.id(), actor, "rotation.requested", Map.of("iamUser", iamUser));
    Notifier.MessageRef ref;
    try {
      ref = notifier.rotationForApproval(waiting);
    } catch (RuntimeException e) {
      finish(waiting, RotationState.CANCELLED, "could not post for approval");
      throw new Refusal(
          "Keysmith could not post the rotation to the approvals channel; nothing changed.");
    }
    Rotation posted = waiting.withApprovalMessage(ref.channel(), ref.ts());
    rotations.compareAndSet(RotationState.AWAITING_APPROVAL, posted);
    return posted;
  }

  /** An approver (never the owner) approves or denies a rotation that needs approval. */
  public void decide(String rotationId, String approver, boolean approve) {
    Rotation r = find(rotationId);
    if (!approvers.isApprover(approver)) {
      throw new Refusal("Only Keysmith approvers can decide rotations.");
    }
    if (approver.equals(r.ownerId())) {
      throw new Refusal("You own `" + r.iamUser() + "`, so someone else has to decide.");
    }
    if (r.state() != RotationState.AWAITING_APPROVAL) {
      throw new Refusal(
          "Rotation "
              + r.id()
              + " was already decided"
              + (r.decidedBy() == null ? "." : " by <@" + r.decidedBy() + ">."));
    }
    if (r.approvalTs() == null) {
      throw new Refusal("Rotation " + r.id() + " is still being posted for approval; try again.");
    }
    Rotation next =
        r.decided(
            approve ? RotationState.APPROVED : RotationState.DENIED, approver, clock.instant());
    if (!rotations.compareAndSet(RotationState.AWAITING_APPROVAL, next)) {
      throw new Refusal("Rotation " + r.id() + " was just decided by someone else.");
    }
    record(next.id(), approver, approve ? "rotation.approved" : "rotation.denied", Map.of());
    Notifier.bestEffort(next.id(), () -> notifier.rotationDecided(next));
  }

  /** The owner (or an approver) asks to deactivate the old key now instead of after the grace. */
  public void deactivateOldNow(String rotationId, String actor) {
    Rotation r = find(rotationId);
    ownership.checkMayActOn(r.iamUser(), actor);
    if (r.state() != RotationState.GRACE) {
      throw new Refusal("The old key of this rotation is not waiting for deactivation any more.");
    }
    Rotation next = r.moved(RotationState.OLD_DEACTIVATED, clock.instant());
    if (!rotations.compareAndSet(RotationState.GRACE, next)) {
      throw new Refusal("The old key of this rotation was just dealt with.");
    }
    jobs.cancel(DEACTIVATE_OLD, rotationId);
    deactivateOld(next, actor);
  }

  /** Job: the grace period is over; deactivate the old key unless it was used after the reveal. */
  public JobHandler deactivateOldJob() {
    return job -> {
      Rotation r = find(job.subject());
      if (r.state() != RotationState.GRACE) {
        return;
      }
      Optional<AccessKeyInfo> old = oldKey(r);
      if (old.isEmpty()) {
        finish(r, RotationState.DONE, "old key already gone");
        return;
      }
      Instant now = clock.instant();
      IamGateway.KeyLastUsed used = iam.accessKeyLastUsed(r.oldKeyId());
      if (!r.postponed()
          && "Active".equals(old.get().status())
          && used.at().filter(at -> at.isAfter(r.revealedAt())).isPresent()) {
        Instant later = now.plus(settings.rotationGracePeriod());
        rotations.compareAndSet(RotationState.GRACE, r.postponedOnce(now));
        jobs.schedule(DEACTIVATE_OLD, r.id(), Map.of(), later);
        KeyNotifier.KeyUse use =
            new KeyNotifier.KeyUse(
                used.at().get(), used.service().orElse("unknown"), used.region().orElse("unknown"));
        record(r.id(), "keysmith", "rotation.postponed", Map.of("lastUsed", use.at().toString()));
        Notifier.bestEffort(
            r.id(),
            () -> notifier.oldKeyStillUsed(r.iamUser(), r.oldKeyId(), r.ownerId(), use, later));
        return;
      }
      Rotation next = r.moved(RotationState.OLD_DEACTIVATED, now);
      if (rotations.compareAndSet(RotationState.GRACE, next)) {
        deactivateOld(next, "keysmith");
      }
    };
  }

  /** Job: the old key has been inactive long enough; delete it unless it was reactivated. */
  public JobHandler deleteOldJob() {
    return job -> {
      Rotation r = find(job.subject());
      if (r.state() != RotationState.OLD_DEACTIVATED) {
        return;
      }
      Optional<AccessKeyInfo> old = oldKey(r);
      if (old.isEmpty()) {
        finish(r, RotationState.DONE, "old key already gone");
        return;
      }
      if ("Active".equals(old.get().status())) {
        finish(r, RotationState.CANCELLED, "old key reactivated by its owner; kept");
        return;
      }
      iam.deleteAccessKey(r.iamUser(), r.oldKeyId());
      record(r.id(), "keysmith", "iam.DeleteAccessKey", Map.of("accessKeyId", r.oldKeyId()));
      finish(r, RotationState.DONE, "old key deleted");
      Notifier.bestEffort(
          r.id(), () -> notifier.oldKeyDeleted(r.iamUser(), r.oldKeyId(), r.ownerId()));
    };
  }

  /**
   * After a restart: a rotation cut off between minting and showing leaves a key nobody saw; delete
   * it. The user had exactly the old key (or none) when the rotation started. A rotation cut off
   * between its state and its next job gets the job: one in its grace period its deactivation; one
   * past it its deletion, after the deactivation itself if that never happened (no {@code
   * keys.deactivated} event). The deletion job keeps a key its owner reactivated.
   */
  public void recoverInterrupted() {
    for (Rotation r : rotations.findByState(RotationState.MINTING)) {
      log.info("rotation {}: deleting the new key of a rotation a restart interrupted", r.id());
      undoMint(r, "interrupted by restart");
    }
    for (Rotation r : rotations.findByState(RotationState.GRACE)) {
      if (!hasPending(r, DEACTIVATE_OLD)) {
        log.info("rotation {}: scheduling the deactivation a restart interrupted", r.id());
        jobs.schedule(
            DEACTIVATE_OLD, r.id(), Map.of(), r.revealedAt().plus(settings.rotationGracePeriod()));
      }
    }
    for (Rotation r : rotations.findByState(RotationState.OLD_DEACTIVATED)) {
      if (hasPending(r, DELETE_OLD)) {
        continue;
      }
      Optional<Instant> deactivatedAt =
          audit.forRequest(r.id()).stream()
              .filter(e -> e.action().equals(DEACTIVATED))
              .map(AuditEvent::at)
              .reduce((first, last) -> last);
      if (deactivatedAt.isPresent()) {
        log.info("rotation {}: scheduling the deletion a restart interrupted", r.id());
        jobs.schedule(
            DELETE_OLD,
            r.id(),
            Map.of(),
            deactivatedAt.get().plus(settings.deleteAfterDeactivation()));
        continue;
      }
      log.info("rotation {}: deactivating the old key a restart interrupted", r.id());
      try {
        deactivateOld(r, "keysmith");
      } catch (KeysmithException e) {
        // IAM may not be reachable yet; Keysmith starts anyway and tries again at the next start.
        log.warn("rotation {}: could not deactivate the old key yet: {}", r.id(), e.getMessage());
      }
    }
  }

  private boolean hasPending(Rotation r, String kind) {
    return jobs.pending(r.id()).stream().anyMatch(job -> job.kind().equals(kind));
  }

  private void undoMint(Rotation r, String why) {
    for (AccessKeyInfo key : iam.listAccessKeys(r.iamUser())) {
      if (!key.accessKeyId().equals(r.oldKeyId())) {
        iam.deleteAccessKey(r.iamUser(), key.accessKeyId());
        record(r.id(), "keysmith", "iam.DeleteAccessKey", Map.of("accessKeyId", key.accessKeyId()));
      }
    }
    finish(r, RotationState.CANCELLED, why);
  }

  private void deactivateOld(Rotation r, String actor) {
    try {
      iam.setAccessKeyStatus(r.iamUser(), r.oldKeyId(), /* active= */ false);
    } catch (IamException e) {
      if (!"NoSuchEntity".equals(e.errorCode())) {
        throw e;
      }
      finish(r, RotationState.DONE, "old key already gone");
      return;
    }
    Instant deleteAt = clock.instant().plus(settings.deleteAfterDeactivation());
    record(r.id(), actor, DEACTIVATED, Map.of("iamUser", r.iamUser(), "accessKeyId", r.oldKeyId()));
    jobs.schedule(DELETE_OLD, r.id(), Map.of(), deleteAt);
    Notifier.bestEffort(
        r.id(), () -> notifier.oldKeyDeactivated(r.iamUser(), r.oldKeyId(), r.ownerId(), deleteAt));
  }

  private Optional<AccessKeyInfo> oldKey(Rotation r) {
    return iam.listAccessKeys(r.iamUser()).stream()
        .filter(k -> k.accessKeyId().equals(r.oldKeyId()))
        .findFirst();
  }

  private void finish(Rotation r, RotationState state, String why) {
    if (rotations.compareAndSet(r.state(), r.moved(state, clock.instant()))) {
      record(r.id(), "keysmith", "rotation." + state.name().toLowerCase(), Map.of("why", why));
    }
  }

  private Rotation find(String id) {
    return rotations.find(id).orElseThrow(() -> new Refusal("There is no rotation " + id + "."));
  }

  private void record(String subject, String actor, String action, Map<String, String> details) {
    audit.record(clock.instant(), subject, actor, action, details);
  }
}
