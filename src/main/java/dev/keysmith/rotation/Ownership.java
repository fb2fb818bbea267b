package dev.keysmith.rotation;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import dev.keysmith.request.Approvers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who owns which IAM user. The truth is Keysmith's owner tag on the user in IAM itself, so the
 * mapping survives anything that happens to Keysmith's database; the owner-to-users index built
 * from it is only a cache. Decisions (may this person act on that user?) always read the tag live.
 */
public final class Ownership {
  private final IamGateway iam;
  private final Approvers approvers;
  private final IamDirectory directory;

  public Ownership(IamGateway iam, IamDirectory directory, Approvers approvers) {
    this.iam = iam;
    this.directory = directory;
    this.approvers = approvers;
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

  /**
   * What linking needs to know of {@code iamUser}, read from IAM now: its owner and its groups.
   * Refuses a user that does not exist, and one whose tags or groups Keysmith may not read: what it
   * cannot check, it does not link.
   */
  LinkTarget linkTarget(String iamUser) {
    try {
      Optional<String> owner = ownerOf(iamUser);
      Set<String> groups = iam.groupsOfUser(iamUser);
      return new LinkTarget(iamUser, owner, groups);
    } catch (IamException e) {
      switch (e.errorCode()) {
        case "AccessDenied" -> throw new Refusal(Reason.LINK_OUT_OF_REACH, iamUser);
        case "NoSuchEntity" -> throw new Refusal(Reason.NO_SUCH_IAM_USER, iamUser);
        default -> throw e;
      }
    }
  }

  /**
   * Makes {@code ownerId} the owner of {@code iamUser} by tagging it in IAM. Only an approved link
   * request calls this; the caller audits it.
   */
  void setOwner(String iamUser, String ownerId) {
    try {
      iam.tagUser(iamUser, Map.of(UserTags.OWNER, ownerId));
    } catch (RuntimeException e) {
      directory.usersChanged(); // a timed-out call may still have tagged it
      throw e;
    }
    directory.ownerChanged(iamUser, ownerId);
  }
}
