package dev.keysmith.rotation;

import java.time.Instant;

/** Who Keysmith has handled as having left, so a daily run acts on each person once. */
public interface LeaverLog {

  /** Whether {@code slackUserId} was handled as having left. */
  boolean handled(String slackUserId);

  /** Records {@code slackUserId} as handled at {@code at}; false when it already was. */
  boolean record(String slackUserId, Instant at);
}
