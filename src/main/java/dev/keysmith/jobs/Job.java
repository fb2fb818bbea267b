package dev.keysmith.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A piece of work due at a given time, kept in the database so it survives restarts.
 *
 * <p>Never put a secret (an access key secret, a password, a response_url) in a job: the kind, the
 * subject and the data are stored in plain text, kept after the job is done, and the kind and
 * subject are logged. Store ids and names, and look the rest up when the job runs.
 *
 * @param id the store's id for the job
 * @param kind names the {@link JobHandler} that runs it, like {@code rotation.deactivate-old-key}
 * @param subject what the job is about, like an access key id; jobs are found and cancelled by it
 * @param data small string values the handler needs, stored as a JSON object
 * @param dueAt when the job should run, to the millisecond
 * @param attempts how many times it has been claimed to run, including the current run
 */
public record Job(
    long id, String kind, String subject, Map<String, String> data, Instant dueAt, int attempts) {

  public Job {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(dueAt, "dueAt");
    data = Map.copyOf(data);
  }

  // Data values are not secret, but they are nobody's business in a log line either.
  @Override
  public String toString() {
    return "Job[id="
        + id
        + ", kind="
        + kind
        + ", subject="
        + subject
        + ", dataKeys="
        + new TreeSet<>(data.keySet())
        + ", dueAt="
        + dueAt
        + ", attempts="
        + attempts
        + "]";
  }
}
