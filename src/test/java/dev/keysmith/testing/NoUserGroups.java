package dev.keysmith.testing;

import dev.keysmith.request.UserGroups;
import java.util.Optional;

/** Slack user groups with nobody in them, for tests whose policies name none. */
public enum NoUserGroups implements UserGroups {
  INSTANCE;

  @Override
  public boolean isMember(String userGroupId, String userId) {
    return false;
  }

  @Override
  public Optional<Boolean> isMemberNow(String userGroupId, String userId) {
    return Optional.of(false);
  }
}
