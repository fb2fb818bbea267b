package dev.keysmith.workflow;

import java.util.function.Supplier;

/**
 * Runs work against Keysmith's store atomically, so a state change and its audit event are kept
 * together or not at all. The work holds the store for its whole length: it must not call IAM or
 * Slack.
 */
public interface Transactions {
  /** Runs {@code work} in one transaction; a call inside another's work joins it. */
  <T> T atomically(String operation, Supplier<T> work);

  /** Runs {@code action} when the current transaction commits (never, if it rolls back), or now. */
  void afterCommit(Runnable action);
}
