package dev.keysmith.rotation;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.KeyLastUsed;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The rules of a key rotation's life, as pure functions: each takes the current rotation (or what
 * IAM said) and who acts, and returns the next rotation, a decision, or throws {@link Refusal}.
 * Nothing here does I/O.
 */
public final class RotationWorkflow {
  private RotationWorkflow() {}

  /** What a rotation of one user's key needs first. */
  public enum Step {
    /** Ready: one key (or none) to replace. */
    READY,
    /** Both key slots are taken and one key is inactive: delete it first (confirmed). */
    DELETE_INACTIVE_FIRST,
    /** Both key slots are taken by active keys: the owner picks one to delete (confirmed). */
    CHOOSE_KEY_TO_DELETE
  }

  /** What the old key's grace period ends in. */
  public enum GraceEnd {
    /** The old key was used after the new one was shown: wait once more, and say where. */
    POSTPONE,
    /** Deactivate the old key now. */
    DEACTIVATE
  }

  /** What the deletion of a deactivated old key comes to. */
  public enum Deletion {
    /** The old key is gone already. */
    OLD_KEY_GONE,
    /** The owner reactivated the old key: it stays, and the rotation ends. */
    KEEP_REACTIVATED,
    /** Delete the old key. */
    DELETE
  }

  /** What rotating a user with {@code keys} needs first; IAM allows two keys a user. */
  public static Step step(List<AccessKeyInfo> keys) {
    if (keys.size() < 2) {
      return Step.READY;
    }
    return keys.stream().anyMatch(k -> !k.active())
        ? Step.DELETE_INACTIVE_FIRST
        : Step.CHOOSE_KEY_TO_DELETE;
  }

  /**
   * Only the owner rotates: the new secret is shown to whoever rotates, and only to them. {@code
   * owner} is the owner tag read from IAM now.
   */
  public static void checkRotator(String iamUser, Optional<String> owner, String actor) {
    if (owner.isEmpty()) {
      throw new Refusal(Reason.NO_OWNER_TO_ROTATE, iamUser);
    }
    if (!owner.get().equals(actor)) {
      throw new Refusal(Reason.ONLY_OWNER_ROTATES, iamUser);
    }
  }

  /** The keys are still what the owner saw when asked to rotate: {@code oldKeyId} or none. */
  public static void checkUnchanged(
      String iamUser, List<AccessKeyInfo> keys, @Nullable String oldKeyId) {
    List<String> ids = keys.stream().map(AccessKeyInfo::accessKeyId).toList();
    if (!ids.equals(oldKeyId == null ? List.of() : List.of(oldKeyId))) {
      throw new Refusal(Reason.KEYS_CHANGED, iamUser);
    }
  }

  /** A key may be deleted to make room only while it is there and both slots are taken. */
  public static void checkDeletableForRoom(String iamUser, List<AccessKeyInfo> keys, String keyId) {
    if (keys.stream().noneMatch(k -> k.accessKeyId().equals(keyId))) {
      throw new Refusal(Reason.KEY_GONE, keyId, iamUser);
    }
    if (keys.size() < 2) {
      throw new Refusal(Reason.FREE_KEY_SLOT, iamUser);
    }
  }

  /** Whether {@code r} is the approved rotation of {@code iamUser} the owner now asks for. */
  public static boolean approvedFor(
      Rotation r, String iamUser, @Nullable String oldKeyId, boolean lost) {
    return r.state() == RotationState.APPROVED
        && r.iamUser().equals(iamUser)
        && Objects.equals(r.oldKeyId(), oldKeyId)
        && r.lost() == lost;
  }

  /** An approved rotation starts minting. */
  public static Rotation startMinting(Rotation approved, Instant now) {
    requireState(approved, RotationState.APPROVED);
    return approved.moved(RotationState.MINTING, now);
  }

  /** An approver (never the owner) decides a rotation waiting for approval. */
  public static Rotation decide(
      Rotation r, String approver, boolean approverIsApprover, boolean approve, Instant now) {
    if (!approverIsApprover) {
      throw new Refusal(Reason.ROTATION_NEEDS_APPROVER);
    }
    if (approver.equals(r.ownerId())) {
      throw new Refusal(Reason.OWNER_DECIDES_ROTATION, r.iamUser());
    }
    if (r.state() != RotationState.AWAITING_APPROVAL) {
      throw new Refusal(
          Reason.ROTATION_ALREADY_DECIDED,
          r.id(),
          r.state().name(),
          Objects.toString(r.decidedBy(), ""));
    }
    if (r.approvalTs() == null) {
      // Decisions come from the approvals message, which is stored right after it is posted.
      throw new Refusal(Reason.ROTATION_NOT_YET_POSTED, r.id());
    }
    return r.decided(approve ? RotationState.APPROVED : RotationState.DENIED, approver, now);
  }

  /**
   * The new key reached the owner's screen: done when there was no old key, the old key's
   * deactivation next when it was lost, else its grace period.
   */
  public static Rotation revealed(Rotation minting, String newKeyId, Instant now) {
    requireState(minting, RotationState.MINTING);
    RotationState next =
        minting.oldKeyId() == null
            ? RotationState.DONE
            : minting.lost() ? RotationState.OLD_DEACTIVATED : RotationState.GRACE;
    return minting.revealed(newKeyId, next, now);
  }

  /** The owner (or an approver) deactivates the old key before its grace period is over. */
  public static Rotation deactivateNow(Rotation r, Instant now) {
    if (r.state() != RotationState.GRACE) {
      throw new Refusal(Reason.OLD_KEY_NOT_WAITING);
    }
    return r.moved(RotationState.OLD_DEACTIVATED, now);
  }

  /**
   * The grace period is over: deactivate the old key, unless it was used after the new key was
   * revealed, which postpones the deactivation once.
   */
  public static GraceEnd afterGrace(Rotation r, AccessKeyInfo oldKey, KeyLastUsed oldKeyUse) {
    requireState(r, RotationState.GRACE);
    boolean usedSinceReveal = oldKeyUse.at().filter(at -> at.isAfter(r.revealedAt())).isPresent();
    return !r.postponed() && oldKey.active() && usedSinceReveal
        ? GraceEnd.POSTPONE
        : GraceEnd.DEACTIVATE;
  }

  /** The deactivated old key has waited long enough: delete it, unless its owner reactivated it. */
  public static Deletion deletion(Rotation r, Optional<AccessKeyInfo> oldKey) {
    requireState(r, RotationState.OLD_DEACTIVATED);
    if (oldKey.isEmpty()) {
      return Deletion.OLD_KEY_GONE;
    }
    return oldKey.get().active() ? Deletion.KEEP_REACTIVATED : Deletion.DELETE;
  }

  private static void requireState(Rotation r, RotationState expected) {
    if (r.state() != expected) {
      throw new IllegalStateException(
          "rotation " + r.id() + " is " + r.state() + ", expected " + expected);
    }
  }
}
