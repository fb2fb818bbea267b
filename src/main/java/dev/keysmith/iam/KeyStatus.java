package dev.keysmith.iam;

/** Whether an access key works: IAM's {@code Active} or {@code Inactive}. */
public enum KeyStatus {
  ACTIVE,
  INACTIVE;

  /** Whether calls signed with a key in this status are accepted. */
  public boolean active() {
    return this == ACTIVE;
  }
}
