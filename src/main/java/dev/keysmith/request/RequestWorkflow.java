package dev.keysmith.request;

import dev.keysmith.core.Refusal;
import java.time.Duration;
import java.time.Instant;

/**
 * The rules of an access request's life, as pure functions: each takes the current request and who
 * acts, and returns the next request or throws {@link Refusal}. Nothing here does I/O.
 */
public final class RequestWorkflow {
  private RequestWorkflow() {}

  /** An approver approves; never the requester or the owner, and only while PENDING. */
  public static AccessRequest approve(
      AccessRequest r, String actor, boolean actorIsApprover, Instant now) {
    checkDecider(r, actor, actorIsApprover, "approve");
    return r.withDecision(RequestState.APPROVED, actor, null, now);
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
      throw new Refusal("Only Keysmith approvers can deny requests.");
    }
    requirePending(r);
    String why = reason == null || reason.isBlank() ? "No reason given." : reason.strip();
    return r.withDecision(RequestState.DENIED, actor, why, now);
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
      throw new Refusal(
          "Only the owner of these credentials, <@" + r.ownerId() + ">, can reveal them.");
    }
    switch (r.state()) {
      case PROVISIONED -> {
        if (isOfferExpired(r, now)) {
          throw new Refusal(
              "This offer expired. Ask an approver for new credentials for `"
                  + r.iamUserName()
                  + "`.");
        }
      }
      case REVEALING -> throw new Refusal("These credentials are being revealed right now.");
      case REVEALED ->
          throw new Refusal(
              "These credentials were already revealed, and Keysmith never shows a secret twice. "
                  + "If you lost them, rotate the access key instead.");
      case EXPIRED ->
          throw new Refusal(
              "This offer expired. Ask an approver for new credentials for `"
                  + r.iamUserName()
                  + "`.");
      default -> throw new Refusal("Request " + r.id() + " has no credentials to reveal.");
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
      AccessRequest r, String actor, boolean actorIsApprover, String verb) {
    if (!actorIsApprover) {
      throw new Refusal("Only Keysmith approvers can " + verb + " requests.");
    }
    if (actor.equals(r.requesterId())) {
      throw new Refusal("You asked for this user, so someone else has to " + verb + " it.");
    }
    if (actor.equals(r.ownerId())) {
      throw new Refusal("You would own this user, so someone else has to " + verb + " it.");
    }
    requirePending(r);
  }

  /** A decision needs a PENDING request whose approvals message is stored. */
  private static void requirePending(AccessRequest r) {
    if (r.state() != RequestState.PENDING) {
      throw new Refusal(alreadyDecided(r));
    }
    if (r.approvalTs() == null) {
      // Decisions come from the approvals message, which is stored right after it is posted.
      throw new Refusal("Request " + r.id() + " is still being posted for approval; try again.");
    }
  }

  /** Why a request that is no longer PENDING cannot be decided again. */
  static String alreadyDecided(AccessRequest r) {
    String by = r.decidedBy() == null ? "" : " by <@" + r.decidedBy() + ">";
    return switch (r.state()) {
      case DENIED -> "Request " + r.id() + " was already denied" + by + ".";
      case PENDING -> "Request " + r.id() + " is still pending.";
      default -> "Request " + r.id() + " was already approved" + by + ".";
    };
  }

  private static void requireState(AccessRequest r, RequestState expected) {
    if (r.state() != expected) {
      throw new IllegalStateException(
          "request " + r.id() + " is " + r.state() + ", expected " + expected);
    }
  }
}
