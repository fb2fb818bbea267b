package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.slack.api.bolt.App;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bolt in HTTP mode on the JDK's built-in HTTP server: Slack's events endpoint and a health check.
 */
public final class SlackHttpServer implements AutoCloseable {
  static final String EVENTS_PATH = "/slack/events";
  static final String HEALTH_PATH = "/health";
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SlackHttpServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  // Slack retries after 3 seconds, so in-flight requests never need longer than that to drain.
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

  static {
    // The JDK server sends a response's headers and body in separate writes and leaves Nagle's
    // algorithm on, so an ack with a body (a modal update, errors) waits for the client's delayed
    // ACK: about 40 ms on Linux. The server reads this once, when the first one is created; an
    // operator's own -Dsun.net.httpserver.nodelay wins.
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private final App app;
  private final HttpServer server;
  private final SlackRequestParser parser;
  private final Supplier<Boolean> healthy;
  private final @Nullable SlackSignature signature;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private int inFlight;
  private boolean started;
  private boolean closed;

  /** Binds {@code bind} (port 0 picks a free port); serves nothing until {@link #start()}. */
  public SlackHttpServer(
      App app, InetSocketAddress bind, Executor requestExecutor, Supplier<Boolean> healthy)
      throws IOException {
    this.app = Objects.requireNonNull(app, "app");
    this.healthy = Objects.requireNonNull(healthy, "healthy");
    this.parser = new SlackRequestParser(app.config());
    String secret = app.config().getSigningSecret();
    this.signature = secret == null ? null : new SlackSignature(secret, Clock.systemUTC());
    this.server = HttpServer.create(Objects.requireNonNull(bind, "bind"), /* backlog= */ 0);
    server.setExecutor(Objects.requireNonNull(requestExecutor, "requestExecutor"));
    server.createContext("/", this::handle);
  }

  /** Starts Bolt (which checks the bot token with auth.test) and then accepts requests. */
  public void start() {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (started) {
        return;
      }
      app.start();
      server.start();
      started = true;
    } finally {
      lock.unlock();
    }
    log.info("Listening for Slack on port {}", port());
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Refuses new requests, lets in-flight ones finish briefly, stops the server and Bolt. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      long nanos = SHUTDOWN_GRACE.toNanos();
      while (inFlight > 0 && nanos > 0) {
        nanos = drained.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    // In-flight exchanges have finished (or run out of grace), so there is nothing to wait for.
    server.stop(/* delaySeconds= */ 0);
    app.stop();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long startNanos = System.nanoTime();
    int status = 500;
    try {
      status =
          admit() ? route(exchange) : send(exchange, 503, JSON, "{\"error\":\"shutting down\"}");
    } finally {
      exchange.close();
      release();
      if (log.isDebugEnabled()) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        log.debug(
            "{} {} {} {}ms",
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            status,
            millis);
      }
    }
  }

  private boolean admit() {
    lock.lock();
    try {
      inFlight++;
      return !closed;
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

  private int route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (EVENTS_PATH.equals(path)) {
      return "POST".equals(method) ? events(exchange) : methodNotAllowed(exchange, "POST");
    }
    if (HEALTH_PATH.equals(path)) {
      return "GET".equals(method) ? health(exchange) : methodNotAllowed(exchange, "GET");
    }
    return send(exchange, 404, JSON, "{\"error\":\"not found\"}");
  }

  private int events(HttpExchange exchange) throws IOException {
    // Reads one byte past the cap so an oversized body is detected without buffering all of it.
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      return send(exchange, 413, JSON, "{\"error\":\"payload too large\"}");
    }
    if (signature == null
        || !signature.verify(
            exchange.getRequestHeaders().getFirst("X-Slack-Request-Timestamp"),
            exchange.getRequestHeaders().getFirst("X-Slack-Signature"),
            body)) {
      // Checked here as well as in Bolt: see SlackSignature for what Bolt lets through.
      return send(exchange, 401, JSON, "{\"error\":\"invalid request\"}");
    }
    Request<?> request;
    try {
      request = parser.parse(toBoltHttpRequest(exchange, new String(body, UTF_8)));
    } catch (RuntimeException e) {
      // Exception messages may quote the payload, which can hold user text: log the class only.
      log.info("Unparseable Slack request: {}", e.getClass().getName());
      return send(exchange, 400, JSON, "{\"error\":\"invalid request\"}");
    }
    Response response;
    try {
      response = app.run(request);
    } catch (Exception e) {
      log.error("Bolt failed to handle a Slack request: {}", e.getClass().getName());
      return send(exchange, 500, JSON, "{\"error\":\"internal error\"}");
    }
    if (response == null) {
      log.error("Bolt returned no response");
      return send(exchange, 500, JSON, "{\"error\":\"internal error\"}");
    }
    return writeBoltResponse(exchange, response);
  }

  private static SlackRequestParser.HttpRequest toBoltHttpRequest(
      HttpExchange exchange, String body) {
    return SlackRequestParser.HttpRequest.builder()
        .requestUri(exchange.getRequestURI().getPath())
        .queryString(parseQuery(exchange.getRequestURI().getRawQuery()))
        .headers(new RequestHeaders(new HashMap<>(exchange.getRequestHeaders())))
        .requestBody(body)
        .remoteAddress(exchange.getRemoteAddress().getAddress().getHostAddress())
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

  private static int writeBoltResponse(HttpExchange exchange, Response response)
      throws IOException {
    if (response.getHeaders() != null) {
      response.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().put(k, List.copyOf(v)));
    }
    int status = Objects.requireNonNullElse(response.getStatusCode(), 200);
    return send(exchange, status, response.getContentType(), response.getBody());
  }

  private int health(HttpExchange exchange) throws IOException {
    boolean ok;
    try {
      ok = Boolean.TRUE.equals(healthy.get());
    } catch (RuntimeException e) {
      log.warn("Health check failed: {}", e.getClass().getName());
      ok = false;
    }
    return ok
        ? send(exchange, 200, JSON, "{\"status\":\"ok\"}")
        : send(exchange, 503, JSON, "{\"status\":\"unavailable\"}");
  }

  private static int methodNotAllowed(HttpExchange exchange, String allowed) throws IOException {
    exchange.getResponseHeaders().set("Allow", allowed);
    return send(exchange, 405, JSON, "{\"error\":\"method not allowed\"}");
  }

  private static int send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(UTF_8);
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    return status;
  }
}
