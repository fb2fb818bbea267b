package dev.keysmith.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The durable outbox, with what the {@link Courier} needs to deliver it. */
public interface OutboxStore extends Outbox {
  /** How long past its due time a waiting message counts as overdue in {@link #backlog}. */
  Duration OVERDUE_AFTER = Duration.ofMinutes(1);

  /**
   * Claims for this replica up to {@code limit} undelivered messages due at {@code now}, oldest
   * first, each the first of its lane (a message waits while an earlier one in its lane is
   * undelivered) and claimed by no other replica whose claim still holds. A claim ends with {@link
   * #delivered}, {@link #retryAt}, {@link #undeliverable} or {@link #release}; the replica renews
   * it meanwhile, and when it stops the claim runs out and another replica delivers the message.
   */
  List<Parcel> claim(Instant now, int limit);

  /**
   * Ends this replica's claims on {@code parcels} without delivering them: they are due as before.
   */
  void release(List<Parcel> parcels);

  /**
   * When the next message that {@link #claim} could return falls due (the first of its lane; one
   * another replica holds, when its claim runs out), if any is waiting.
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

  /**
   * Records that Slack rate-limits {@code limit} (a method, and for posts a channel) until {@code
   * until}, for every replica; a later end already recorded stands.
   */
  void pause(String limit, Instant until);

  /** The rate-limit pauses still running at {@code now}, by limit, as any replica recorded them. */
  Map<String, Instant> pauses(Instant now);
}
