package dev.keysmith.request;

import dev.keysmith.core.KeysmithException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The access policy of every group, and who it lets ask and decide. A group the config file gives
 * no policy gets {@link GroupPolicy#defaults}: anyone asks, Keysmith's approvers decide, one
 * approval.
 */
public final class Policies {
  private final Map<String, GroupPolicy> byGroup = new LinkedHashMap<>();
  private final GroupPolicy.Audience approvers;
  private final UserGroups userGroups;

  /**
   * The {@code policies} the config file gives; {@code approvers} are Keysmith's, who decide for
   * every group whose policy names none.
   */
  public Policies(
      Collection<GroupPolicy> policies, GroupPolicy.Audience approvers, UserGroups userGroups) {
    for (GroupPolicy p : policies) {
      byGroup.put(key(p.group()), p);
    }
    this.approvers = approvers;
    this.userGroups = userGroups;
  }

  /** The policy of {@code group} (IAM group names compare ignoring case). */
  public GroupPolicy of(String group) {
    GroupPolicy p = byGroup.get(key(group));
    return p != null ? p : GroupPolicy.defaults(group);
  }

  /** The Slack user groups the policies name, so their members can be loaded before anyone asks. */
  public Set<String> userGroupIds() {
    Set<String> ids = new TreeSet<>();
    approvers.userGroup().ifPresent(ids::add);
    for (GroupPolicy p : byGroup.values()) {
      p.requesters().flatMap(GroupPolicy.Audience::userGroup).ifPresent(ids::add);
      p.approvers().flatMap(GroupPolicy.Audience::userGroup).ifPresent(ids::add);
    }
    return ids;
  }

  /**
   * Whether {@code user} may ask for {@code group}, answered without waiting for Slack: empty while
   * the members of the policy's user group are not known yet.
   */
  public Optional<Boolean> mayRequest(String group, String user) {
    Optional<GroupPolicy.Audience> who = of(group).requesters();
    if (who.isEmpty() || who.get().users().contains(user)) {
      return Optional.of(true);
    }
    Optional<String> userGroup = who.get().userGroup();
    return userGroup.isEmpty() ? Optional.of(false) : userGroups.isMemberNow(userGroup.get(), user);
  }

  /** The groups of {@code groups} that {@code user} may ask for; may ask Slack, so after an ack. */
  public List<String> requestable(List<String> groups, String user) {
    return groups.stream()
        .filter(
            g -> {
              Optional<GroupPolicy.Audience> who = of(g).requesters();
              return who.isEmpty() || isIn(who.get(), user);
            })
        .toList();
  }

  /**
   * Whether {@code user} may approve or deny requests for {@code group}: the policy's approvers,
   * else Keysmith's. May ask Slack for a user group's members; refuses to guess when it cannot.
   */
  public boolean mayApprove(String group, String user) {
    return isIn(approversOf(group), user);
  }

  /**
   * How many people besides {@code requester} and {@code owner} may approve requests for {@code
   * group}; empty when a user group is among them, whose size Keysmith does not count.
   */
  public Optional<Integer> approversBesides(String group, String requester, String owner) {
    GroupPolicy.Audience who = approversOf(group);
    if (who.userGroup().isPresent()) {
      return Optional.empty();
    }
    return Optional.of(
        (int) who.users().stream().filter(u -> !u.equals(requester) && !u.equals(owner)).count());
  }

  /** Who decides requests for {@code group}: its policy's approvers, else Keysmith's. */
  public GroupPolicy.Audience approversOf(String group) {
    return of(group).approvers().orElse(approvers);
  }

  private boolean isIn(GroupPolicy.Audience who, String user) {
    if (who.users().contains(user)) {
      return true;
    }
    return who.userGroup().isPresent() && userGroups.isMember(who.userGroup().get(), user);
  }

  private static String key(String group) {
    return group.toLowerCase(Locale.ROOT);
  }

  /** Thrown when Keysmith cannot tell who is in a user group; nobody is let in on a guess. */
  public static KeysmithException unknownMembers(String userGroupId, String why) {
    return new KeysmithException(
        "Keysmith could not check the members of the Slack user group "
            + userGroupId
            + " ("
            + why
            + "), so it cannot tell whether you may do this. Try again in a minute.");
  }
}
