package dev.keysmith.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs due {@link Job}s with the {@link JobHandler} named by their kind, one at a time. A job whose
 * handler throws is retried after 1 minute, 5 minutes, 30 minutes and 2 hours, then FAILED after
 * its fifth attempt; a job of an unknown kind is FAILED at once. Log lines name a job's id, kind
 * and subject, never its data.
 */
public final class Scheduler {
  static final List<Duration> BACKOFF =
      List.of(
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2));
  static final int MAX_ATTEMPTS = BACKOFF.size() + 1;
  static final int MAX_JOBS_PER_RUN = 1_000;

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final JobStore store;
  private final Clock clock;
  private final Map<String, JobHandler> handlers;
  private final int maxJobsPerRun;

  /** A scheduler taking jobs from {@code store}, running each with the handler for its kind. */
  public Scheduler(JobStore store, Clock clock, Map<String, JobHandler> handlers) {
    this(store, clock, handlers, MAX_JOBS_PER_RUN);
  }

  Scheduler(JobStore store, Clock clock, Map<String, JobHandler> handlers, int maxJobsPerRun) {
    this.store = store;
    this.clock = clock;
    this.handlers = Map.copyOf(handlers);
    this.maxJobsPerRun = maxJobsPerRun;
  }

  /**
   * Claims and runs due jobs until none is due (at most 1,000 per call, so one call cannot run
   * forever); returns how many it took up, whether they succeeded or not. A timer calls it.
   */
  public int runDue() {
    int taken = 0;
    while (taken < maxJobsPerRun && !Thread.currentThread().isInterrupted()) {
      Optional<Job> next = store.claimNext(clock.instant());
      if (next.isEmpty()) {
        break;
      }
      run(next.get());
      taken++;
    }
    return taken;
  }

  private void run(Job job) {
    JobHandler handler = handlers.get(job.kind());
    if (handler == null) {
      log.error(
          "job {} ({} about {}) has no handler; marked failed",
          job.id(),
          job.kind(),
          job.subject());
      store.fail(job.id(), "no handler for kind " + job.kind());
      return;
    }
    try {
      handler.run(job);
    } catch (HeldElsewhere e) {
      Instant again = clock.instant().plus(Replica.LEASE_TERM);
      log.debug(
          "job {} ({} about {}): {}; again at {}",
          job.id(),
          job.kind(),
          job.subject(),
          e.what(),
          again);
      store.postpone(job.id(), again, e.what());
      return;
    } catch (InterruptedException e) {
      // Shutting down: give the job back, due now, for the next start (or another replica) to
      // run. A stop is not the job's failure, so it does not count as an attempt.
      Thread.currentThread().interrupt();
      log.info("job {} ({} about {}) interrupted", job.id(), job.kind(), job.subject());
      store.postpone(job.id(), clock.instant(), "interrupted at shutdown");
      return;
    } catch (Exception e) {
      failed(job, e);
      return;
    }
    store.complete(job.id());
    log.debug("job {} ({} about {}) done", job.id(), job.kind(), job.subject());
  }

  private void failed(Job job, Exception e) {
    String error = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (job.attempts() >= MAX_ATTEMPTS) {
      log.error(
          "job {} ({} about {}) failed on attempt {}, giving up: {}",
          job.id(),
          job.kind(),
          job.subject(),
          job.attempts(),
          error,
          e);
      store.fail(job.id(), error);
      return;
    }
    Instant retry = clock.instant().plus(BACKOFF.get(Math.max(job.attempts(), 1) - 1));
    log.warn(
        "job {} ({} about {}) failed on attempt {}, retrying at {}: {}",
        job.id(),
        job.kind(),
        job.subject(),
        job.attempts(),
        retry,
        error);
    store.retryAt(job.id(), retry, error);
  }
}
