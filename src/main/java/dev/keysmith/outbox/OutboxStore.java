package dev.keysmith.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The durable outbox, with what the {@link Courier} needs to deliver it. */
public interface OutboxStore extends Outbox {
  /** How long past its due time a waiting message counts as overdue in {@link #backlog}. */
  Duration OVERDUE_AFTER = Duration.ofMinutes(1);

  /**
   * Up to {@code limit} undelivered messages due at {@code now}, oldest first, each the first of
   * its lane (a message waits while an earlier one in its lane is undelivered).
   */
  List<Parcel> due(Instant now, int limit);

  /**
   * When the next message that {@link #due} could return falls due (the first of its lane), if any
   * is waiting.
   */
  Optional<Instant> nextDue();

  /**
   * Records that Slack has {@code parcel} at {@code where}: its slot's message is there from now
   * on. A parcel whose content was replaced meanwhile stays undelivered, due now, to edit it in.
   */
  void delivered(Parcel parcel, Posted where);

  /** Tries {@code parcel} again at {@code dueAt}; counts a failed attempt when {@code failed}. */
  void retryAt(Parcel parcel, Instant dueAt, String error, boolean failed);

  /** Gives up on {@code parcel} for good, remembering {@code error}. */
  void undeliverable(Parcel parcel, String error);

  /** Counts what waits and what was given up on; a real query on the store. */
  OutboxBacklog backlog(Instant now);
}
