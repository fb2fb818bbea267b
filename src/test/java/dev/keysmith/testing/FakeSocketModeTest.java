package dev.keysmith.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.methods.response.apps.connections.AppsConnectionsOpenResponse;
import com.slack.api.socket_mode.SocketModeClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake Socket Mode server, driven by the Slack SDK's own Socket Mode client. */
final class FakeSocketModeTest {
  private static final String APP_TOKEN = "xapp-test";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeSlackApi api;
  private FakeSocketMode socket;
  private Slack slack;

  @BeforeEach
  void start() {
    api = FakeSlackApi.start();
    socket = FakeSocketMode.start();
    slack = Slack.getInstance(api.slackConfig());
  }

  @AfterEach
  void stop() throws Exception {
    slack.close();
    socket.close();
    api.close();
  }

  @Test
  void appsConnectionsOpen_unattached_isUnknown_attached_handsOutTheSocketUrl() throws Exception {
    AppsConnectionsOpenResponse before = slack.methods(APP_TOKEN).appsConnectionsOpen(r -> r);
    api.attach(socket);
    AppsConnectionsOpenResponse after = slack.methods(APP_TOKEN).appsConnectionsOpen(r -> r);

    assertFalse(before.isOk());
    assertEquals("unknown_method", before.getError());
    assertTrue(after.isOk());
    assertEquals(socket.url(), after.getUrl());
    assertTrue(socket.url().startsWith("ws://127.0.0.1:"), socket.url());
  }

  @Test
  void eachConnection_isGreeted_getsTheEnvelopesSentOnIt_andItsAnswersAreCollected()
      throws Exception {
    api.attach(socket);
    BlockingQueue<String> one = new LinkedBlockingQueue<>();
    BlockingQueue<String> two = new LinkedBlockingQueue<>();
    // One at a time, so that the first client is connection 0 and the second connection 1.
    try (SocketModeClient first = connect(one)) {
      socket.awaitConnections(1, WAIT);
      try (SocketModeClient second = connect(two)) {
        socket.awaitConnections(2, WAIT);
        assertEquals("hello", JSON.readTree(one.poll(10, TimeUnit.SECONDS)).path("type").asText());
        assertEquals("hello", JSON.readTree(two.poll(10, TimeUnit.SECONDS)).path("type").asText());

        String envelopeId = socket.newEnvelopeId();
        String envelope =
            FakeSocketMode.envelope(
                envelopeId, "slash_commands", JSON.createObjectNode().put("command", "/iam"));
        socket.send(1, envelope);
        assertEquals(
            envelopeId, JSON.readTree(two.poll(10, TimeUnit.SECONDS)).path("envelope_id").asText());
        second.sendSocketModeResponse("{\"envelope_id\":\"" + envelopeId + "\"}");
        // Answers on two connections may arrive in either order: take each before the next.
        FakeSocketMode.Answer plain = socket.awaitAnswer(envelopeId, WAIT);
        socket.send(0, envelope);
        assertEquals(envelope, one.poll(10, TimeUnit.SECONDS));
        first.sendSocketModeResponse(
            "{\"envelope_id\":\"" + envelopeId + "\",\"payload\":{\"text\":\"hi\"}}");
        FakeSocketMode.Answer withPayload = socket.awaitAnswer(envelopeId, WAIT);

        assertEquals(1, plain.connection());
        assertTrue(plain.payload().isMissingNode(), plain.raw());
        assertEquals(0, withPayload.connection());
        assertEquals("hi", withPayload.payload().path("text").asText());
        assertEquals(List.of(), socket.pendingAnswers(envelopeId));
        assertTrue(one.isEmpty() && two.isEmpty(), "nothing else was sent");
      }
    }
  }

  @Test
  void awaitAnswer_noAnswer_failsAfterTheTimeout() {
    assertThrows(AssertionError.class, () -> socket.awaitAnswer("env-none", Duration.ofMillis(50)));
  }

  @Test
  void send_onAConnectionThatNeverOpened_fails() {
    assertThrows(AssertionError.class, () -> socket.send(0, "{}"));
  }

  private SocketModeClient connect(BlockingQueue<String> received) throws Exception {
    SocketModeClient client = slack.socketMode(APP_TOKEN);
    client.addWebSocketMessageListener(received::add);
    client.connect();
    return client;
  }
}
