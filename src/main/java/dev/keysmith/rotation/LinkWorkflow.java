package dev.keysmith.rotation;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The rules of a link request's life, as pure functions: each takes the request (or what IAM says
 * of the user now) and who acts, and returns the next request or throws {@link Refusal}. Nothing
 * here does I/O.
 *
 * <p>Two people for every grant of access: a link is applied only when an approver who is neither
 * the one who asked nor the new owner approves it, and only while IAM still shows the user as it
 * was when the link was asked for.
 */
public final class LinkWorkflow {
  private LinkWorkflow() {}

  /**
   * A new PENDING request to make {@code ownerId} the owner of {@code target}. Anyone may ask; the
   * user must not be in a protected group nor already owned by {@code ownerId}.
   */
  public static LinkRequest ask(
      String id,
      LinkTarget target,
      String ownerId,
      String requesterId,
      Collection<String> protectedGroups,
      Instant now,
      Duration lifetime) {
    checkNotProtected(target, protectedGroups);
    if (target.owner().filter(ownerId::equals).isPresent()) {
      throw new Refusal(Reason.LINK_ALREADY_OWNER, target.iamUser(), ownerId);
    }
    return LinkRequest.pending(id, target, ownerId, requesterId, now, now.plus(lifetime));
  }

  /**
   * An approver approves: never the one who asked, never the new owner, only while PENDING, posted
   * and not expired. IAM is checked again with {@link #checkStillLinkable} before this commits.
   */
  public static LinkRequest approve(
      LinkRequest r, String actor, boolean actorIsApprover, Instant now) {
    if (!actorIsApprover) {
      throw new Refusal(Reason.LINK_NEEDS_APPROVER);
    }
    if (actor.equals(r.requesterId())) {
      throw new Refusal(Reason.LINK_REQUESTER_DECIDES, r.iamUser());
    }
    if (actor.equals(r.ownerId())) {
      throw new Refusal(Reason.LINK_OWNER_DECIDES, r.iamUser());
    }
    requirePending(r);
    if (isExpired(r, now)) {
      throw new Refusal(Reason.LINK_EXPIRED, r.id());
    }
    return r.decided(LinkState.APPROVED, actor, null, now);
  }

  /**
   * The user as IAM has it now still may be linked as asked: not in a protected group (one may have
   * been added since), and owned by whoever owned it when the link was asked for, so an owner set
   * meanwhile is never overwritten unseen.
   */
  public static void checkStillLinkable(
      LinkRequest r, LinkTarget now, Collection<String> protectedGroups) {
    checkNotProtected(now, protectedGroups);
    Optional<String> was = Optional.ofNullable(r.previousOwnerId());
    if (!now.owner().equals(was)) {
      throw new Refusal(
          Reason.LINK_OWNER_CHANGED, r.iamUser(), was.orElse(""), now.owner().orElse(""));
    }
  }

  /** An approver denies; any approver may, while PENDING and posted. */
  public static LinkRequest deny(
      LinkRequest r, String actor, boolean actorIsApprover, Instant now) {
    if (!actorIsApprover) {
      throw new Refusal(Reason.LINK_NEEDS_APPROVER);
    }
    requirePending(r);
    return r.decided(LinkState.DENIED, actor, null, now);
  }

  /**
   * A PENDING request ends because it cannot go ahead: {@code why} says which check failed; {@code
   * actor} is the approver whose click found it, or null for Keysmith itself.
   */
  public static LinkRequest cancel(
      LinkRequest r, Refusal why, @Nullable String actor, Instant now) {
    requireState(r, LinkState.PENDING);
    return r.decided(LinkState.CANCELLED, actor, why.getMessage(), now);
  }

  /** Nobody decided in time. */
  public static LinkRequest expire(LinkRequest r, Instant now) {
    requireState(r, LinkState.PENDING);
    if (!isExpired(r, now)) {
      throw new IllegalStateException("link " + r.id() + " expires at " + r.expiresAt());
    }
    return r.moved(LinkState.EXPIRED, "Nobody decided before it expired.", now);
  }

  /** The owner tag is in IAM. */
  public static LinkRequest linked(LinkRequest r, Instant now) {
    requireState(r, LinkState.APPROVED);
    return r.moved(LinkState.LINKED, null, now);
  }

  /** IAM refused the owner tag, or the user changed before it was written; {@code why} says so. */
  public static LinkRequest failed(LinkRequest r, String why, Instant now) {
    requireState(r, LinkState.APPROVED);
    return r.moved(LinkState.FAILED, why, now);
  }

  /** Whether nobody may decide {@code r} any more at {@code now}. */
  public static boolean isExpired(LinkRequest r, Instant now) {
    return !now.isBefore(r.expiresAt());
  }

  /** Why a request that is no longer PENDING cannot be decided again. */
  public static Refusal alreadyDecided(LinkRequest r) {
    return new Refusal(
        Reason.LINK_ALREADY_DECIDED, r.id(), r.state().name(), Objects.toString(r.decidedBy(), ""));
  }

  private static void checkNotProtected(LinkTarget target, Collection<String> protectedGroups) {
    // IAM group names are unique ignoring case; the config may spell them otherwise.
    target.groups().stream()
        .filter(g -> protectedGroups.stream().anyMatch(g::equalsIgnoreCase))
        .sorted()
        .findFirst()
        .ifPresent(
            group -> {
              throw new Refusal(Reason.LINK_PROTECTED_GROUP, target.iamUser(), group);
            });
  }

  /** A decision needs a PENDING request whose approvals message is stored. */
  private static void requirePending(LinkRequest r) {
    if (r.state() != LinkState.PENDING) {
      throw alreadyDecided(r);
    }
    if (r.approvalTs() == null) {
      // Decisions come from the approvals message, which is stored right after it is posted.
      throw new Refusal(Reason.LINK_NOT_YET_POSTED, r.id());
    }
  }

  private static void requireState(LinkRequest r, LinkState expected) {
    if (r.state() != expected) {
      throw new IllegalStateException(
          "link " + r.id() + " is " + r.state() + ", expected " + expected);
    }
  }
}
