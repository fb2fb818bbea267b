package dev.keysmith.request;

/**
 * Where an access request is in its life: PENDING → APPROVED → PROVISIONED → REVEALING → REVEALED.
 * A PENDING request may instead be DENIED, CANCELLED by its requester, or EXPIRED undecided. An
 * extension of a time-bound user goes PENDING → APPROVED → EXTENDED.
 */
public enum RequestState {
  PENDING,
  APPROVED,
  PROVISIONED,
  REVEALING,
  REVEALED,
  DENIED,
  FAILED,
  EXPIRED,
  /** The requester withdrew it before anyone decided. */
  CANCELLED,
  /** An extension of a time-bound user, approved and applied: the user's end moved. */
  EXTENDED;

  /** Whether no further transition can happen from this state. */
  public boolean isFinal() {
    return this == REVEALED
        || this == DENIED
        || this == FAILED
        || this == EXPIRED
        || this == CANCELLED
        || this == EXTENDED;
  }

  /** Whether a request in this state still holds on to its IAM user name. */
  public boolean claimsUserName() {
    return this == PENDING || this == APPROVED;
  }
}
