package dev.keysmith.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Metrics;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountedAuditTrailTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dataDir;
  private Database db;
  private final List<String> counted = new CopyOnWriteArrayList<>();
  private CountedAuditTrail audit;

  @BeforeEach
  void open() {
    db = Database.open(dataDir);
    audit = new CountedAuditTrail(new SqlAuditTrail(db), db, counting());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void record_inARolledBackTransaction_countsNothing() {
    assertThrows(
        IllegalStateException.class,
        () ->
            db.atomically(
                "fails",
                () -> {
                  record(AuditAction.REQUEST_APPROVED);
                  throw new IllegalStateException("rolled back");
                }));

    assertEquals(List.of(), counted);
    assertEquals(List.of(), audit.forRequest("KS-1"));
  }

  @Test
  void record_inATransaction_countsOnceItCommits() {
    db.atomically(
        "commits",
        () -> {
          record(AuditAction.REQUEST_APPROVED);
          record(AuditAction.REQUEST_PROVISIONED);
          assertEquals(List.of(), counted, "not before the commit");
          return null;
        });

    assertEquals(List.of("request.approved", "request.provisioned"), counted);
    assertEquals(2, audit.forRequest("KS-1").size());
  }

  @Test
  void record_outsideATransaction_countsAtOnce() {
    record(AuditAction.SLACK_UNDELIVERABLE);

    assertEquals(List.of("slack.undeliverable"), counted);
  }

  private void record(AuditAction action) {
    audit.record(T0, "KS-1", "U0APPROVER1", action, Map.of());
  }

  private Metrics counting() {
    Metrics none = Metrics.none();
    return new Metrics() {
      @Override
      public void audited(String action) {
        counted.add(action);
      }

      @Override
      public void slackCall(String method, SlackResult result) {
        none.slackCall(method, result);
      }

      @Override
      public void outboxAttempt(String method, OutboxOutcome outcome, Duration retryAfter) {
        none.outboxAttempt(method, outcome, retryAfter);
      }

      @Override
      public void iamCall(
          String operation, IamResult result, int throttledRetries, int otherRetries) {
        none.iamCall(operation, result, throttledRetries, otherRetries);
      }

      @Override
      public void acked(AckKind kind, Transport transport, long nanos) {
        none.acked(kind, transport, nanos);
      }

      @Override
      public void keysPastMaxAge(long count) {
        none.keysPastMaxAge(count);
      }
    };
  }
}
