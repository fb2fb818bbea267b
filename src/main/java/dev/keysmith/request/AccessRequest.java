package dev.keysmith.request;

import java.time.Instant;
import java.util.Objects;

/**
 * One request for an IAM user, from submission to the owner's one-time reveal. Immutable: every
 * transition returns a new record.
 *
 * @param id short id shown to people, e.g. {@code KS-4F7Q2M}
 * @param approvalChannel channel of the approvals message, once posted
 * @param approvalTs timestamp of the approvals message, once posted
 * @param decidedBy Slack id of the approver who approved or denied
 * @param outcome deny reason or failure text, in plain words; never a secret
 * @param offerExpiresAt until when the owner may reveal the credentials
 */
public record AccessRequest(
    String id,
    RequestState state,
    String iamUserName,
    String groupName,
    AccessType accessType,
    String ownerId,
    String requesterId,
    String justification,
    Instant createdAt,
    Instant updatedAt,
    String approvalChannel,
    String approvalTs,
    String decidedBy,
    Instant decidedAt,
    String outcome,
    Instant offerExpiresAt,
    Instant revealedAt) {

  public AccessRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(iamUserName, "iamUserName");
    Objects.requireNonNull(groupName, "groupName");
    Objects.requireNonNull(accessType, "accessType");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(requesterId, "requesterId");
    Objects.requireNonNull(justification, "justification");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A new PENDING request. */
  public static AccessRequest pending(
      String id, RequestForm form, String requesterId, Instant now) {
    return new AccessRequest(
        id,
        RequestState.PENDING,
        form.iamUserName(),
        form.groupName(),
        form.accessType(),
        form.ownerId(),
        requesterId,
        form.justification(),
        now,
        now,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** This request moved to {@code next} at {@code now}. */
  public AccessRequest withState(RequestState next, Instant now) {
    return new AccessRequest(
        id,
        next,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        now,
        approvalChannel,
        approvalTs,
        decidedBy,
        decidedAt,
        outcome,
        offerExpiresAt,
        revealedAt);
  }

  /** This request with its approvals message recorded. */
  public AccessRequest withApprovalMessage(String channel, String ts) {
    return new AccessRequest(
        id,
        state,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        updatedAt,
        channel,
        ts,
        decidedBy,
        decidedAt,
        outcome,
        offerExpiresAt,
        revealedAt);
  }

  /** This request decided by {@code approver}. */
  public AccessRequest withDecision(RequestState next, String approver, String why, Instant now) {
    return new AccessRequest(
        id,
        next,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        now,
        approvalChannel,
        approvalTs,
        approver,
        now,
        why,
        offerExpiresAt,
        revealedAt);
  }

  /** This request ended with {@code why} (a failure or expiry text). */
  public AccessRequest withOutcome(RequestState next, String why, Instant now) {
    return new AccessRequest(
        id,
        next,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        now,
        approvalChannel,
        approvalTs,
        decidedBy,
        decidedAt,
        why,
        offerExpiresAt,
        revealedAt);
  }

  /** This request provisioned, its credentials on offer until {@code expiresAt}. */
  public AccessRequest withOffer(Instant expiresAt, Instant now) {
    return new AccessRequest(
        id,
        RequestState.PROVISIONED,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        now,
        approvalChannel,
        approvalTs,
        decidedBy,
        decidedAt,
        outcome,
        expiresAt,
        revealedAt);
  }

  /** This request's credentials shown to the owner at {@code now}. */
  public AccessRequest withRevealed(Instant now) {
    return new AccessRequest(
        id,
        RequestState.REVEALED,
        iamUserName,
        groupName,
        accessType,
        ownerId,
        requesterId,
        justification,
        createdAt,
        now,
        approvalChannel,
        approvalTs,
        decidedBy,
        decidedAt,
        outcome,
        offerExpiresAt,
        now);
  }
}
