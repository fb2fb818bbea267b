package dev.keysmith.rotation;

/**
 * Where a key rotation is: MINTING → GRACE (new key shown, old still active) → OLD_DEACTIVATED →
 * DONE (old deleted); or CANCELLED (nothing to finish, or the owner kept the old key).
 */
public enum RotationState {
  MINTING,
  GRACE,
  OLD_DEACTIVATED,
  DONE,
  CANCELLED
}
