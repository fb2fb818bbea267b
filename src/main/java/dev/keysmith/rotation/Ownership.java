package dev.keysmith.rotation;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import dev.keysmith.request.Approvers;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who owns which IAM user. The truth is Keysmith's owner tag on the user in IAM itself, so the
 * mapping survives anything that happens to Keysmith's database; the owner-to-users index built
 * from it is only a cache. Decisions (may this person act on that user?) always read the tag live.
 */
public final class Ownership {
  private final IamGateway iam;
  private final Approvers approvers;
  private final AuditTrail audit;
  private final Clock clock;
  private final IamDirectory directory;

  public Ownership(
      IamGateway iam, IamDirectory directory, Approvers approvers, AuditTrail audit, Clock clock) {
    this.iam = iam;
    this.directory = directory;
    this.approvers = approvers;
    this.audit = audit;
    this.clock = clock;
  }

  /** The Slack owner of {@code iamUser}, read from IAM now; empty when nobody owns it. */
  public Optional<String> ownerOf(String iamUser) {
    Optional<Map<String, String>> tags = iam.userTags(iamUser);
    if (tags.isEmpty()) {
      throw new Refusal(Reason.NO_SUCH_IAM_USER, iamUser);
    }
    return Optional.ofNullable(tags.get().get(UserTags.OWNER));
  }

  /**
   * Refuses unless {@code actor} owns {@code iamUser} or is an approver; returns the owner (who may
   * be nobody yet, for an approver acting on an unlinked user).
   */
  public Optional<String> checkMayActOn(String iamUser, String actor) {
    Optional<String> owner = ownerOf(iamUser);
    if (owner.filter(actor::equals).isPresent() || approvers.isApprover(actor)) {
      return owner;
    }
    throw new Refusal(Reason.NOT_YOUR_USER, iamUser);
  }

  /** The IAM users {@code slackUserId} owns, as of the last scan. */
  public List<String> usersOwnedBy(String slackUserId) {
    return directory.usersOwnedBy(slackUserId);
  }

  /** An approver links an existing IAM user to its Slack owner, by tagging it in IAM. */
  public void link(String iamUser, String ownerId, String actor) {
    if (!approvers.isApprover(actor)) {
      throw new Refusal(Reason.LINK_NEEDS_APPROVER);
    }
    Optional<String> previous = ownerOf(iamUser);
    try {
      iam.tagUser(iamUser, Map.of(UserTags.OWNER, ownerId));
    } catch (RuntimeException e) {
      directory.usersChanged(); // a timed-out call may still have tagged it
      throw e;
    }
    directory.ownerChanged(iamUser, ownerId);
    audit.record(
        clock.instant(),
        null,
        actor,
        AuditAction.KEYS_LINKED,
        previous.isPresent()
            ? Map.of("iamUser", iamUser, "owner", ownerId, "previousOwner", previous.get())
            : Map.of("iamUser", iamUser, "owner", ownerId));
  }
}
