package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.request.builtin.EventRequest;
import com.slack.api.model.event.AppMentionEvent;
import dev.keysmith.core.Deliveries;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlDeliveries;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventRetriesTest {
  private final AtomicInteger runs = new AtomicInteger();
  private final App app = replica(Deliveries.alone());
  @TempDir Path dataDir;

  /** An app with the middleware over {@code deliveries}, counting the runs of its one listener. */
  private App replica(Deliveries deliveries) {
    App replica = new App(AppConfig.builder().build(), new ArrayList<>());
    replica.use(new EventRetries(deliveries));
    replica.event(
        AppMentionEvent.class,
        (payload, ctx) -> {
          runs.incrementAndGet();
          return ctx.ack();
        });
    return replica;
  }

  @Test
  void run_retryOfAnEventAlreadyRun_isAnswered200_andNotRunAgain() throws Exception {
    assertEquals(200, app.run(event("Ev1", null)).getStatusCode());
    assertEquals(200, app.run(event("Ev1", "1")).getStatusCode());
    assertEquals(200, app.run(event("Ev1", "2")).getStatusCode());

    assertEquals(1, runs.get());
  }

  @Test
  void run_retryWhoseFirstDeliveryNeverArrived_runsOnce() throws Exception {
    assertEquals(200, app.run(event("Ev2", "1")).getStatusCode());
    assertEquals(200, app.run(event("Ev2", "2")).getStatusCode());

    assertEquals(1, runs.get());
  }

  @Test
  void run_distinctEvents_eachRuns() throws Exception {
    app.run(event("Ev3", null));
    app.run(event("Ev4", null));

    assertEquals(2, runs.get());
  }

  @Test
  void run_retryThatReachesAnotherReplica_isAnswered200_andNotRunAgain() throws Exception {
    TestDatabase postgres = TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir);
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:15:30Z"));
    try (Database one = postgres.open();
        Database two = postgres.open()) {
      App first = replica(new SqlDeliveries(one, clock));
      App second = replica(new SqlDeliveries(two, clock));

      assertEquals(200, first.run(event("Ev5", null)).getStatusCode());
      assertEquals(200, second.run(event("Ev5", "1")).getStatusCode());
      assertEquals(200, first.run(event("Ev5", "2")).getStatusCode());
      assertEquals(200, second.run(event("Ev6", null)).getStatusCode());

      assertEquals(2, runs.get());
    }
  }

  @Test
  void run_whenTheSharedRecordFails_runsTheEventRatherThanLoseIt() throws Exception {
    Deliveries broken = mock(Deliveries.class);
    when(broken.takeIn(anyString())).thenThrow(new IllegalStateException("database down"));
    App alone = replica(broken);

    assertEquals(200, alone.run(event("Ev7", null)).getStatusCode());
    assertEquals(200, alone.run(event("Ev7", "1")).getStatusCode());

    assertEquals(1, runs.get());
  }

  private static EventRequest event(String eventId, String retryNum) {
    Map<String, List<String>> headers =
        retryNum == null ? Map.of() : Map.of("X-Slack-Retry-Num", List.of(retryNum));
    String body =
        "{\"type\":\"event_callback\",\"team_id\":\"T0001\",\"event_id\":\""
            + eventId
            + "\",\"event\":{\"type\":\"app_mention\",\"user\":\"U0001\",\"text\":\"hi\","
            + "\"channel\":\"C0001\",\"ts\":\"1.1\"}}";
    return new EventRequest(body, new RequestHeaders(headers));
  }
}
