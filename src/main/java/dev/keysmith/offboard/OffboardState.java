package dev.keysmith.offboard;

/**
 * Where an offboarding is: PLANNED (accepted, nothing removed yet) → RUNNING (removing, step by
 * step) → DONE (the user is gone); or FAILED (IAM refused a step for good).
 */
public enum OffboardState {
  PLANNED,
  RUNNING,
  DONE,
  FAILED
}
