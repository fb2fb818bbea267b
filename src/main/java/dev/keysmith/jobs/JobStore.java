package dev.keysmith.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable queue of {@link Job}s. A job is PENDING until claimed, RUNNING while a handler runs it,
 * then DONE, FAILED (not retried) or back to PENDING for a retry; a PENDING job may be CANCELLED.
 * Done, failed and cancelled jobs are kept, as a record of what ran.
 *
 * <p>A claim names the replica that made it and holds for its lease, which the replica renews while
 * it runs the job. A job cut off by a stop is run again once its claim runs out ({@link
 * #requeueExpired}), or at once by the sole replica of a database ({@link #requeueInterrupted()}),
 * so every handler must be idempotent: running a job twice must do no more harm than running it
 * once.
 */
public interface JobStore {
  /** How long past its due time a waiting job counts as overdue in {@link #backlog}. */
  Duration OVERDUE_AFTER = Duration.ofMinutes(1);

  /** Counts the unfinished jobs, and those overdue at {@code now}; a real query on the store. */
  JobBacklog backlog(Instant now);

  /** Stores a PENDING job due at {@code dueAt} and returns its id; see {@link Job} on secrets. */
  long schedule(String kind, String subject, Map<String, String> data, Instant dueAt);

  /**
   * Stores a PENDING job like {@link #schedule}, unless one of {@code kind} about {@code subject}
   * scheduled this way already waits or runs, on any replica; whether it stored one. A daily run
   * started by every replica's start stays one chain.
   */
  boolean scheduleOnce(String kind, String subject, Map<String, String> data, Instant dueAt);

  /**
   * From the running job of {@code kind} about {@code subject}: stores its next run like {@link
   * #scheduleOnce}, unless one already waits; whether it stored one.
   */
  boolean scheduleNext(String kind, String subject, Map<String, String> data, Instant dueAt);

  /**
   * Atomically claims the PENDING job due earliest at or before {@code now} (RUNNING, one more
   * attempt, this replica's for a lease term), so no two callers, threads, processes or replicas,
   * ever claim the same job; empty when none is due.
   */
  Optional<Job> claimNext(Instant now);

  /**
   * Marks a RUNNING job DONE; the row is kept as a record of what ran. This and the other endings
   * of a run fail when the job is no longer this replica's (its claim ran out).
   */
  void complete(long id);

  /** Puts a RUNNING job back to PENDING, due again at {@code dueAt}, remembering {@code error}. */
  void retryAt(long id, Instant dueAt, String error);

  /**
   * Puts a RUNNING job back to PENDING, due again at {@code dueAt}, as if this run had not been
   * tried: it does not count as an attempt.
   */
  void postpone(long id, Instant dueAt, String why);

  /** Marks a RUNNING job FAILED for good, remembering {@code error}. */
  void fail(long id, String error);

  /** Cancels the PENDING jobs of {@code kind} about {@code subject}; returns how many. */
  int cancel(String kind, String subject);

  /** The PENDING jobs about {@code subject}, earliest due first. */
  List<Job> pending(String subject);

  /**
   * Puts every RUNNING job back to PENDING, keeping its due time; call once at start-up, before
   * anything claims jobs, so work cut off by a crash runs again. Returns how many.
   */
  int requeueInterrupted();

  /**
   * Puts back to PENDING every RUNNING job whose claim ran out before {@code now}: its replica
   * stopped, or stalled for longer than a lease term. Returns how many.
   */
  int requeueExpired(Instant now);
}
