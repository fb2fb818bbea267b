package dev.keysmith.slack;

import dev.keysmith.core.Liveness;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code GET /health} answers: 200 while the database answers a real query (the job backlog),
 * 503 when it does not. When Slack's Web API and IAM last answered or failed is reported but never
 * makes it 503: Keysmith keeps running through their outages and retries. The JSON holds counts and
 * times only, never a secret or a stored value.
 *
 * @param jobs the job backlog, or null when the database could not be read
 * @param outbox the Slack messages waiting to be delivered and given up on lately, or null when the
 *     database could not be read
 * @param slack Slack Web API calls
 * @param iam IAM calls
 * @param recovering what Keysmith still waits to finish of what a stop cut off ({@code
 *     jobs.Recovery}), which does not make it 503 either
 */
public record Health(
    @Nullable JobBacklog jobs,
    @Nullable OutboxBacklog outbox,
    Liveness.Seen slack,
    Liveness.Seen iam,
    List<String> recovering) {
  private static final Logger log = LoggerFactory.getLogger(Health.class);

  public Health {
    recovering = List.copyOf(recovering);
  }

  /** Health with nothing left to recover. */
  public Health(
      @Nullable JobBacklog jobs,
      @Nullable OutboxBacklog outbox,
      Liveness.Seen slack,
      Liveness.Seen iam) {
    this(jobs, outbox, slack, iam, List.of());
  }

  /**
   * A check that reads {@code jobs} and {@code outbox} from the database, the two services'
   * liveness and the recovery steps still waiting, as {@code recovering} names them.
   */
  public static Supplier<Health> check(
      Supplier<JobBacklog> jobs,
      Supplier<OutboxBacklog> outbox,
      Liveness slack,
      Liveness iam,
      Supplier<List<String>> recovering) {
    return () -> {
      JobBacklog jobBacklog;
      OutboxBacklog outboxBacklog;
      try {
        jobBacklog = jobs.get();
        outboxBacklog = outbox.get();
      } catch (RuntimeException e) {
        log.warn("Health check: the database is unusable: {}", e.toString());
        jobBacklog = null;
        outboxBacklog = null;
      }
      return new Health(jobBacklog, outboxBacklog, slack.seen(), iam.seen(), recovering.get());
    };
  }

  /** Whether Keysmith can serve: its database answers. */
  public boolean usable() {
    return jobs != null && outbox != null;
  }

  /** The HTTP status: 200 when usable, else 503. */
  public int status() {
    return usable() ? 200 : 503;
  }

  /** The body, as one line of JSON. */
  public String json() {
    String status = usable() ? "ok" : "unavailable";
    StringBuilder json = new StringBuilder(200);
    json.append("{\"status\":\"").append(status).append("\",\"database\":\"").append(status);
    json.append("\",\"jobs\":");
    if (jobs == null) {
      json.append("null");
    } else {
      json.append("{\"pending\":")
          .append(jobs.pending())
          .append(",\"overdue\":")
          .append(jobs.overdue())
          .append('}');
    }
    json.append(",\"outbox\":");
    if (outbox == null) {
      json.append("null");
    } else {
      json.append("{\"pending\":")
          .append(outbox.pending())
          .append(",\"overdue\":")
          .append(outbox.overdue())
          .append(",\"undeliverable\":")
          .append(outbox.undeliverable())
          .append('}');
    }
    json.append(",\"slack\":");
    seen(json, slack);
    json.append(",\"iam\":");
    seen(json, iam);
    json.append(",\"recovering\":[");
    for (int i = 0; i < recovering.size(); i++) {
      // Keysmith's own step names: words and spaces; quotes and backslashes are dropped anyway.
      json.append(i == 0 ? "\"" : ",\"")
          .append(recovering.get(i).replaceAll("[\"\\\\\\p{Cntrl}]", ""))
          .append('"');
    }
    return json.append("]}").toString();
  }

  private static void seen(StringBuilder json, Liveness.Seen seen) {
    json.append("{\"lastOk\":");
    time(json, seen.lastOk());
    json.append(",\"lastError\":");
    time(json, seen.lastError());
    json.append('}');
  }

  // An Instant prints as ISO-8601 in UTC: digits, '-', ':', '.', 'T' and 'Z', nothing to escape.
  private static void time(StringBuilder json, @Nullable Instant at) {
    if (at == null) {
      json.append("null");
    } else {
      json.append('"').append(at).append('"');
    }
  }
}
