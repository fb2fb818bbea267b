package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.WAIT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysmith.store.Database;
import dev.keysmith.testing.FakeSocketMode;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.TestDatabase;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;

/**
 * {@code GET /metrics} scraped from a running Keysmith after real work: a whole create-user flow, a
 * Slack 429, a token, Socket Mode.
 */
class MetricsIT {
  private static final String TOKEN = "metrics-token-0123456789abcdef";

  @TempDir Path dataDir;

  @Test
  void metrics_withATokenSet_answerOnlyTheRightBearer() throws Exception {
    try (KeysmithFixture k = new KeysmithFixture(dataDir)) {
      k.metricsToken = Optional.of(TOKEN);
      k.restart();

      assertEquals(401, k.get("/metrics", null).statusCode());
      assertEquals(401, k.get("/metrics", "Bearer wrong-token-0123456789abcdef").statusCode());
      assertEquals(401, k.get("/metrics", TOKEN).statusCode(), "the scheme is needed");
      HttpResponse<String> right = k.get("/metrics", "Bearer " + TOKEN);
      assertEquals(200, right.statusCode());
      assertTrue(right.body().contains("keysmith_outbox_pending"), right.body());
      assertEquals(200, k.get("/health", null).statusCode(), "the health check needs no token");
    }
  }

  @Test
  void slack429_isCountedAsRateLimited_andTheMessageIsDeliveredAfterItsPause() throws Exception {
    try (KeysmithFixture k = new KeysmithFixture(dataDir)) {
      k.slack.rateLimitNext("chat.postMessage", Duration.ofSeconds(3));
      k.submitForm(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
      k.idle();
      k.clock.advance(Duration.ofSeconds(4));
      k.keysmith.housekeeping();
      k.idle();

      String scrape = scrape(k);
      assertEquals(
          1.0,
          value(
              scrape,
              "keysmith_slack_calls_total",
              "method",
              "chat.postMessage",
              "result",
              "rate_limited"),
          scrape);
      assertEquals(
          1.0,
          value(
              scrape,
              "keysmith_outbox_attempts_total",
              "method",
              "chat.postMessage",
              "outcome",
              "rate_limited"),
          scrape);
      assertEquals(
          3.0,
          value(
              scrape,
              "keysmith_slack_rate_limit_pause_seconds_total",
              "method",
              "chat.postMessage"),
          scrape);
      assertTrue(
          value(scrape, "keysmith_slack_calls_total", "method", "chat.postMessage", "result", "ok")
              >= 1.0,
          scrape);
    }
  }

  @Test
  void iamThrottling_isCountedAsThrottledRetries_ofACallThatThenSucceeds() throws Exception {
    try (KeysmithFixture k = new KeysmithFixture(dataDir)) {
      String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
      k.proxy.failNext("CreateUser", 2, 400, "Throttling");
      k.click(APPROVER, "keysmith_approve", id);

      String scrape = scrape(k);
      assertEquals(
          2.0,
          value(
              scrape,
              "keysmith_iam_retries_total",
              "operation",
              "CreateUser",
              "reason",
              "throttled"),
          scrape);
      assertEquals(
          1.0,
          value(scrape, "keysmith_iam_calls_total", "operation", "CreateUser", "result", "ok"),
          scrape);
      assertTrue(
          value(scrape, "keysmith_iam_calls_total", "operation", "ListGroups", "result", "ok")
              >= 1.0,
          "the cache's loads are IAM calls too: " + scrape);
    }
  }

  @Test
  void metrics_afterACreateUserFlow_countEachStep_andNameNoUserIdOrSecret() throws Exception {
    try (KeysmithFixture k = new KeysmithFixture(dataDir)) {
      assertEquals(
          200,
          k.send
              .slashCommand(REQUESTER, "create-user", "t.open", k.slack.newResponseUrl())
              .status());
      k.idle();
      String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "quarterly reports");
      k.click(APPROVER, "keysmith_approve", id);
      k.click(OWNER, "keysmith_get_credentials", id);
      String url = k.slack.newResponseUrl();
      k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
      String shown =
          k.slack.responseUrlPosts().stream()
              .filter(p -> p.url().equals(url))
              .reduce((a, b) -> b)
              .orElseThrow()
              .raw();
      AccessKeyMetadata key =
          k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().get(0);
      Matcher secret = Pattern.compile("aws_secret_access_key = ([A-Za-z0-9/+=]+)").matcher(shown);
      assertTrue(secret.find(), "the reveal showed a secret: " + shown);

      HttpResponse<String> response = k.get("/metrics", null);
      assertEquals(200, response.statusCode());
      assertEquals(
          "text/plain; version=0.0.4; charset=utf-8",
          response.headers().firstValue("Content-Type").orElseThrow());
      String scrape = response.body();

      assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome", "submitted"), scrape);
      assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome", "approved"), scrape);
      assertEquals(1.0, value(scrape, "keysmith_requests_total", "outcome", "provisioned"), scrape);
      assertEquals(1.0, value(scrape, "keysmith_deliveries_total", "outcome", "offered"), scrape);
      assertEquals(1.0, value(scrape, "keysmith_deliveries_total", "outcome", "revealed"), scrape);
      assertEquals(
          1.0, value(scrape, "keysmith_audit_events_total", "action", "iam.CreateUser"), scrape);
      assertEquals(
          1.0,
          value(scrape, "keysmith_iam_calls_total", "operation", "CreateUser", "result", "ok"),
          scrape);
      assertEquals(
          1.0,
          value(scrape, "keysmith_iam_calls_total", "operation", "CreateAccessKey", "result", "ok"),
          scrape);
      assertTrue(
          value(scrape, "keysmith_slack_calls_total", "method", "chat.postMessage", "result", "ok")
              >= 2.0,
          "the approvals post and the owner's offer: " + scrape);
      assertTrue(
          value(
                  scrape,
                  "keysmith_outbox_attempts_total",
                  "method",
                  "chat.postMessage",
                  "outcome",
                  "delivered")
              >= 2.0,
          scrape);
      assertEquals(
          1.0,
          value(scrape, "keysmith_slack_calls_total", "method", "views.open", "result", "ok"),
          scrape);
      assertTrue(
          value(scrape, "keysmith_slack_calls_total", "method", "response_url", "result", "ok")
              >= 2.0,
          "the reveal prompt and the secret, through response_urls: " + scrape);
      for (String kind : List.of("command", "view_submission", "block_action")) {
        assertTrue(
            value(scrape, "keysmith_slack_ack_seconds_count", "kind", kind, "transport", "http")
                >= 1.0,
            kind + ": " + scrape);
      }
      assertTrue(
          scrape.contains("keysmith_slack_ack_seconds_bucket{") && scrape.contains("le=\"2.5\""),
          "a bucket at 2.5 s for the slow-ack alert: " + scrape);
      assertEquals(0.0, value(scrape, "keysmith_outbox_pending"), scrape);
      assertEquals(0.0, value(scrape, "keysmith_outbox_undeliverable"), scrape);
      assertTrue(value(scrape, "keysmith_jobs_pending") >= 0.0, scrape);

      for (String forbidden :
          List.of(
              "alice", id, REQUESTER, OWNER, APPROVER, key.accessKeyId(), secret.group(1), url)) {
        assertFalse(scrape.contains(forbidden), forbidden + " appears in the scrape");
      }
    }
  }

  @Test
  void socketMode_servesHealthAndMetrics_butNotSlacksEndpoint() throws Exception {
    try (KeysmithFixture k =
        new KeysmithFixture(
            dataDir, TestDatabase.of(Database.Dialect.SQLITE, dataDir), /* socketMode= */ true)) {
      FakeSocketMode socket = Objects.requireNonNull(k.socket);
      socket.awaitConnections(1, WAIT);
      String envelopeId = socket.newEnvelopeId();
      socket.send(
          0,
          FakeSocketMode.envelope(
              envelopeId,
              "slash_commands",
              commandPayload(REQUESTER, "create-user", k.slack.newResponseUrl())));
      socket.awaitAnswer(envelopeId, WAIT);
      k.idle();

      HttpResponse<String> health = k.get("/health", null);
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
      HttpResponse<String> metrics = k.get("/metrics", null);
      assertEquals(200, metrics.statusCode());
      assertEquals(
          1.0,
          value(
              metrics.body(),
              "keysmith_slack_ack_seconds_count",
              "kind",
              "command",
              "transport",
              "socket_mode"),
          metrics.body());
      assertEquals(
          1.0,
          value(
              metrics.body(), "keysmith_slack_calls_total", "method", "views.open", "result", "ok"),
          metrics.body());

      HttpResponse<String> events =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + k.keysmith.port() + "/slack/events"))
                      .POST(HttpRequest.BodyPublishers.ofString("token=x"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(404, events.statusCode(), "Slack's endpoint is not served in Socket Mode");
    }
  }

  private static String scrape(KeysmithFixture k) throws Exception {
    HttpResponse<String> response = k.get("/metrics", null);
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /**
   * The value of the series {@code name} with the labels {@code labels} (name, value, ...) among
   * its own; fails when no such series is in the scrape.
   */
  static double value(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n", -1)) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " " + List.of(labels) + " is not in the scrape:\n" + scrape);
  }

  /** A slash command's payload in Socket Mode: the fields Slack would post as a form, in JSON. */
  private static ObjectNode commandPayload(String user, String text, String url) {
    SlackRequests payloads =
        new SlackRequests(
            URI.create("http://127.0.0.1:1/not-listening"), KeysmithFixture.SIGNING_SECRET);
    ObjectNode payload = new ObjectMapper().createObjectNode();
    for (String pair :
        payloads.slashCommandBody(user, text, SlackRequests.newTriggerId(), url).split("&", -1)) {
      int eq = pair.indexOf('=');
      payload.put(
          URLDecoder.decode(pair.substring(0, eq), UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), UTF_8));
    }
    return payload;
  }
}
