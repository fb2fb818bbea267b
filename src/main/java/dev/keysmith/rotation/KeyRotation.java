package dev.keysmith.rotation;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.jobs.Leases;
import dev.keysmith.workflow.Transitions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access-key rotation the way AWS documents it, up to the new secret on the owner's screen: the
 * plan, making room, minting the second key and showing it once. The grace period and the old key's
 * end are {@link RotationJobs}; where rotations need approval, {@link RotationApproval}.
 */
public final class KeyRotation {
  private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

  private final RotationContext context;
  private final IamGateway iam;
  private final RotationStore rotations;
  private final Transitions transitions;
  private final Clock clock;
  private final RotationApproval approval;
  private final RotationJobs jobs;
  private final SecretReveal reveal;
  private final Supplier<String> ids;

  public KeyRotation(
      RotationContext context,
      RotationApproval approval,
      RotationJobs jobs,
      SecretReveal reveal,
      Supplier<String> ids) {
    this.context = context;
    this.iam = context.iam();
    this.rotations = context.rotations();
    this.transitions = context.workflow().transitions();
    this.clock = context.workflow().clock();
    this.approval = approval;
    this.jobs = jobs;
    this.reveal = reveal;
    this.ids = ids;
  }

  /** What `/iam rotate-key` offers for {@code iamUser}. */
  public record Plan(
      String iamUser, List<AccessKeyInfo> keys, boolean lost, RotationWorkflow.Step step) {
    /** The key that will be replaced, when the plan is READY and the user has one. */
    public Optional<String> oldKeyId() {
      return step == RotationWorkflow.Step.READY && keys.size() == 1
          ? Optional.of(keys.get(0).accessKeyId())
          : Optional.empty();
    }
  }

  /** Works out what rotating a key of {@code iamUser} (or the actor's only user) takes. */
  public Plan plan(String actor, Optional<String> iamUser, boolean lost) {
    String user = iamUser.orElseGet(() -> onlyUserOf(actor));
    checkRotator(user, actor);
    List<AccessKeyInfo> keys = iam.listAccessKeys(user);
    return new Plan(user, keys, lost, RotationWorkflow.step(keys));
  }

  /** Deletes a key to free a slot before rotating; the click carried a confirmation. */
  public Plan deleteToMakeRoom(String actor, String iamUser, String keyId, boolean lost) {
    checkRotator(iamUser, actor);
    RotationWorkflow.checkDeletableForRoom(iamUser, iam.listAccessKeys(iamUser), keyId);
    iam.deleteAccessKey(iamUser, keyId);
    context
        .workflow()
        .audit()
        .record(
            clock.instant(),
            null,
            actor,
            AuditAction.KEYS_DELETED,
            Map.of("iamUser", iamUser, "accessKeyId", keyId));
    return plan(actor, Optional.of(iamUser), lost);
  }

  /**
   * The owner clicked Rotate on the ephemeral prompt: mint the new key, show it once through that
   * click's {@code responseUrl}, and start the grace period (or, for a lost key, deactivate the old
   * one at once). Where rotations need approval and none is given yet, asks for it instead.
   */
  public Rotation rotate(
      String actor, String iamUser, @Nullable String oldKeyId, boolean lost, String responseUrl) {
    checkRotator(iamUser, actor);
    RotationWorkflow.checkUnchanged(iamUser, iam.listAccessKeys(iamUser), oldKeyId);
    // Held from before MINTING until the key is shown (or undone), so no replica deletes a key
    // being minted as one a stop left behind.
    Leases leases = context.workflow().leases();
    String lease = mintLease(iamUser);
    if (!leases.tryHold(lease)) {
      throw new Refusal(Reason.USER_ROTATION_UNDER_WAY, iamUser);
    }
    try {
      Optional<Rotation> minting = startMinting(actor, iamUser, oldKeyId, lost);
      if (minting.isEmpty()) {
        return approval.request(actor, iamUser, oldKeyId, lost);
      }
      IamGateway.NewAccessKey key = mint(minting.get());
      show(minting.get(), key, responseUrl);
      return revealed(minting.get(), key.accessKeyId(), actor);
    } finally {
      leases.release(lease);
    }
  }

  /** One key is minted at a time per IAM user (whose names ignore case). */
  private static String mintLease(String iamUser) {
    return "mint:" + iamUser.toLowerCase(Locale.ROOT);
  }

  /**
   * After a stop: a rotation cut off between minting and showing leaves a key nobody saw; delete
   * it. The user had exactly the old key (or none) when the rotation started. A rotation minting
   * now, on this replica or another that lives, holds its lease and is left alone; so this may run
   * at any time, on any replica.
   */
  public void recoverInterrupted() {
    Leases leases = context.workflow().leases();
    for (Rotation r : rotations.findByState(RotationState.MINTING)) {
      String lease = mintLease(r.iamUser());
      if (!leases.tryHold(lease)) {
        continue; // minting now, not interrupted
      }
      try {
        Optional<Rotation> now = rotations.find(r.id());
        if (now.isPresent() && now.get().state() == RotationState.MINTING) {
          log.info("rotation {}: deleting the new key of a rotation a stop interrupted", r.id());
          undoMint(now.get(), "interrupted by restart");
        }
      } finally {
        leases.release(lease);
      }
    }
  }

  /** The rotation that mints now, or empty when it must be approved first. */
  private Optional<Rotation> startMinting(
      String actor, String iamUser, @Nullable String oldKeyId, boolean lost) {
    Instant now = clock.instant();
    if (context.settings().rotationNeedsApproval()) {
      Optional<Rotation> approved =
          rotations.findByState(RotationState.APPROVED).stream()
              .filter(r -> RotationWorkflow.approvedFor(r, iamUser, oldKeyId, lost))
              .findFirst();
      if (approved.isEmpty()) {
        return Optional.empty();
      }
      Rotation minting = RotationWorkflow.startMinting(approved.get(), now);
      if (!transitions.move(rotations, RotationState.APPROVED, minting).commit()) {
        throw new Refusal(Reason.ROTATION_UNDER_WAY);
      }
      return Optional.of(minting);
    }
    Rotation minting =
        Rotation.start(ids.get(), iamUser, actor, oldKeyId, lost, RotationState.MINTING, now);
    // The store refuses a second MINTING rotation of the same user: a double click mints once.
    if (!transitions.change(minting.id(), () -> rotations.insert(minting)).commit()) {
      throw new Refusal(Reason.USER_ROTATION_UNDER_WAY, iamUser);
    }
    return Optional.of(minting);
  }

  private IamGateway.NewAccessKey mint(Rotation minting) {
    IamGateway.NewAccessKey key;
    try {
      key = iam.createAccessKey(minting.iamUser());
    } catch (IamException e) {
      context.finish(minting, RotationState.CANCELLED, "CreateAccessKey failed: " + e.errorCode());
      throw new Refusal(Reason.NEW_KEY_NOT_MINTED, e.getMessage());
    }
    context.auditIamCall(minting, AuditAction.IAM_CREATE_ACCESS_KEY, key.accessKeyId());
    return key;
  }

  private void show(Rotation minting, IamGateway.NewAccessKey key, String responseUrl) {
    Credentials credentials =
        new Credentials(
            minting.iamUser(),
            Optional.of(key.accessKeyId()),
            Optional.of(key.secretAccessKey()),
            Optional.empty(),
            Optional.empty());
    try {
      reveal.show(minting.id(), minting.ownerId(), responseUrl, credentials);
    } catch (RuntimeException e) {
      log.warn(
          "rotation {}: could not show the new key: {}",
          minting.id(),
          e.getClass().getSimpleName());
      undoMint(minting, "show failed");
      throw new Refusal(Reason.NEW_KEY_NOT_SHOWN);
    }
  }

  /** The new key is on the owner's screen: its state, audit event and next job, together. */
  private Rotation revealed(Rotation minting, String newKeyId, String actor) {
    Instant now = clock.instant();
    Rotation shown = RotationWorkflow.revealed(minting, newKeyId, now);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", shown.iamUser());
    details.put("newKeyId", newKeyId);
    details.put("oldKeyId", Objects.toString(shown.oldKeyId(), "none"));
    details.put("lost", Boolean.toString(shown.lost()));
    Transitions.Change change =
        transitions
            .move(rotations, RotationState.MINTING, shown)
            .audited(actor, AuditAction.KEYS_ROTATED, details);
    Instant deactivateAt = now.plus(context.settings().rotationGracePeriod());
    if (shown.state() == RotationState.GRACE) {
      change
          .schedule(RotationJobs.DEACTIVATE_OLD, deactivateAt)
          .tell(
              () ->
                  context
                      .notifier()
                      .rotationGracePeriod(
                          shown.id(),
                          shown.iamUser(),
                          shown.replacedKey(),
                          newKeyId,
                          actor,
                          deactivateAt));
    }
    change.commitOrThrow();
    if (shown.state() == RotationState.OLD_DEACTIVATED) {
      jobs.deactivateOld(shown, actor);
    }
    return shown;
  }

  private void undoMint(Rotation r, String why) {
    for (AccessKeyInfo key : iam.listAccessKeys(r.iamUser())) {
      if (!key.accessKeyId().equals(r.oldKeyId())) {
        iam.deleteAccessKey(r.iamUser(), key.accessKeyId());
        context.auditIamCall(r, AuditAction.IAM_DELETE_ACCESS_KEY, key.accessKeyId());
      }
    }
    context.finish(r, RotationState.CANCELLED, why);
  }

  private String onlyUserOf(String actor) {
    List<String> owned = context.ownership().usersOwnedBy(actor);
    if (owned.isEmpty()) {
      throw new Refusal(Reason.OWNS_NO_USER);
    }
    if (owned.size() > 1) {
      throw new Refusal(Reason.OWNS_SEVERAL_USERS, String.join(", ", owned));
    }
    return owned.get(0);
  }

  private void checkRotator(String iamUser, String actor) {
    Optional<String> owner = context.ownership().checkMayActOn(iamUser, actor);
    RotationWorkflow.checkRotator(iamUser, owner, actor);
  }
}
