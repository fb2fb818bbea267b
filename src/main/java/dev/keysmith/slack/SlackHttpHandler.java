package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.util.SlackRequestParser;
import dev.keysmith.core.Metrics;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's events endpoint, the health check and the metrics, as a Jetty core handler. A request
 * body is read without holding a thread; only a complete, correctly signed request reaches Bolt,
 * which runs on the request executor. Without an app (Socket Mode) only the health check and the
 * metrics are served.
 */
final class SlackHttpHandler extends Handler.Abstract {
  static final String EVENTS_PATH = "/slack/events";
  static final String HEALTH_PATH = "/health";
  static final String METRICS_PATH = "/metrics";

  private static final Logger log = LoggerFactory.getLogger(SlackHttpServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  // Set by Jetty from what it writes; a copy from Bolt could contradict it.
  private static final Set<String> FRAMING_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection");

  private final @Nullable App app;
  private final @Nullable SlackRequestParser parser;
  private final @Nullable SlackSignature signature;
  private final Executor requestExecutor;
  private final Supplier<Health> health;
  private final @Nullable MetricsEndpoint metricsEndpoint;
  private final Metrics metrics;
  private final ConnectionGuard guard;
  private final int maxBodyBytes;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private int inFlight;
  private boolean closed;

  SlackHttpHandler(
      @Nullable App app,
      @Nullable SlackSignature signature,
      Executor requestExecutor,
      Supplier<Health> health,
      @Nullable MetricsEndpoint metricsEndpoint,
      Metrics metrics,
      ConnectionGuard guard,
      int maxBodyBytes) {
    this.app = app;
    this.parser = app == null ? null : new SlackRequestParser(app.config());
    this.signature = signature;
    this.requestExecutor = requestExecutor;
    this.health = health;
    this.metricsEndpoint = metricsEndpoint;
    this.metrics = metrics;
    this.guard = guard;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** One request and how to answer it. */
  private final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final Connection connection;
    final long startNanos = System.nanoTime();

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.connection = request.getConnectionMetaData().getConnection();
    }

    String remote() {
      return LogSafe.value(Request.getRemoteAddr(request));
    }

    String contentType() {
      return LogSafe.value(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
    }

    void send(int status, @Nullable String contentType, @Nullable String body) {
      byte[] bytes = body == null ? new byte[0] : body.getBytes(UTF_8);
      response.setStatus(status);
      if (contentType != null) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      }
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(
          /* last= */ true, ByteBuffer.wrap(bytes), Callback.from(this::done, this::failed));
      if (log.isDebugEnabled()) {
        log.debug(
            "{} {} {} {}ms",
            LogSafe.value(request.getMethod()),
            LogSafe.value(request.getHttpURI().getPath()),
            status,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      }
    }

    void sendJson(int status, String json) {
      send(status, JSON, json);
    }

    private void done() {
      guard.answered(connection);
      callback.succeeded();
    }

    void failed(Throwable failure) {
      guard.answered(connection);
      callback.failed(failure);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange exchange = new Exchange(request, response, callback);
    String path = Objects.requireNonNullElse(request.getHttpURI().getDecodedPath(), "");
    String method = request.getMethod();
    if (EVENTS_PATH.equals(path) && app != null) {
      if ("POST".equals(method)) {
        events(exchange);
      } else {
        methodNotAllowed(exchange, "POST");
      }
    } else if (HEALTH_PATH.equals(path)) {
      if ("GET".equals(method)) {
        guard.answering(exchange.connection);
        health(exchange);
      } else {
        methodNotAllowed(exchange, "GET");
      }
    } else if (METRICS_PATH.equals(path) && metricsEndpoint != null) {
      if ("GET".equals(method)) {
        guard.answering(exchange.connection);
        metrics(exchange, metricsEndpoint);
      } else {
        methodNotAllowed(exchange, "GET");
      }
    } else {
      exchange.sendJson(404, "{\"error\":\"not found\"}");
    }
    return true;
  }

  private void metrics(Exchange exchange, MetricsEndpoint metricsEndpoint) {
    if (!metricsEndpoint.allows(exchange.request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      exchange.response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      exchange.sendJson(401, "{\"error\":\"unauthorized\"}");
      return;
    }
    if (!admit()) {
      exchange.sendJson(503, "{\"error\":\"shutting down\"}");
      return;
    }
    try {
      String text;
      try {
        text = metricsEndpoint.scrape().get();
      } catch (RuntimeException e) {
        log.warn("Metrics scrape failed: {}", e.getClass().getName());
        exchange.sendJson(503, "{\"status\":\"unavailable\"}");
        return;
      }
      exchange.send(200, metricsEndpoint.contentType(), text);
    } finally {
      release();
    }
  }

  private static void methodNotAllowed(Exchange exchange, String allowed) {
    exchange.response.getHeaders().put(HttpHeader.ALLOW, allowed);
    exchange.sendJson(405, "{\"error\":\"method not allowed\"}");
  }

  private void health(Exchange exchange) {
    if (!admit()) {
      exchange.sendJson(503, "{\"error\":\"shutting down\"}");
      return;
    }
    try {
      Health now;
      try {
        now = health.get();
      } catch (RuntimeException e) {
        log.warn("Health check failed: {}", e.getClass().getName());
        exchange.sendJson(503, "{\"status\":\"unavailable\"}");
        return;
      }
      exchange.sendJson(now.status(), now.json());
    } finally {
      release();
    }
  }

  // ---- POST /slack/events

  private void events(Exchange exchange) {
    guard.readingBody(exchange.connection);
    long declared = exchange.request.getLength();
    if (declared > maxBodyBytes) {
      tooLarge(exchange, "Content-Length " + declared);
      return;
    }
    new BodyReader(exchange, declared).run();
  }

  private void tooLarge(Exchange exchange, String size) {
    log.info(
        "Refused a Slack request body over {} bytes ({}, content type {}) from {}",
        maxBodyBytes,
        size,
        exchange.contentType(),
        exchange.remote());
    // The rest of the body is not read, so the connection cannot carry another request.
    exchange.response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
    exchange.sendJson(413, "{\"error\":\"payload too large\"}");
  }

  /** Reads the body as it arrives, without blocking: each call takes what is there, then asks. */
  private final class BodyReader implements Runnable {
    private final Exchange exchange;
    private byte[] bytes;
    private int size;

    BodyReader(Exchange exchange, long declared) {
      this.exchange = exchange;
      this.bytes = new byte[declared >= 0 ? (int) declared : 8 * 1024];
    }

    @Override
    public void run() {
      while (true) {
        Content.Chunk chunk = exchange.request.read();
        if (chunk == null) {
          exchange.request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          // The client went away or the guard cut it off: there is no one to answer.
          exchange.failed(chunk.getFailure());
          return;
        }
        ByteBuffer buffer = chunk.getByteBuffer();
        int n = buffer.remaining();
        if (n > maxBodyBytes - size) {
          chunk.release();
          tooLarge(exchange, "more than that read");
          return;
        }
        if (size + n > bytes.length) {
          bytes =
              Arrays.copyOf(bytes, Math.min(maxBodyBytes, Math.max(size + n, bytes.length * 2)));
        }
        buffer.get(bytes, size, n);
        size += n;
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          bodyRead(exchange, size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
          return;
        }
      }
    }
  }

  private void bodyRead(Exchange exchange, byte[] body) {
    guard.answering(exchange.connection);
    Request request = exchange.request;
    if (signature == null
        || !signature.verify(
            request.getHeaders().get("X-Slack-Request-Timestamp"),
            request.getHeaders().get("X-Slack-Signature"),
            body)) {
      // Checked here as well as in Bolt: see SlackSignature for what Bolt lets through.
      exchange.sendJson(401, "{\"error\":\"invalid request\"}");
      return;
    }
    if (!admit()) {
      exchange.sendJson(503, "{\"error\":\"shutting down\"}");
      return;
    }
    try {
      requestExecutor.execute(
          () -> {
            try {
              runBolt(exchange, body);
            } finally {
              release();
            }
          });
    } catch (RejectedExecutionException e) {
      release();
      exchange.sendJson(503, "{\"error\":\"shutting down\"}");
    }
  }

  private void runBolt(Exchange exchange, byte[] body) {
    App app = Objects.requireNonNull(this.app, "events are served only with an app");
    SlackRequestParser parser = Objects.requireNonNull(this.parser, "parser");
    com.slack.api.bolt.request.Request<?> request;
    try {
      request = parser.parse(toBoltHttpRequest(exchange.request, new String(body, UTF_8)));
    } catch (RuntimeException e) {
      // Exception messages may quote the payload, which can hold user text: log the class only.
      unparseable(exchange, body, e.getClass().getName());
      return;
    }
    if (request == null) {
      unparseable(exchange, body, "no Slack request type matches");
      return;
    }
    com.slack.api.bolt.response.Response response;
    try {
      response = app.run(request);
    } catch (Exception e) {
      log.error("Bolt failed to handle a Slack request: {}", e.getClass().getName());
      exchange.sendJson(500, "{\"error\":\"internal error\"}");
      return;
    }
    if (response == null) {
      log.error("Bolt returned no response");
      exchange.sendJson(500, "{\"error\":\"internal error\"}");
      return;
    }
    writeBoltResponse(exchange, response);
    metrics.acked(
        AckKinds.of(request.getRequestType()),
        Metrics.Transport.HTTP,
        System.nanoTime() - exchange.startNanos);
  }

  private static void unparseable(Exchange exchange, byte[] body, String why) {
    log.info(
        "Unparseable Slack request ({} bytes, content type {}) from {}: {}",
        body.length,
        exchange.contentType(),
        exchange.remote(),
        why);
    exchange.sendJson(400, "{\"error\":\"invalid request\"}");
  }

  private static SlackRequestParser.HttpRequest toBoltHttpRequest(Request request, String body) {
    Map<String, List<String>> headers = new HashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
    }
    return SlackRequestParser.HttpRequest.builder()
        .requestUri(request.getHttpURI().getDecodedPath())
        .queryString(parseQuery(request.getHttpURI().getQuery()))
        .headers(new RequestHeaders(headers))
        .requestBody(body)
        .remoteAddress(Request.getRemoteAddr(request))
        .build();
  }

  static Map<String, List<String>> parseQuery(@Nullable String rawQuery) {
    Map<String, List<String>> query = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), UTF_8);
      query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return query;
  }

  private static void writeBoltResponse(
      Exchange exchange, com.slack.api.bolt.response.Response response) {
    if (response.getHeaders() != null) {
      response
          .getHeaders()
          .forEach(
              (name, values) -> {
                if (!FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                  exchange.response.getHeaders().put(name, List.copyOf(values));
                }
              });
    }
    int status = Objects.requireNonNullElse(response.getStatusCode(), 200);
    exchange.send(status, response.getContentType(), response.getBody());
  }

  // ---- In-flight requests, so that close() can let them finish

  private boolean admit() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      inFlight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void release() {
    lock.lock();
    try {
      inFlight--;
      if (inFlight == 0) {
        drained.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new requests (503) and waits up to {@code grace} for those in flight to finish. */
  void drain(Duration grace) {
    lock.lock();
    try {
      closed = true;
      long nanos = grace.toNanos();
      while (inFlight > 0 && nanos > 0) {
        nanos = drained.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }
}
