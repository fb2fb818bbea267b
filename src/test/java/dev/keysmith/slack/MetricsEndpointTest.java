package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Liveness;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}, its token, and the operations-only server Socket Mode runs. */
class MetricsEndpointTest {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private static final String TEXT =
      "# TYPE keysmith_jobs_pending gauge\nkeysmith_jobs_pending 3.0\n";
  private final HttpClient http = HttpClient.newHttpClient();
  private @Nullable SlackHttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  // ---- the token ----

  @Test
  void allows_withATokenSet_onlyTheExactBearer() {
    MetricsEndpoint endpoint = endpoint(Optional.of(TOKEN));

    assertFalse(endpoint.allows(null));
    assertFalse(endpoint.allows(""));
    assertFalse(endpoint.allows(TOKEN));
    assertFalse(endpoint.allows("Bearer " + TOKEN.substring(1)));
    assertFalse(endpoint.allows("Bearer " + TOKEN + "0"));
    assertFalse(endpoint.allows("Basic " + TOKEN));
    assertTrue(endpoint.allows("Bearer " + TOKEN));
  }

  @Test
  void allows_withoutAToken_anyone() {
    assertTrue(endpoint(Optional.empty()).allows(null));
  }

  @Test
  void get_withTheWrongToken_is401WithoutTheMetrics() throws Exception {
    start(Optional.of(TOKEN));

    HttpResponse<String> none = get("/metrics", null);
    HttpResponse<String> wrong = get("/metrics", "Bearer not-the-token-0123456789");

    assertEquals(401, none.statusCode());
    assertEquals(401, wrong.statusCode());
    assertFalse(wrong.body().contains("keysmith_jobs_pending"), wrong.body());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  @Test
  void get_withTheToken_isTheScrape() throws Exception {
    start(Optional.of(TOKEN));

    HttpResponse<String> right = get("/metrics", "Bearer " + TOKEN);

    assertEquals(200, right.statusCode());
    assertEquals(TEXT, right.body());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8",
        right.headers().firstValue("Content-Type").orElseThrow());
  }

  // ---- the operations-only server (Socket Mode) ----

  @Test
  void operationsOnly_refusesSlacksEndpoint_andServesHealthAndMetrics() throws Exception {
    start(Optional.empty());

    HttpResponse<String> events =
        http.send(
            HttpRequest.newBuilder(url("/slack/events"))
                .POST(HttpRequest.BodyPublishers.ofString("payload=%7B%7D"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> health = get("/health", null);
    HttpResponse<String> metrics = get("/metrics", null);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(url("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(404, events.statusCode());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"pending\":3"), health.body());
    assertEquals(200, metrics.statusCode());
    assertEquals(TEXT, metrics.body());
    assertEquals(405, post.statusCode());
  }

  private void start(Optional<String> token) throws Exception {
    server =
        SlackHttpServer.operationsOnly(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            () ->
                new Health(
                    new JobBacklog(3, 0),
                    new OutboxBacklog(0, 0, 0),
                    new Liveness.Seen(null, null),
                    new Liveness.Seen(null, null)),
            endpoint(token),
            SlackHttpServer.Limits.DEFAULT);
    server.start();
  }

  private static MetricsEndpoint endpoint(Optional<String> token) {
    return new MetricsEndpoint(() -> TEXT, "text/plain; version=0.0.4; charset=utf-8", token);
  }

  private HttpResponse<String> get(String path, @Nullable String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(5));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + java.util.Objects.requireNonNull(server).port() + path);
  }
}
