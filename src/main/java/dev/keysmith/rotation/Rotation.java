package dev.keysmith.rotation;

import java.time.Instant;
import java.util.Objects;

/**
 * One rotation of an IAM user's access key, from minting the new key to deleting the old one.
 *
 * @param oldKeyId the key being replaced, or null when the user had none
 * @param newKeyId the new key, once minted
 * @param lost the owner lost the old secret: the old key is deactivated at once
 * @param postponed the deactivation already waited once because the old key was still in use
 * @param decidedBy the approver who approved or denied, where rotations need approval
 * @param approvalTs the approvals-channel message of the rotation, where it needs approval
 */
public record Rotation(
    String id,
    String iamUser,
    String ownerId,
    String oldKeyId,
    String newKeyId,
    boolean lost,
    RotationState state,
    Instant startedAt,
    Instant revealedAt,
    boolean postponed,
    String decidedBy,
    String approvalChannel,
    String approvalTs,
    Instant updatedAt) {

  public Rotation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(iamUser, "iamUser");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A new rotation in {@code state}: MINTING, or AWAITING_APPROVAL where approval is needed. */
  static Rotation start(
      String id,
      String iamUser,
      String ownerId,
      String oldKeyId,
      boolean lost,
      RotationState state,
      Instant now) {
    return new Rotation(
        id, iamUser, ownerId, oldKeyId, null, lost, state, now, null, false, null, null, null, now);
  }

  /** The new key reached the owner's screen. */
  Rotation revealed(String newKey, RotationState next, Instant now) {
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        newKey,
        lost,
        next,
        startedAt,
        now,
        postponed,
        decidedBy,
        approvalChannel,
        approvalTs,
        now);
  }

  /** The rotation moved on to {@code next}. */
  Rotation moved(RotationState next, Instant now) {
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        newKeyId,
        lost,
        next,
        startedAt,
        revealedAt,
        postponed,
        decidedBy,
        approvalChannel,
        approvalTs,
        now);
  }

  /** An approver decided. */
  Rotation decided(RotationState next, String approver, Instant now) {
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        newKeyId,
        lost,
        next,
        startedAt,
        revealedAt,
        postponed,
        approver,
        approvalChannel,
        approvalTs,
        now);
  }

  /** The rotation with its approvals message recorded. */
  Rotation withApprovalMessage(String channel, String ts) {
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        newKeyId,
        lost,
        state,
        startedAt,
        revealedAt,
        postponed,
        decidedBy,
        channel,
        ts,
        updatedAt);
  }

  /** The deactivation waits once more, because the old key was still in use. */
  Rotation postponedOnce(Instant now) {
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        newKeyId,
        lost,
        state,
        startedAt,
        revealedAt,
        true,
        decidedBy,
        approvalChannel,
        approvalTs,
        now);
  }
}
