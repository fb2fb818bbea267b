package dev.keysmith.slack;

import com.slack.api.bolt.App;
import dev.keysmith.config.Settings;
import dev.keysmith.core.Metrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bolt in HTTP mode on Jetty: Slack's events endpoint ({@code POST /slack/events}), a health check
 * ({@code GET /health}) and the metrics ({@code GET /metrics}), at an edge that slow or greedy
 * clients cannot starve. In Socket Mode, {@link #operationsOnly} serves the health check and the
 * metrics alone.
 */
public final class SlackHttpServer implements AutoCloseable {
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SlackHttpServer.class);
  // Slack retries after 3 seconds, so in-flight requests never need longer than that to drain.
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);
  // Jetty's threads parse, read and write without blocking (Bolt runs on the request executor;
  // only /health's database check blocks, briefly), so a few serve many connections; the cap
  // leaves room for the acceptor, the selector and Jetty's reserved threads.
  private static final int MIN_IO_THREADS = 4;
  private static final int MAX_IO_THREADS = 32;

  /**
   * How long a client may take and how many connections it may hold.
   *
   * @param headerTimeout from a connection's opening, or its last answer, until Jetty hands over
   *     the next request (its head complete and, if it has a body, the body's first bytes in); also
   *     how long an idle kept-alive connection stays open
   * @param bodyTimeout from then until the whole body
   * @param idleTimeout no bytes either way for this long closes a connection, whatever its phase:
   *     the backstop for a client that stops reading its answer
   * @param maxConnections open connections in all; beyond it a new one is reset at once
   * @param maxConnectionsPerAddress open connections from one client address; likewise
   */
  public record Limits(
      Duration headerTimeout,
      Duration bodyTimeout,
      Duration idleTimeout,
      int maxConnections,
      int maxConnectionsPerAddress) {

    /**
     * Slack sends a whole request at once and gives up on an answer after 3 s, so 5 s for a request
     * to arrive and 5 s more for its body cut off nothing Slack could still use, while a stalled
     * connection holds its slot for seconds, not forever. The caps are {@link
     * Settings#DEFAULT_MAX_CONNECTIONS} and {@link Settings#DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}
     * (behind a proxy, every connection counts against the proxy's address).
     */
    public static final Limits DEFAULT =
        new Limits(
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Settings.DEFAULT_MAX_CONNECTIONS,
            Settings.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);

    /** Refuses a deadline or cap that is not positive. */
    public Limits {
      requirePositive(headerTimeout, "headerTimeout");
      requirePositive(bodyTimeout, "bodyTimeout");
      requirePositive(idleTimeout, "idleTimeout");
      if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
        throw new IllegalArgumentException("connection caps must be at least 1");
      }
    }

    /** These deadlines with other connection caps. */
    public Limits withCaps(int total, int perAddress) {
      return new Limits(headerTimeout, bodyTimeout, idleTimeout, total, perAddress);
    }

    private static void requirePositive(Duration duration, String name) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
    }
  }

  private final @Nullable App app;
  private final Server server;
  private final ServerConnector connector;
  private final SlackHttpHandler handler;
  private final ConnectionGuard guard;
  private final int port;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean started;
  private boolean closed;

  /** As below, with {@link Limits#DEFAULT}. */
  public SlackHttpServer(
      App app, InetSocketAddress bind, Executor requestExecutor, Supplier<Health> health)
      throws IOException {
    this(app, bind, requestExecutor, health, Limits.DEFAULT);
  }

  /**
   * Binds {@code bind} (port 0 picks a free port); serves nothing until {@link #start()}. Bolt runs
   * on {@code requestExecutor}; Jetty's own threads never wait for it.
   */
  public SlackHttpServer(
      App app,
      InetSocketAddress bind,
      Executor requestExecutor,
      Supplier<Health> health,
      Limits limits)
      throws IOException {
    this(
        Objects.requireNonNull(app, "app"),
        bind,
        requestExecutor,
        health,
        limits,
        /* metricsEndpoint= */ null,
        Metrics.none());
  }

  /**
   * As above, serving {@code metricsEndpoint} at {@code GET /metrics} too, and telling {@code
   * metrics} how long each ack took.
   */
  public static SlackHttpServer forSlack(
      App app,
      InetSocketAddress bind,
      Executor requestExecutor,
      Supplier<Health> health,
      Limits limits,
      MetricsEndpoint metricsEndpoint,
      Metrics metrics)
      throws IOException {
    return new SlackHttpServer(
        Objects.requireNonNull(app, "app"),
        bind,
        requestExecutor,
        health,
        limits,
        metricsEndpoint,
        metrics);
  }

  /**
   * A server without Slack's events endpoint ({@code POST /slack/events} answers 404), for Socket
   * Mode: {@code GET /health} and {@code GET /metrics} only, so operators can check and scrape a
   * bot that takes no HTTP from Slack. Both answer on Jetty's own threads.
   */
  public static SlackHttpServer operationsOnly(
      InetSocketAddress bind,
      Supplier<Health> health,
      MetricsEndpoint metricsEndpoint,
      Limits limits)
      throws IOException {
    return new SlackHttpServer(
        null, bind, Runnable::run, health, limits, metricsEndpoint, Metrics.none());
  }

  private SlackHttpServer(
      @Nullable App app,
      InetSocketAddress bind,
      Executor requestExecutor,
      Supplier<Health> health,
      Limits limits,
      @Nullable MetricsEndpoint metricsEndpoint,
      Metrics metrics)
      throws IOException {
    this.app = app;
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(limits, "limits");
    String secret = app == null ? null : app.config().getSigningSecret();
    SlackSignature signature =
        secret == null ? null : new SlackSignature(secret, Clock.systemUTC());

    QueuedThreadPool threads = new QueuedThreadPool(MAX_IO_THREADS, MIN_IO_THREADS);
    threads.setName("keysmith-http-io");
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler("keysmith-http-timer", /* daemon= */ false);
    this.server = new Server(threads, scheduler, /* bufferPool= */ null);
    server.setStopTimeout(0); // close() drains in-flight requests itself first
    server.setErrorHandler(new JsonErrors());

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Acceptors and selectors never run Keysmith's code; one of each is plenty for Slack.
    this.connector =
        new ServerConnector(
            server, /* acceptors= */ 1, /* selectors= */ 1, new HttpConnectionFactory(http));
    // Jetty's default too, set here because it matters: an ack must not wait ~40 ms for the
    // client's delayed ACK (Nagle's algorithm; see ARCHITECTURE.md).
    connector.setAcceptedTcpNoDelay(true);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setHost(
        bind.isUnresolved()
            ? bind.getHostString()
            : bind.getAddress().isAnyLocalAddress() ? null : bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    this.guard = new ConnectionGuard(limits, scheduler);
    connector.addBean(guard);
    server.addConnector(connector);

    this.handler =
        new SlackHttpHandler(
            app,
            signature,
            Objects.requireNonNull(requestExecutor, "requestExecutor"),
            Objects.requireNonNull(health, "health"),
            metricsEndpoint,
            Objects.requireNonNull(metrics, "metrics"),
            guard,
            MAX_BODY_BYTES);
    server.setHandler(handler);
    connector.open();
    this.port = connector.getLocalPort();
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
      if (app != null) {
        app.start();
      }
      try {
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException("Could not start the HTTP server on port " + port, e);
      }
      started = true;
    } finally {
      lock.unlock();
    }
    log.info(
        app == null ? "Listening for operators on port {}" : "Listening for Slack on port {}",
        port);
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** Connections open now, as the caps count them. */
  int openConnections() {
    return guard.openConnections();
  }

  /** Waits until the number of open connections satisfies {@code until}; false on time-out. */
  boolean awaitOpenConnections(IntPredicate until, Duration timeout) throws InterruptedException {
    return guard.awaitOpenConnections(until, timeout);
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
    } finally {
      lock.unlock();
    }
    handler.drain(SHUTDOWN_GRACE);
    try {
      // Closes every connection, stalled ones included, and joins Jetty's threads.
      server.stop();
    } catch (Exception e) {
      log.warn("The HTTP server did not stop cleanly: {}", e.toString());
    } finally {
      connector.close(); // releases the port even if the server never started
    }
    if (app != null) {
      app.stop();
    }
  }
}
