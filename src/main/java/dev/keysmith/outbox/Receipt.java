package dev.keysmith.outbox;

/**
 * What a workflow does once Slack has a message of one purpose, or has refused it for good. Both
 * run on the courier's thread after the outbox recorded the outcome, and must not call Slack
 * themselves (they may leave messages in the outbox).
 */
public interface Receipt {
  /** Slack has {@code message} at {@code where}. */
  default void posted(Message message, Posted where) {}

  /** Slack refused {@code message} for good with {@code error}; already logged and audited. */
  default void undeliverable(Message message, String error) {}
}
