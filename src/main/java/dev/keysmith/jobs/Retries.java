package dev.keysmith.jobs;

import java.time.Duration;
import java.util.Map;

/**
 * The backoff of a job that tries again until IAM answers (provisioning, an owner tag, undoing a
 * reveal): 5 s doubling to 5 minutes, as {@link Recovery}'s steps, and never giving up while the
 * failure is one that may pass. Each try stores the next job with the failures so far in its data.
 */
public final class Retries {
  private static final String FAILURES = "failures";

  private Retries() {}

  /** How long to wait after the {@code failures}-th failure in a row (1 or more). */
  public static Duration backoff(int failures) {
    return Recovery.backoff(failures);
  }

  /** How many tries failed before {@code job}, as stored by {@link #data}; 0 when not stored. */
  public static int failuresBefore(Job job) {
    String stored = job.data().get(FAILURES);
    try {
      return stored == null ? 0 : Math.max(0, Integer.parseInt(stored));
    } catch (NumberFormatException damaged) {
      return 0;
    }
  }

  /** The data of the job that tries again after {@code failures} failures. */
  public static Map<String, String> data(int failures) {
    return Map.of(FAILURES, String.valueOf(failures));
  }
}
