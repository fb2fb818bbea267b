package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import dev.keysmith.core.Deliveries;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlDeliveries;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketModeDispatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger commands = new AtomicInteger();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:15:30Z"));
  private final AtomicInteger submissions = new AtomicInteger();
  // No built-in middleware: nothing calls auth.test; Socket Mode requests carry no signature.
  private final App app = new App(AppConfig.builder().build(), new ArrayList<>());

  SocketModeDispatchTest() {
    app.command(
        "/iam",
        (req, ctx) -> {
          commands.incrementAndGet();
          return ctx.ack();
        });
    app.viewSubmission(
        "create_user",
        (req, ctx) -> {
          submissions.incrementAndGet();
          return ctx.ackWithErrors(Map.of("iam_user_name", "n" + submissions.get()));
        });
  }

  private final SocketModeDispatch dispatch =
      new SocketModeDispatch(app, sent::add, Deliveries.alone(), Duration.ZERO);

  @TempDir Path dataDir;

  @Test
  void handle_sameEnvelopeTwice_runsTheListenerOnce_andAcksBoth() throws Exception {
    dispatch.handle(command("env-1", "/iam"));
    dispatch.handle(command("env-1", "/iam"));

    assertEquals(1, commands.get());
    assertEquals(2, sent.size());
    for (String answer : sent) {
      assertEquals("env-1", JSON.readTree(answer).path("envelope_id").asText());
    }
  }

  @Test
  void handle_viewSubmissionTwice_repeatGetsTheFirstAnswer() throws Exception {
    dispatch.handle(submission("env-2"));
    dispatch.handle(submission("env-2"));

    assertEquals(1, submissions.get());
    assertEquals(2, sent.size());
    JsonNode first = JSON.readTree(sent.get(0));
    assertEquals("errors", first.path("payload").path("response_action").asText());
    assertEquals(first, JSON.readTree(sent.get(1)));
  }

  @Test
  void handle_envelopeNoListenerHandles_isAcked() throws Exception {
    dispatch.handle(command("env-3", "/unknown"));

    assertEquals(0, commands.get());
    assertEquals(1, sent.size());
    JsonNode ack = JSON.readTree(sent.get(0));
    assertEquals("env-3", ack.path("envelope_id").asText());
    assertTrue(ack.path("payload").isMissingNode(), sent.get(0));
  }

  @Test
  void handle_listenerThrows_isAckedOnce_andNotRunAgainWhenRedelivered() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    app.command(
        "/boom",
        (req, ctx) -> {
          runs.incrementAndGet();
          throw new IllegalStateException("boom");
        });

    dispatch.handle(command("env-4", "/boom"));
    dispatch.handle(command("env-4", "/boom"));

    assertEquals(1, runs.get());
    assertEquals(2, sent.size());
    assertEquals("env-4", JSON.readTree(sent.get(1)).path("envelope_id").asText());
  }

  @Test
  void handle_distinctEnvelopes_eachRuns() {
    dispatch.handle(command("env-5", "/iam"));
    dispatch.handle(command("env-6", "/iam"));

    assertEquals(2, commands.get());
    assertEquals(2, sent.size());
  }

  @Test
  void handle_repeatReachingAnotherReplica_isNotRunThere_andGetsTheFirstAnswer() throws Exception {
    TestDatabase postgres = TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir);
    try (Database one = postgres.open();
        Database two = postgres.open()) {
      BlockingQueue<String> sentByOther = new LinkedBlockingQueue<>();
      SocketModeDispatch first =
          new SocketModeDispatch(
              app, sent::add, new SqlDeliveries(one, clock), Duration.ofSeconds(5));
      SocketModeDispatch second =
          new SocketModeDispatch(
              app, sentByOther::add, new SqlDeliveries(two, clock), Duration.ofSeconds(5));

      first.handle(submission("env-7"));
      second.handle(submission("env-7"));
      second.handle(submission("env-7")); // and again, to the replica that has seen it once

      assertEquals(1, submissions.get());
      JsonNode answer = JSON.readTree(sent.get(0));
      assertEquals("errors", answer.path("payload").path("response_action").asText());
      assertEquals(answer, JSON.readTree(sentByOther.poll(10, TimeUnit.SECONDS)));
      assertEquals(answer, JSON.readTree(sentByOther.poll(10, TimeUnit.SECONDS)));
    }
  }

  @Test
  void handle_repeatWhileTheOtherReplicaHasNotAnswered_isAckedPlainly_andNotRun() throws Exception {
    TestDatabase postgres = TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir);
    try (Database one = postgres.open();
        Database two = postgres.open()) {
      BlockingQueue<String> answers = new LinkedBlockingQueue<>();
      // The first replica took the envelope in and then stopped before answering.
      assertTrue(new SqlDeliveries(one, clock).takeIn("envelope:env-8"));
      SocketModeDispatch second =
          new SocketModeDispatch(
              app, answers::add, new SqlDeliveries(two, clock), Duration.ofMillis(300));

      second.handle(submission("env-8"));

      JsonNode ack = JSON.readTree(answers.poll(10, TimeUnit.SECONDS));
      assertEquals("env-8", ack.path("envelope_id").asText());
      assertTrue(ack.path("payload").isMissingNode(), ack.toString());
      assertEquals(0, submissions.get());
    }
  }

  @Test
  void handle_whenTheSharedRecordFails_runsTheEnvelopeRatherThanLoseIt() throws Exception {
    Deliveries broken = mock(Deliveries.class);
    when(broken.takeIn(anyString())).thenThrow(new IllegalStateException("database down"));
    doThrow(new IllegalStateException("database down"))
        .when(broken)
        .answered(anyString(), anyString());
    SocketModeDispatch alone = new SocketModeDispatch(app, sent::add, broken, Duration.ZERO);

    alone.handle(command("env-9", "/iam"));
    alone.handle(command("env-9", "/iam"));

    assertEquals(1, commands.get());
    assertEquals(2, sent.size());
  }

  @Test
  void handle_helloMessage_isNotAnswered() {
    dispatch.handle("{\"type\":\"hello\",\"num_connections\":1}");

    assertTrue(sent.isEmpty());
  }

  private static String command(String envelopeId, String command) {
    return envelope(
        envelopeId,
        "slash_commands",
        "{\"token\":\"t\",\"team_id\":\"T0001\",\"channel_id\":\"C0001\",\"user_id\":\"U0001\","
            + "\"command\":\""
            + command
            + "\",\"text\":\"create-user\",\"trigger_id\":\"1.2.abc\","
            + "\"response_url\":\"https://hooks.slack.com/commands/T0001/1/x\"}");
  }

  private static String submission(String envelopeId) {
    return envelope(
        envelopeId,
        "interactive",
        "{\"type\":\"view_submission\",\"team\":{\"id\":\"T0001\"},\"user\":{\"id\":\"U0001\"},"
            + "\"view\":{\"id\":\"V0001\",\"type\":\"modal\",\"callback_id\":\"create_user\","
            + "\"hash\":\"h1\",\"state\":{\"values\":{}}}}");
  }

  private static String envelope(String envelopeId, String type, String payload) {
    return "{\"envelope_id\":\""
        + envelopeId
        + "\",\"type\":\""
        + type
        + "\",\"accepts_response_payload\":true,\"payload\":"
        + payload
        + "}";
  }
}
