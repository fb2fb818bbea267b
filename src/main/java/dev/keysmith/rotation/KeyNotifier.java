package dev.keysmith.rotation;

import java.time.Instant;

/**
 * Tells people in Slack what happened to their access keys. Never given a secret. Like {@code
 * request.Notifier}, it only leaves messages in the outbox, inside the transaction of the change it
 * reports.
 */
public interface KeyNotifier {
  /** The purpose of a rotation's approvals-channel message, which a receipt records. */
  String APPROVAL = "rotation.approval";

  /** The purpose of every other message about keys. */
  String NOTICE = "keys.notice";

  /**
   * Tells the approvals channel that {@code ownerId} left, what was done to each of their IAM users
   * ({@code done}: user to what was shut off), with Delete user and Reassign owner for each.
   */
  void ownerLeft(String ownerId, java.util.Map<String, String> done);

  /** Posts a rotation that needs approval to the approvals channel. */
  void rotationForApproval(Rotation rotation);

  /**
   * Tells the owner a rotation that needs approval could not be posted for it, so it ended and
   * nothing changed.
   */
  void rotationNotPosted(Rotation rotation);

  /** Updates the approvals message of a decided rotation and tells its owner. */
  void rotationDecided(Rotation rotation);

  /** A key was deactivated on purpose (the panic button): tells its owner and the approvers. */
  void keyDeactivated(String iamUser, String keyId, String ownerId, String actor);

  /**
   * After a rotation: the old key stays active until {@code deactivateAt}; the owner may deactivate
   * it sooner.
   */
  void rotationGracePeriod(
      String rotationId,
      String iamUser,
      String oldKeyId,
      String newKeyId,
      String ownerId,
      Instant deactivateAt);

  /** The old key was used after the new one was revealed, so its deactivation waits. */
  void oldKeyStillUsed(
      String iamUser, String oldKeyId, String ownerId, KeyUse lastUse, Instant postponedTo);

  /** The old key was deactivated after its grace period; it is deleted at {@code deleteAt}. */
  void oldKeyDeactivated(String iamUser, String oldKeyId, String ownerId, Instant deleteAt);

  /** The old key was deleted. */
  void oldKeyDeleted(String iamUser, String oldKeyId, String ownerId);

  /** A key is older than the maximum age: rotate it. */
  void keyTooOld(String iamUser, String keyId, String ownerId, long ageDays);

  /** A key has not been used for a long time: deactivate it if nothing needs it. */
  void keyUnused(String iamUser, String keyId, String ownerId, long unusedDays);

  /** Where and when a key was last used. */
  record KeyUse(Instant at, String service, String region) {}
}
