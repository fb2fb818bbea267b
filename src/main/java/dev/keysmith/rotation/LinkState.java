package dev.keysmith.rotation;

/**
 * Where a link request is: PENDING → APPROVED (the owner tag being written) → LINKED; or DENIED,
 * EXPIRED (nobody decided in time), CANCELLED (it could not be posted, or a check failed when it
 * was approved) or FAILED (IAM refused the tag).
 */
public enum LinkState {
  PENDING,
  APPROVED,
  LINKED,
  DENIED,
  EXPIRED,
  CANCELLED,
  FAILED
}
