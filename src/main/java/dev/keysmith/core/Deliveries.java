package dev.keysmith.core;

import java.time.Instant;
import java.util.Optional;

/**
 * The Slack deliveries replicas have taken in, by a key the delivery carries (a Socket Mode
 * envelope id, an Events API event id), so that a repeat Slack sends to another replica is not run
 * again. Each replica also remembers its own deliveries in memory; this is what the others see.
 */
public interface Deliveries {
  /**
   * Records that this replica took {@code key} in now; true when no replica had, false when this is
   * a repeat.
   */
  boolean takeIn(String key);

  /** Records what the delivery {@code key} answered Slack; never a secret. */
  void answered(String key, String answer);

  /** What the delivery {@code key} answered, once it has. */
  Optional<String> answerOf(String key);

  /** Forgets the deliveries taken in before {@code cutoff}; returns how many. */
  int forgetBefore(Instant cutoff);

  /**
   * The deliveries of a replica that runs alone (Keysmith on SQLite): its own memory is all there
   * is, so every delivery that passed it is taken in here.
   */
  static Deliveries alone() {
    return new Deliveries() {
      @Override
      public boolean takeIn(String key) {
        return true;
      }

      @Override
      public void answered(String key, String answer) {}

      @Override
      public Optional<String> answerOf(String key) {
        return Optional.empty();
      }

      @Override
      public int forgetBefore(Instant cutoff) {
        return 0;
      }
    };
  }
}
