package dev.keysmith.rotation;

import java.time.Instant;
import java.util.Optional;

/** When each key's owner was last reminded of each thing, so reminders come once per period. */
public interface ReminderLog {

  /** When the owner of {@code accessKeyId} was last sent a reminder of {@code kind}. */
  Optional<Instant> lastSent(String accessKeyId, String kind);

  /** Records that a reminder of {@code kind} about {@code accessKeyId} went out at {@code at}. */
  void sent(String accessKeyId, String kind, Instant at);
}
