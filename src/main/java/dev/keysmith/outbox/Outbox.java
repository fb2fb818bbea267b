package dev.keysmith.outbox;

/** Where workflows leave the Slack messages they promise. */
public interface Outbox {
  /**
   * Keeps {@code message} for delivery. Called inside a transaction, it commits or rolls back with
   * it; nothing is sent before the transaction commits.
   */
  void send(Message message);
}
