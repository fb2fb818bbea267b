package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Liveness;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import dev.keysmith.store.StoreException;
import dev.keysmith.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HealthTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final Liveness slack = new Liveness(clock);
  private final Liveness iam = new Liveness(clock);

  @Test
  void check_databaseFails_is503WithoutTheFailureInTheBody() {
    Supplier<Health> check =
        Health.check(
            () -> {
              throw new StoreException("count unfinished jobs failed (SQLITE_CORRUPT)");
            },
            () -> new OutboxBacklog(0, 0, 0),
            slack,
            iam,
            List::of);

    Health health = check.get();

    assertFalse(health.usable());
    assertEquals(503, health.status());
    assertEquals(
        "{\"status\":\"unavailable\",\"database\":\"unavailable\",\"jobs\":null,\"outbox\":null,"
            + "\"slack\":{\"lastOk\":null,\"lastError\":null},"
            + "\"iam\":{\"lastOk\":null,\"lastError\":null},\"recovering\":[]}",
        health.json());
  }

  @Test
  void check_slackAndIamFailing_isStill200AndSaysWhen() {
    slack.ok();
    iam.ok();
    clock.advance(Duration.ofMinutes(5));
    slack.failed();
    iam.failed();

    Health health =
        Health.check(
                () -> new JobBacklog(4, 2), () -> new OutboxBacklog(7, 5, 1), slack, iam, List::of)
            .get();

    assertTrue(health.usable());
    assertEquals(200, health.status());
    assertEquals(
        "{\"status\":\"ok\",\"database\":\"ok\",\"jobs\":{\"pending\":4,\"overdue\":2},"
            + "\"outbox\":{\"pending\":7,\"overdue\":5,\"undeliverable\":1},"
            + "\"slack\":{\"lastOk\":\"2026-12-03T10:00:00Z\",\"lastError\":\"2026-12-03T10:05:00Z\"},"
            + "\"iam\":{\"lastOk\":\"2026-12-03T10:00:00Z\",\"lastError\":\"2026-12-03T10:05:00Z\"},\"recovering\":[]}",
        health.json());
  }

  @Test
  void check_whileARecoveryStepWaitsForIam_isStill200AndNamesIt() {
    Health health =
        Health.check(
                () -> new JobBacklog(0, 0),
                () -> new OutboxBacklog(0, 0, 0),
                slack,
                iam,
                () -> List.of("delete the credentials of reveals a stop cut off"))
            .get();

    assertEquals(200, health.status());
    assertTrue(
        health
            .json()
            .endsWith(",\"recovering\":[\"delete the credentials of reveals a stop cut off\"]}"),
        health.json());
  }
}
