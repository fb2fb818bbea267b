package dev.keysmith.slack;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.request.Approvers;
import dev.keysmith.request.Policies;
import dev.keysmith.request.UserGroups;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Approvers are the Slack user ids in config plus, when configured, the members of a Slack user
 * group, looked up with {@code usergroups.users.list} and cached (refreshed in the background). The
 * same cache answers for the user groups that group policies name.
 */
public final class SlackApprovers implements Approvers, UserGroups {
  private final Set<String> userIds;
  private final Optional<String> groupId;
  private final LoadingCache<String, Set<String>> groupMembers;

  public SlackApprovers(
      SlackWebApi slack,
      Set<String> userIds,
      Optional<String> groupId,
      Executor refreshExecutor,
      Ticker ticker) {
    this.userIds = Set.copyOf(userIds);
    this.groupId = groupId;
    this.groupMembers =
        Caffeine.newBuilder()
            .executor(refreshExecutor)
            .ticker(ticker)
            .refreshAfterWrite(Duration.ofMinutes(5))
            .expireAfterWrite(Duration.ofHours(1))
            .build(
                id ->
                    Set.copyOf(
                        SlackWebApi.call(
                                "usergroups.users.list",
                                () -> slack.usergroupsUsersList(r -> r.usergroup(id)))
                            .getUsers()));
  }

  /** Loads the user group's members once, so no approval click waits for Slack to list them. */
  public void warmUp() {
    warmUp(Set.of());
  }

  /** Loads the members of the approvers' user group and of {@code more} user groups. */
  public void warmUp(Set<String> more) {
    groupId.ifPresent(
        id -> {
          var unused = groupMembers.get(id);
        });
    for (String id : more) {
      var unused = groupMembers.get(id);
    }
  }

  @Override
  public boolean isMember(String userGroupId, String userId) {
    try {
      return groupMembers.get(userGroupId).contains(userId);
    } catch (SlackCallException e) {
      throw Policies.unknownMembers(userGroupId, e.getMessage());
    }
  }

  @Override
  public Optional<Boolean> isMemberNow(String userGroupId, String userId) {
    Set<String> members = groupMembers.getIfPresent(userGroupId);
    if (members == null) {
      var unused = groupMembers.refresh(userGroupId);
      return Optional.empty();
    }
    return Optional.of(members.contains(userId));
  }

  @Override
  public boolean isApprover(String slackUserId) {
    if (userIds.contains(slackUserId)) {
      return true;
    }
    if (groupId.isEmpty()) {
      return false;
    }
    try {
      return groupMembers.get(groupId.get()).contains(slackUserId);
    } catch (SlackCallException e) {
      // Fail closed: nobody outside the configured ids approves while the group is unknown.
      throw new KeysmithException(
          "Keysmith could not check the approvers' user group in Slack ("
              + e.getMessage()
              + "), so it cannot tell whether you may decide. Try again in a minute.",
          e);
    }
  }
}
