package dev.keysmith.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable list of secrets on screen and when to wipe them, so a restart does not leave one showing.
 * Holds the response_url needed to reach the ephemeral message, never the secret.
 */
public interface WipeStore {

  /** Remembers to wipe what was shown about {@code subject}; replaces an earlier entry. */
  void schedule(Wipe wipe);

  /** Wipes due at or before {@code now}, soonest first. */
  List<Wipe> due(Instant now);

  /** The pending wipe of {@code subject}. */
  Optional<Wipe> find(String subject);

  /** Forgets the wipe of {@code subject}, done or no longer needed. */
  void remove(String subject);

  /**
   * A scheduled wipe.
   *
   * @param subject what was revealed: a request id or a rotation id
   * @param ownerId the only Slack user who saw it, and the only one who may hide it
   */
  record Wipe(String subject, String ownerId, String responseUrl, Instant due) {}
}
