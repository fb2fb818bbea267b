package dev.keysmith.rotation;

import java.util.Optional;
import java.util.Set;

/**
 * What linking needs to know of an existing IAM user, read from IAM at one moment.
 *
 * @param owner the Slack owner its owner tag names, if any
 * @param groups the IAM groups it is in
 */
public record LinkTarget(String iamUser, Optional<String> owner, Set<String> groups) {
  public LinkTarget {
    groups = Set.copyOf(groups);
  }
}
