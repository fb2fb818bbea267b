package dev.keysmith.request;

import java.util.Optional;

/** Who is in a Slack user group. */
public interface UserGroups {

  /**
   * Whether {@code userId} is in the user group {@code userGroupId}; may ask Slack, and throws
   * {@code KeysmithException} rather than guess when Slack cannot say.
   */
  boolean isMember(String userGroupId, String userId);

  /**
   * The same, answered at once from what Keysmith knows: empty while the group's members are not
   * known yet (they are then asked for in the background), so a caller that must answer within
   * Slack's 3 seconds can say "try again" instead of guessing.
   */
  Optional<Boolean> isMemberNow(String userGroupId, String userId);
}
