package dev.keysmith.rotation;

/**
 * Where a key rotation is: (AWAITING_APPROVAL → APPROVED, where rotations need approval) → MINTING
 * → GRACE (new key shown, old still active) → OLD_DEACTIVATED → DONE (old deleted); or DENIED, or
 * CANCELLED (nothing to finish, or the owner kept the old key).
 */
public enum RotationState {
  AWAITING_APPROVAL,
  APPROVED,
  DENIED,
  MINTING,
  GRACE,
  OLD_DEACTIVATED,
  DONE,
  CANCELLED
}
