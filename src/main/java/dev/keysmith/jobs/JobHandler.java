package dev.keysmith.jobs;

/**
 * Runs the jobs of one kind. It must be idempotent: a job cut off by a crash runs again, so it
 * checks what is already done (a key already deactivated, a reminder already sent) before acting.
 */
@FunctionalInterface
public interface JobHandler {
  /** Does {@code job}'s work; throwing makes the {@link Scheduler} retry it later. */
  void run(Job job) throws Exception;
}
