package dev.keysmith.jobs;

import dev.keysmith.core.KeysmithException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what a stop cut off (reveals, mints, rotations between their state and their next step).
 * Each step runs once at start; one that fails because IAM, Slack or the store cannot be reached
 * does not stop Keysmith from starting: it is retried with backoff from the housekeeping timer
 * until it succeeds. A step must act only on what was interrupted before this start, so that
 * running it again later leaves work begun since alone.
 */
public final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** The first wait before a failed step runs again; it doubles up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);

  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** One recovery step, named for the log. */
  public record Step(String name, Runnable work) {}

  private record Waiting(Step step, int failures, Instant dueAt) {}

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Waiting> waiting = new ArrayList<>(); // guarded by lock

  public Recovery(Clock clock) {
    this.clock = clock;
  }

  /** Runs every step once, in order; a step that cannot finish now waits for {@link #retryDue}. */
  public void runAtStart(List<Step> steps) {
    for (Step step : steps) {
      attempt(step, 0);
    }
  }

  /** Runs again each failed step whose backoff is over; the housekeeping timer calls it. */
  public void retryDue() {
    List<Waiting> due = new ArrayList<>();
    lock.lock();
    try {
      Instant now = clock.instant();
      waiting.removeIf(
          w -> {
            boolean isDue = !w.dueAt().isAfter(now);
            if (isDue) {
              due.add(w);
            }
            return isDue;
          });
    } finally {
      lock.unlock();
    }
    for (Waiting w : due) {
      attempt(w.step(), w.failures());
    }
  }

  /** The names of the steps still waiting to finish, for the log and the health check. */
  public List<String> waitingFor() {
    lock.lock();
    try {
      return waiting.stream().map(w -> w.step().name()).toList();
    } finally {
      lock.unlock();
    }
  }

  private void attempt(Step step, int failuresSoFar) {
    try {
      step.work().run();
      if (failuresSoFar > 0) {
        log.info("recovery: {} finished after {} failed attempts", step.name(), failuresSoFar);
      }
    } catch (KeysmithException e) {
      int failures = failuresSoFar + 1;
      Duration wait = backoff(failures);
      log.warn(
          "recovery: could not {} yet ({}); Keysmith runs on and tries again in {} s",
          step.name(),
          e.getMessage(),
          wait.toSeconds());
      lock.lock();
      try {
        waiting.add(new Waiting(step, failures, clock.instant().plus(wait)));
      } finally {
        lock.unlock();
      }
    }
  }

  static Duration backoff(int failures) {
    Duration wait = FIRST_BACKOFF;
    for (int i = 1; i < failures && wait.compareTo(MAX_BACKOFF) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }
}
