package dev.keysmith.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Metrics;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
  private final PrometheusMetrics metrics = new PrometheusMetrics();

  // ---- labels hold fixed values only ----

  @Test
  void namesAndIdsPassedAsMethodsOrActions_becomeOther() {
    List<String> forbidden =
        List.of("alice", "KS-12345", "U0REQUESTER", "AKIAEXAMPLE123", "C0APPROVALS", "x\"}y");
    for (String value : forbidden) {
      metrics.audited(value);
      metrics.slackCall(value, Metrics.SlackResult.OK);
      metrics.outboxAttempt(value, Metrics.OutboxOutcome.DELIVERED, Duration.ZERO);
      metrics.iamCall(value, Metrics.IamResult.OK, 1, 1);
    }

    String scrape = metrics.scrape();

    for (String value : forbidden) {
      assertFalse(scrape.contains(value), value + " in:\n" + scrape);
    }
    assertEquals(6.0, value(scrape, "keysmith_audit_events_total", "action=\"other\""));
    assertEquals(
        6.0, value(scrape, "keysmith_slack_calls_total", "method=\"other\"", "result=\"ok\""));
    assertEquals(
        6.0, value(scrape, "keysmith_iam_calls_total", "operation=\"other\"", "result=\"ok\""));
  }

  @Test
  void keysmithSeries_carryOnlyLabelsOfFixedSets() {
    metrics.audited("request.approval-counted");
    metrics.slackCall("chat.update", Metrics.SlackResult.RATE_LIMITED);
    metrics.outboxAttempt(
        "chat.update", Metrics.OutboxOutcome.RATE_LIMITED, Duration.ofSeconds(30));
    metrics.iamCall("CreateUser", Metrics.IamResult.THROTTLED, 7, 0);
    metrics.acked(Metrics.AckKind.BLOCK_ACTION, Metrics.Transport.SOCKET_MODE, 1_000_000);
    Set<String> fixed =
        Set.of("action", "outcome", "method", "result", "operation", "reason", "kind", "transport");
    Pattern label = Pattern.compile("(\\w+)=\"");

    List<String> series = metrics.scrape().lines().filter(l -> l.startsWith("keysmith_")).toList();

    assertTrue(series.size() > 10, series.toString());
    for (String line : series) {
      Matcher m = label.matcher(line);
      while (m.find()) {
        assertTrue(fixed.contains(m.group(1)) || m.group(1).equals("le"), line);
      }
    }
  }

  // ---- counters move with domain calls ----

  @Test
  void audited_countsTheActionAndItsFamily() {
    metrics.audited("request.submitted");
    metrics.audited("request.approved");
    metrics.audited("request.approval-counted");
    metrics.audited("delivery.revealed");
    metrics.audited("rotation.done");
    metrics.audited("iam.CreateUser");

    String scrape = metrics.scrape();

    assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome=\"submitted\""));
    assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome=\"approved\""));
    assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome=\"approval_counted\""));
    assertEquals(1.0, value(scrape, "keysmith_deliveries_total", "outcome=\"revealed\""));
    assertEquals(1.0, value(scrape, "keysmith_rotations_total", "outcome=\"done\""));
    assertEquals(1.0, value(scrape, "keysmith_audit_events_total", "action=\"iam.CreateUser\""));
  }

  @Test
  void slackAndOutbox_countResultsRetriesAndPauses() {
    metrics.slackCall("chat.postMessage", Metrics.SlackResult.OK);
    metrics.slackCall("chat.postMessage", Metrics.SlackResult.RATE_LIMITED);
    metrics.outboxAttempt(
        "chat.postMessage", Metrics.OutboxOutcome.RATE_LIMITED, Duration.ofSeconds(30));
    metrics.outboxAttempt("chat.postMessage", Metrics.OutboxOutcome.RETRIED, Duration.ZERO);
    metrics.outboxAttempt("chat.postMessage", Metrics.OutboxOutcome.DELIVERED, Duration.ZERO);

    String scrape = metrics.scrape();

    assertEquals(
        1.0,
        value(
            scrape,
            "keysmith_slack_calls_total",
            "method=\"chat.postMessage\"",
            "result=\"rate_limited\""));
    assertEquals(
        1.0,
        value(
            scrape,
            "keysmith_outbox_attempts_total",
            "method=\"chat.postMessage\"",
            "outcome=\"retried\""));
    assertEquals(
        30.0,
        value(
            scrape,
            "keysmith_slack_rate_limit_pause_seconds_total",
            "method=\"chat.postMessage\""));
  }

  @Test
  void iamCall_countsTheCallAndEachKindOfRetry() {
    metrics.iamCall("CreateUser", Metrics.IamResult.OK, 2, 1);
    metrics.iamCall("CreateUser", Metrics.IamResult.THROTTLED, 7, 0);

    String scrape = metrics.scrape();

    assertEquals(
        1.0,
        value(scrape, "keysmith_iam_calls_total", "operation=\"CreateUser\"", "result=\"ok\""));
    assertEquals(
        1.0,
        value(
            scrape,
            "keysmith_iam_calls_total",
            "operation=\"CreateUser\"",
            "result=\"throttled\""));
    assertEquals(
        9.0,
        value(
            scrape,
            "keysmith_iam_retries_total",
            "operation=\"CreateUser\"",
            "reason=\"throttled\""));
    assertEquals(
        1.0,
        value(
            scrape, "keysmith_iam_retries_total", "operation=\"CreateUser\"", "reason=\"error\""));
  }

  @Test
  void acked_fillsTheBucketsAnAlertOn2point5SecondsReads() {
    metrics.acked(
        Metrics.AckKind.VIEW_SUBMISSION, Metrics.Transport.HTTP, Duration.ofMillis(40).toNanos());
    metrics.acked(
        Metrics.AckKind.VIEW_SUBMISSION, Metrics.Transport.HTTP, Duration.ofMillis(2700).toNanos());

    String scrape = metrics.scrape();

    String series = "kind=\"view_submission\"";
    assertEquals(2.0, value(scrape, "keysmith_slack_ack_seconds_count", series));
    assertEquals(1.0, value(scrape, "keysmith_slack_ack_seconds_bucket", series, "le=\"2.5\""));
    assertEquals(2.0, value(scrape, "keysmith_slack_ack_seconds_bucket", series, "le=\"3.0\""));
  }

  // ---- gauges ----

  @Test
  void backlogs_areReadAtEachScrape_andNaNWhenTheDatabaseFails() {
    long[] pending = {3};
    metrics.watchBacklogs(() -> new JobBacklog(pending[0], 1), () -> new OutboxBacklog(5, 2, 1));
    assertEquals(3.0, value(metrics.scrape(), "keysmith_jobs_pending"));
    pending[0] = 4;
    String scrape = metrics.scrape();
    assertEquals(4.0, value(scrape, "keysmith_jobs_pending"));
    assertEquals(1.0, value(scrape, "keysmith_jobs_overdue"));
    assertEquals(5.0, value(scrape, "keysmith_outbox_pending"));
    assertEquals(2.0, value(scrape, "keysmith_outbox_overdue"));
    assertEquals(1.0, value(scrape, "keysmith_outbox_undeliverable"));

    metrics.watchBacklogs(
        () -> {
          throw new IllegalStateException("database gone");
        },
        () -> new OutboxBacklog(0, 0, 0));
    assertTrue(Double.isNaN(value(metrics.scrape(), "keysmith_jobs_pending")));
  }

  @Test
  void keysPastMaxAge_isUnknownUntilTheFirstScan() {
    assertTrue(Double.isNaN(value(metrics.scrape(), "keysmith_keys_past_max_age")));
    metrics.keysPastMaxAge(2);
    assertEquals(2.0, value(metrics.scrape(), "keysmith_keys_past_max_age"));
  }

  @Test
  void scrape_keepsTheJvmSeriesFew() {
    long series = metrics.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    assertTrue(series < 80, series + " series");
    assertTrue(metrics.scrape().contains("jvm_memory_used_bytes"));
  }

  /** The value of the first series of {@code name} holding every one of {@code labels}. */
  private static double value(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n", -1)) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " " + List.of(labels) + " is not in:\n" + scrape);
  }
}
