package dev.keysmith.core;

/**
 * Tells the other replicas what this one changed in what they keep in memory (caches), so that all
 * agree within seconds rather than at their next reload. A message reaches the replicas listening
 * when it is sent, at most once and never back to its sender; a listener that may have missed some
 * (its connection dropped) is told so, and reloads.
 */
public interface Broadcast {
  /** Sends {@code message} (one line, a few hundred bytes) on {@code topic} to the others. */
  void publish(String topic, String message);

  /** From now on, what the others send on {@code topic} goes to {@code listener}. */
  void subscribe(String topic, Listener listener);

  /** Hears a topic's messages, on a thread of the broadcast's own. */
  interface Listener {
    /** Another replica sent {@code message}. */
    void heard(String message);

    /** Messages may have been lost (a dropped connection): reload what they would have changed. */
    void mayHaveMissed();
  }

  /** The broadcast of a replica that runs alone (Keysmith on SQLite): nobody else to tell. */
  static Broadcast alone() {
    return new Broadcast() {
      @Override
      public void publish(String topic, String message) {}

      @Override
      public void subscribe(String topic, Listener listener) {}
    };
  }
}
