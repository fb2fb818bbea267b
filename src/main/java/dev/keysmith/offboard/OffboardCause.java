package dev.keysmith.offboard;

/** Why an IAM user is being offboarded. */
public enum OffboardCause {
  /** Its owner deleted it ({@code /iam delete-user}). */
  OWNER,
  /** An approver deleted it ({@code /iam delete-user}). */
  APPROVER,
  /** Its time ran out (a time-bound user). */
  EXPIRED,
  /** Its owner left the company. */
  OWNER_LEFT,
  /** The break-glass access it was made for ended. */
  BREAK_GLASS_ENDED
}
