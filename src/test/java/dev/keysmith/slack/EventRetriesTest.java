package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.request.builtin.EventRequest;
import com.slack.api.model.event.AppMentionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventRetriesTest {
  private final AtomicInteger runs = new AtomicInteger();
  private final App app = new App(AppConfig.builder().build(), new ArrayList<>());

  EventRetriesTest() {
    app.use(new EventRetries());
    app.event(
        AppMentionEvent.class,
        (payload, ctx) -> {
          runs.incrementAndGet();
          return ctx.ack();
        });
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
