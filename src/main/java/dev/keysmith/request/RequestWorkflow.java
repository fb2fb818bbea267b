package dev.keysmith.request;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The rules of an access request's life, as pure functions: each takes the current request and who
 * acts, and returns the next request or throws {@link Refusal}. Nothing here does I/O.
 */
public final class RequestWorkflow {
  /** The decisions an approver makes, as {@link Reason#NOT_APPROVER} and its kin name them. */
  public static final String APPROVE = "APPROVE";

  public static final String DENY = "DENY";

  private RequestWorkflow() {}

  /**
   * An approver approves; never the requester or the owner, each approver once, and only while
   * PENDING. The request is APPROVED once its quorum of distinct approvers has approved; before
   * that it stays PENDING with one more approval.
   */
  public static AccessRequest approve(
      AccessRequest r, String actor, boolean actorIsApprover, Instant now) {
    checkDecider(r, actor, actorIsApprover, APPROVE);
    if (r.approvedBy(actor)) {
      throw new Refusal(
          Reason.ALREADY_APPROVED_BY_YOU,
          r.id(),
          String.valueOf(r.approvals().size()),
          String.valueOf(r.quorum()));
    }
    AccessRequest counted = r.withApproval(actor, now);
    return counted.approvals().size() >= r.quorum()
        ? counted.withDecision(RequestState.APPROVED, actor, null, now)
        : counted;
  }

  /**
   * The requester breaks the glass: approves their own request at once, in an emergency the group's
   * policy allows; the request is audited and posted as such.
   */
  public static AccessRequest breakGlass(AccessRequest r, Instant now) {
    requireState(r, RequestState.PENDING);
    return r.withApproval(r.requesterId(), now)
        .withDecision(RequestState.APPROVED, r.requesterId(), null, now);
  }

  /**
   * The group's policy approves a request at once; {@code by} names the policy in the audit trail
   * and on the approvals message.
   */
  public static AccessRequest autoApprove(AccessRequest r, String by, Instant now) {
    requireState(r, RequestState.PENDING);
    return r.withDecision(RequestState.APPROVED, by, null, now);
  }

  /** A PENDING request that could not be posted for approval ends; {@code why} says so. */
  public static AccessRequest unannounced(AccessRequest r, String why, Instant now) {
    requireState(r, RequestState.PENDING);
    return r.withOutcome(RequestState.FAILED, why, now);
  }

  /** An approver denies with a reason, only while PENDING. */
  public static AccessRequest deny(
      AccessRequest r, String actor, boolean actorIsApprover, String reason, Instant now) {
    if (!actorIsApprover) {
      throw new Refusal(Reason.NOT_APPROVER, DENY);
    }
    requirePending(r);
    String why = reason == null || reason.isBlank() ? "No reason given." : reason.strip();
    return r.withDecision(RequestState.DENIED, actor, why, now);
  }

  /** The requester withdraws a request nobody has decided yet (posted or not); nobody else may. */
  public static AccessRequest cancel(AccessRequest r, String actor, Instant now) {
    if (!actor.equals(r.requesterId())) {
      throw new Refusal(Reason.NOT_REQUESTER, r.id());
    }
    if (r.state() != RequestState.PENDING) {
      throw alreadyDecided(r);
    }
    return r.withDecision(RequestState.CANCELLED, actor, "Cancelled by the requester.", now);
  }

  /** A PENDING request stops for a reason outside it (its requester or owner left). */
  public static AccessRequest stop(AccessRequest r, String why, Instant now) {
    requireState(r, RequestState.PENDING);
    return r.withDecision(RequestState.CANCELLED, AuditEvent.SYSTEM, why, now);
  }

  /** Nobody decided a PENDING request within {@code lifetime}: it expires, undecided. */
  public static AccessRequest expireUndecided(AccessRequest r, String lifetime, Instant now) {
    requireState(r, RequestState.PENDING);
    return r.withOutcome(
        RequestState.EXPIRED, "Nobody decided it within " + lifetime + ", so it expired.", now);
  }

  /** An approved extension was applied: the user's end moved to its new one. */
  public static AccessRequest extended(AccessRequest r, Instant now) {
    requireState(r, RequestState.APPROVED);
    if (!r.isExtension()) {
      throw new IllegalStateException("request " + r.id() + " creates a user; it extends none");
    }
    return r.withState(RequestState.EXTENDED, now);
  }

  /** Provisioning finished: the owner may reveal credentials until {@code now + offerLifetime}. */
  public static AccessRequest provisioned(AccessRequest r, Duration offerLifetime, Instant now) {
    requireState(r, RequestState.APPROVED);
    return r.withOffer(now.plus(offerLifetime), now);
  }

  /** Provisioning failed; {@code why} is the IAM error in plain words. */
  public static AccessRequest failed(AccessRequest r, String why, Instant now) {
    requireState(r, RequestState.APPROVED);
    return r.withOutcome(RequestState.FAILED, why, now);
  }

  /**
   * The owner may see the offer (and ask to reveal). Refuses anyone but the owner, a second reveal
   * and an expired offer.
   */
  public static void checkRevealable(AccessRequest r, String actor, Instant now) {
    if (!r.ownerId().equals(actor)) {
      throw new Refusal(Reason.NOT_CREDENTIALS_OWNER, r.ownerId());
    }
    switch (r.state()) {
      case PROVISIONED -> {
        if (isOfferExpired(r, now)) {
          throw new Refusal(Reason.OFFER_EXPIRED, r.iamUserName());
        }
      }
      case REVEALING -> throw new Refusal(Reason.REVEAL_UNDER_WAY);
      case REVEALED -> throw new Refusal(Reason.ALREADY_REVEALED);
      case EXPIRED -> throw new Refusal(Reason.OFFER_EXPIRED, r.iamUserName());
      default -> throw new Refusal(Reason.NOTHING_TO_REVEAL, r.id());
    }
  }

  /** The owner reveals: PROVISIONED → REVEALING while the credentials are minted and shown. */
  public static AccessRequest startReveal(AccessRequest r, String actor, Instant now) {
    checkRevealable(r, actor, now);
    return r.withState(RequestState.REVEALING, now);
  }

  /** The credentials reached the owner's screen. */
  public static AccessRequest revealed(AccessRequest r, Instant now) {
    requireState(r, RequestState.REVEALING);
    return r.withRevealed(now);
  }

  /** Minting or showing did not complete; what was minted is gone, the offer stands again. */
  public static AccessRequest revealUndone(AccessRequest r, Instant now) {
    requireState(r, RequestState.REVEALING);
    return r.withState(RequestState.PROVISIONED, now);
  }

  /** The offer ran out before the owner revealed it. */
  public static AccessRequest expire(AccessRequest r, Instant now) {
    requireState(r, RequestState.PROVISIONED);
    return r.withOutcome(RequestState.EXPIRED, "The offer expired before it was revealed.", now);
  }

  /** Whether the reveal offer of {@code r} has run out at {@code now}. */
  public static boolean isOfferExpired(AccessRequest r, Instant now) {
    return r.offerExpiresAt() != null && !now.isBefore(r.offerExpiresAt());
  }

  private static void checkDecider(
      AccessRequest r, String actor, boolean actorIsApprover, String decision) {
    if (!actorIsApprover) {
      throw new Refusal(Reason.NOT_APPROVER, decision);
    }
    if (actor.equals(r.requesterId())) {
      throw new Refusal(Reason.REQUESTER_DECIDES, decision);
    }
    if (actor.equals(r.ownerId())) {
      throw new Refusal(Reason.OWNER_DECIDES, decision);
    }
    requirePending(r);
  }

  /** A decision needs a PENDING request whose approvals message is stored. */
  private static void requirePending(AccessRequest r) {
    if (r.state() != RequestState.PENDING) {
      throw alreadyDecided(r);
    }
    if (r.approvalTs() == null) {
      // Decisions come from the approvals message, which is stored right after it is posted.
      throw new Refusal(Reason.NOT_YET_POSTED, r.id());
    }
  }

  /** Why a request that is no longer PENDING cannot be decided again: what became of it. */
  static Refusal alreadyDecided(AccessRequest r) {
    String decidedBy = Objects.toString(r.decidedBy(), "");
    return switch (r.state()) {
      case FAILED -> new Refusal(Reason.REQUEST_FAILED, r.id(), decidedBy);
      case EXPIRED ->
          r.decidedBy() == null
              ? new Refusal(Reason.REQUEST_EXPIRED_UNDECIDED, r.id())
              : new Refusal(Reason.REQUEST_EXPIRED, r.id(), decidedBy);
      case CANCELLED ->
          r.requesterId().equals(r.decidedBy())
              ? new Refusal(Reason.REQUEST_CANCELLED, r.id())
              : new Refusal(Reason.REQUEST_STOPPED, r.id());
      default -> new Refusal(Reason.ALREADY_DECIDED, r.id(), r.state().name(), decidedBy);
    };
  }

  private static void requireState(AccessRequest r, RequestState expected) {
    if (r.state() != expected) {
      throw new IllegalStateException(
          "request " + r.id() + " is " + r.state() + ", expected " + expected);
    }
  }
}
