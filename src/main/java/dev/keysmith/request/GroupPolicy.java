package dev.keysmith.request;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the security team decided for one IAM group: who may ask for it, who approves and how many
 * of them must, which access types it allows, how long its users live, and whether a request is
 * approved without a person.
 *
 * @param group the IAM group this policy is for
 * @param requesters who may ask for the group; empty for everyone
 * @param approvers who may decide its requests; empty for Keysmith's approvers
 * @param quorum how many distinct approvers, never the requester or the owner, must approve
 * @param accessTypes the access types a request for it may ask for
 * @param defaultLifetime the lifetime the form proposes; empty for the maximum (or no end)
 * @param maxLifetime the longest a user of the group may live; empty when "no end" is allowed
 * @param autoApprove whether a request is approved by this policy at once (still posted and
 *     audited); only with a short maximum lifetime, never for a protected group
 * @param breakGlass when present, a requester may approve their own request for themselves in an
 *     emergency, with a reason, for at most this long; posted loudly and told to every approver
 */
public record GroupPolicy(
    String group,
    Optional<Audience> requesters,
    Optional<Audience> approvers,
    int quorum,
    Set<AccessType> accessTypes,
    Optional<Duration> defaultLifetime,
    Optional<Duration> maxLifetime,
    boolean autoApprove,
    Optional<Duration> breakGlass) {

  /** A policy without break-glass. */
  public GroupPolicy(
      String group,
      Optional<Audience> requesters,
      Optional<Audience> approvers,
      int quorum,
      Set<AccessType> accessTypes,
      Optional<Duration> defaultLifetime,
      Optional<Duration> maxLifetime,
      boolean autoApprove) {
    this(
        group,
        requesters,
        approvers,
        quorum,
        accessTypes,
        defaultLifetime,
        maxLifetime,
        autoApprove,
        Optional.empty());
  }

  public GroupPolicy {
    Objects.requireNonNull(group, "group");
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1");
    }
    if (accessTypes.isEmpty()) {
      throw new IllegalArgumentException("a group allows at least one access type");
    }
    accessTypes = Set.copyOf(accessTypes);
    if (autoApprove && maxLifetime.isEmpty()) {
      throw new IllegalArgumentException("auto-approval needs a maximum lifetime");
    }
  }

  /** The policy of a group the config file says nothing more about: what Keysmith always did. */
  public static GroupPolicy defaults(String group) {
    return new GroupPolicy(
        group,
        Optional.empty(),
        Optional.empty(),
        1,
        EnumSet.allOf(AccessType.class),
        Optional.empty(),
        Optional.empty(),
        false);
  }

  /**
   * Some Slack people: user ids and, optionally, the members of one Slack user group.
   *
   * @param users Slack user ids
   * @param userGroup a Slack user group id whose members belong too
   */
  public record Audience(Set<String> users, Optional<String> userGroup) {
    public Audience {
      users = Set.copyOf(users);
      if (users.isEmpty() && userGroup.isEmpty()) {
        throw new IllegalArgumentException("an audience names someone");
      }
    }
  }
}
