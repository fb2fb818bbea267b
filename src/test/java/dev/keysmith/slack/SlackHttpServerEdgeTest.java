package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.slack.api.Slack;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import dev.keysmith.core.Liveness;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import dev.keysmith.slack.SlackHttpServer.Limits;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge under slow and greedy clients: stalled connections neither delay anyone else nor
 * stay open past their deadline, and the connection caps reset the excess at once. Clients come
 * from several loopback addresses (127.0.0.2 and up) so that the per-address cap can be told from
 * the total one.
 */
final class SlackHttpServerEdgeTest {
  private static final Liveness.Seen NEVER = new Liveness.Seen(null, null);
  private static final String SECRET = "test-secret";
  private static final InetAddress SERVER = InetAddress.getLoopbackAddress();
  private static final Duration QUICK = Duration.ofSeconds(1);
  private static final Duration NO_DEADLINE_HERE = Duration.ofSeconds(30);
  private static final int STALLED = 200;

  /** How a stalled client misbehaves. */
  private enum Stall {
    /** Sends part of a request head and nothing more. */
    HEAD_UNFINISHED,
    /** Sends a request head a byte at a time, never finishing it in time. */
    HEAD_TRICKLE,
    /** Promises a longer body (Content-Length) than it sends. */
    BODY_SHORT,
    /** Sends its body a byte at a time. */
    BODY_TRICKLE
  }

  /** A client connection and when it connected. */
  private record Client(SocketChannel channel, long connectedNanos) {}

  private final AtomicInteger commands = new AtomicInteger();
  private final List<SocketChannel> channels = new ArrayList<>();
  private final List<ScheduledFuture<?>> trickles = new ArrayList<>();
  private final HttpClient http = newHttpClient();

  private FakeSlackApi slackApi;
  private Slack slack;
  private ExecutorService executor;
  private ScheduledExecutorService trickler;
  private SlackHttpServer server;
  private SlackRequests requests;

  @BeforeEach
  void setUp() {
    slackApi = FakeSlackApi.start();
    slack = Slack.getInstance(slackApi.slackConfig());
    executor = Executors.newFixedThreadPool(4);
    trickler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    trickler.shutdownNow();
    for (SocketChannel channel : channels) {
      channel.close();
    }
    if (server != null) {
      server.close();
    }
    executor.shutdownNow();
    slack.close();
    slackApi.close();
  }

  @Test
  void stalledConnections_healthAndSignedRequestsAnsweredQuickly_stalledOnesCutAtTheirDeadline()
      throws Exception {
    // Long enough that a busy machine opens every stalled connection before the first is cut;
    // what is timed is the answers while they are open, not the opening.
    Duration timeout = Duration.ofSeconds(4);
    start(new Limits(timeout, timeout, NO_DEADLINE_HERE, 512, 25));
    // Warm-up, so that what is timed below is the server: the clients' first request loads
    // classes, and Bolt's first one calls auth.test.
    assertEquals(200, get("/health").statusCode());
    assertEquals(200, requests.slashCommand("U0ALICE", "warm-up", "t0", "https://x").status());
    Map<Client, Stall> stalled = new HashMap<>();
    for (int i = 0; i < STALLED; i++) {
      Stall stall = Stall.values()[i % Stall.values().length];
      stalled.put(stall(connect(clientAddress(2 + i % 10)), stall), stall);
    }
    assertTrue(
        server.awaitOpenConnections(n -> n >= STALLED, timeout.minus(QUICK)),
        "server holds " + server.openConnections() + " connections");

    // Each on a new connection, as Slack's may come: accepting must not starve either.
    HttpClient newHttp = newHttpClient();
    SlackRequests newRequests = new SlackRequests(url("/slack/events"), SECRET);
    long started = System.nanoTime();
    HttpResponse<String> health = get(newHttp, "/health");
    long healthMillis = millisSince(started);
    started = System.nanoTime();
    Reply ack = newRequests.slashCommand("U0ALICE", "create-user bob", "t1", "https://x");
    long ackMillis = millisSince(started);

    assertEquals(200, health.statusCode());
    assertEquals(200, ack.status());
    assertEquals(2, commands.get());
    assertTrue(healthMillis < QUICK.toMillis(), "/health took " + healthMillis + " ms");
    assertTrue(ackMillis < QUICK.toMillis(), "the signed request took " + ackMillis + " ms");
    assertTrue(
        server.openConnections() >= STALLED,
        "answered while every stalled connection was open: " + server.openConnections());

    Map<Client, Long> closed = awaitClosedByServer(stalled.keySet(), timeout.plusSeconds(3));
    assertEquals(STALLED, closed.size(), "stalled connections the server left open");
    for (Map.Entry<Client, Long> entry : closed.entrySet()) {
      long lived =
          TimeUnit.NANOSECONDS.toMillis(entry.getValue() - entry.getKey().connectedNanos());
      String which = stalled.get(entry.getKey()) + " lived " + lived + " ms";
      assertTrue(lived >= timeout.toMillis() - 100, which + ": cut before its deadline");
      // The margin covers the guard's tick and this test noticing the close on a busy machine;
      // before the guard such a connection stayed open for as long as the client liked.
      assertTrue(lived <= timeout.toMillis() + 2500, which + ": cut long after its deadline");
    }
  }

  @Test
  void keptAliveConnection_idleAfterItsAnswer_closedAtTheHeaderTimeout() throws Exception {
    Duration timeout = Duration.ofMillis(500);
    start(new Limits(timeout, timeout, NO_DEADLINE_HERE, 512, 25));
    Client client = connect(clientAddress(2));
    write(client.channel(), "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    long asked = System.nanoTime();

    Map<Client, Long> closed = awaitClosedByServer(List.of(client), timeout.plusSeconds(2));

    assertEquals(1, closed.size(), "the server left an idle connection open");
    long lived = TimeUnit.NANOSECONDS.toMillis(closed.get(client) - asked);
    assertTrue(
        lived >= timeout.toMillis() - 50 && lived <= timeout.toMillis() + 1000, lived + " ms");
  }

  @Test
  void perAddressCap_excessResetAtOnce_otherAddressesServed() throws Exception {
    start(new Limits(Duration.ofSeconds(5), Duration.ofSeconds(5), NO_DEADLINE_HERE, 512, 5));
    InetAddress greedy = clientAddress(2);
    List<Client> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(stall(connect(greedy), Stall.HEAD_UNFINISHED));
    }
    assertTrue(server.awaitOpenConnections(n -> n == 5, QUICK));

    List<Client> excess = List.of(connect(greedy), connect(greedy), connect(greedy));

    // Reset within a second: long before the 5 s deadline that would close a stalled one.
    assertEquals(3, awaitClosedByServer(excess, QUICK).size());
    assertEquals(5, server.openConnections());
    stall(connect(clientAddress(3)), Stall.HEAD_UNFINISHED);
    assertTrue(server.awaitOpenConnections(n -> n == 6, QUICK));
    assertEquals(200, get("/health").statusCode());
    // A freed slot can be taken again.
    held.get(0).channel().close();
    assertTrue(server.awaitOpenConnections(n -> n == 6, QUICK)); // 4 + 1 + /health's
    Client again = stall(connect(greedy), Stall.HEAD_UNFINISHED);
    assertTrue(server.awaitOpenConnections(n -> n == 7, QUICK));
    assertTrue(awaitClosedByServer(List.of(again), Duration.ofMillis(300)).isEmpty());
  }

  @Test
  void totalCap_excessResetAtOnce_whateverItsAddress() throws Exception {
    start(new Limits(Duration.ofSeconds(5), Duration.ofSeconds(5), NO_DEADLINE_HERE, 6, 5));
    List<Client> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(stall(connect(clientAddress(2 + i / 5)), Stall.HEAD_UNFINISHED));
    }
    assertTrue(server.awaitOpenConnections(n -> n == 6, QUICK));

    assertEquals(1, awaitClosedByServer(List.of(connect(clientAddress(4))), QUICK).size());
    assertThrows(IOException.class, () -> get("/health"));

    held.get(0).channel().close();
    assertTrue(server.awaitOpenConnections(n -> n == 5, QUICK));
    assertEquals(200, get("/health").statusCode());
  }

  @Test
  void oversizedBody_loggedAsOneEscapedLine_withoutReadingIt() throws Exception {
    start(Limits.DEFAULT);
    String contentType = "application/x-www-form-urlencoded\tsecret-type" + "x".repeat(500);
    try (LogCapture logs = LogCapture.of(SlackHttpServer.class)) {
      Client client = connect(clientAddress(2));
      write(
          client.channel(),
          "POST /slack/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
              + contentType
              + "\r\nContent-Length: "
              + (SlackHttpServer.MAX_BODY_BYTES + 1)
              + "\r\n\r\ntext=secret-body");

      assertTrue(readAll(client.channel()).startsWith("HTTP/1.1 413 "));
      List<String> lines = logs.lines();
      assertEquals(1, lines.size(), lines.toString());
      String line = lines.get(0);
      assertTrue(line.contains("Content-Length " + (SlackHttpServer.MAX_BODY_BYTES + 1)), line);
      assertTrue(line.contains("from 127.0.0.2"), line);
      assertTrue(line.contains("application/x-www-form-urlencoded\\tsecret-type"), line);
      assertTrue(line.contains(" characters)"), line); // cut, and says how long it was
      assertFalse(line.contains("\t"), line);
      assertFalse(line.contains("secret-body"), line);
      assertTrue(line.length() < 2 * LogSafe.MAX_LENGTH + 200, line);
    }
  }

  @Test
  void unparseableSignedBody_loggedAsSummary_withoutTheBody() throws Exception {
    start(Limits.DEFAULT);
    try (LogCapture logs = LogCapture.of(SlackHttpServer.class)) {
      Reply reply = requests.send(requests.sign("hello=world&note=secret-body"));

      assertEquals(400, reply.status());
      List<String> lines = logs.lines();
      assertEquals(1, lines.size(), lines.toString());
      String line = lines.get(0);
      assertTrue(line.contains("28 bytes"), line);
      assertTrue(line.contains("application/x-www-form-urlencoded"), line);
      assertTrue(line.contains("from 127.0.0.1"), line);
      assertFalse(line.contains("secret-body"), line);
    }
  }

  @Test
  void close_stopsTheServersNamedThreads() throws Exception {
    start(Limits.DEFAULT);
    assertEquals(200, get("/health").statusCode());
    List<Thread> ours =
        Thread.getAllStackTraces().keySet().stream()
            .filter(
                t ->
                    t.getName().startsWith("keysmith-http-io-")
                        || t.getName().startsWith("keysmith-http-timer"))
            .toList();
    assertTrue(ours.stream().anyMatch(t -> t.getName().startsWith("keysmith-http-io-")), "" + ours);
    assertTrue(
        ours.stream().anyMatch(t -> t.getName().startsWith("keysmith-http-timer")), "" + ours);

    server.close();

    for (Thread thread : ours) {
      thread.join(Duration.ofSeconds(5).toMillis());
      assertFalse(thread.isAlive(), thread.getName() + " still runs after close()");
    }
  }

  // ---- Helpers

  private void start(Limits limits) throws IOException {
    App app =
        new App(
            AppConfig.builder()
                .singleTeamBotToken("xoxb-test")
                .signingSecret(SECRET)
                .slack(slack)
                .build());
    app.command(
        "/iam",
        (req, ctx) -> {
          commands.incrementAndGet();
          return ctx.ack();
        });
    server =
        new SlackHttpServer(
            app,
            new InetSocketAddress(SERVER, 0),
            executor,
            () -> new Health(new JobBacklog(0, 0), new OutboxBacklog(0, 0, 0), NEVER, NEVER),
            limits);
    server.start();
    requests = new SlackRequests(url("/slack/events"), SECRET);
  }

  private static InetAddress clientAddress(int last) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  private Client connect(InetAddress from) throws IOException {
    SocketChannel channel = SocketChannel.open();
    channels.add(channel);
    channel.bind(new InetSocketAddress(from, 0));
    channel.connect(new InetSocketAddress(SERVER, server.port()));
    return new Client(channel, System.nanoTime());
  }

  private Client stall(Client client, Stall stall) throws IOException {
    SocketChannel channel = client.channel();
    String head = "POST /slack/events HTTP/1.1\r\nHost: localhost\r\n";
    String form = "Content-Type: application/x-www-form-urlencoded\r\n";
    switch (stall) {
      case HEAD_UNFINISHED -> write(channel, head + form);
      case HEAD_TRICKLE -> write(channel, head + "X-Slow: ");
      case BODY_SHORT -> write(channel, head + form + "Content-Length: 1000\r\n\r\ntext=abc");
      case BODY_TRICKLE -> write(channel, head + form + "Content-Length: 100000\r\n\r\nt");
    }
    channel.configureBlocking(false);
    if (stall == Stall.HEAD_TRICKLE || stall == Stall.BODY_TRICKLE) {
      trickles.add(
          trickler.scheduleAtFixedRate(
              () -> {
                try {
                  channel.write(ByteBuffer.wrap(new byte[] {'a'}));
                } catch (IOException e) {
                  throw new UncheckedIOException(e); // closed: stops this trickle
                }
              },
              100,
              100,
              TimeUnit.MILLISECONDS));
    }
    return client;
  }

  private static void write(SocketChannel channel, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(US_ASCII));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Reads until the server closes the connection (blocking), as text. */
  private static String readAll(SocketChannel channel) throws IOException {
    StringBuilder text = new StringBuilder();
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    try {
      while (channel.read(buffer.clear()) >= 0) {
        text.append(new String(buffer.array(), 0, buffer.position(), US_ASCII));
      }
    } catch (IOException e) {
      // A reset after the answer: what was read is the answer.
    }
    return text.toString();
  }

  /**
   * Watches the clients' connections until each is closed by the server (end of stream or reset) or
   * {@code within} has passed; returns when each was seen closed.
   */
  private static Map<Client, Long> awaitClosedByServer(Iterable<Client> clients, Duration within)
      throws IOException {
    Map<Client, Long> closedAt = new HashMap<>();
    int watched = 0;
    try (Selector selector = Selector.open()) {
      for (Client client : clients) {
        client.channel().configureBlocking(false);
        client.channel().register(selector, SelectionKey.OP_READ, client);
        watched++;
      }
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      long deadline = System.nanoTime() + within.toNanos();
      while (closedAt.size() < watched && deadline - System.nanoTime() > 0) {
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        for (SelectionKey key : selector.selectedKeys()) {
          Client client = (Client) key.attachment();
          int read;
          try {
            read = client.channel().read(buffer.clear());
          } catch (IOException e) {
            read = -1;
          }
          if (read < 0) {
            closedAt.put(client, System.nanoTime());
            key.cancel();
          }
        }
        selector.selectedKeys().clear();
      }
    }
    return closedAt;
  }

  private static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(http, path);
  }

  private HttpResponse<String> get(HttpClient client, String path)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** The lines one logger writes at INFO and above while open. */
  private static final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger) {
      this.logger = logger;
      this.level = logger.getLevel();
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(Level.INFO);
    }

    static LogCapture of(Class<?> loggerOf) {
      return new LogCapture((Logger) LoggerFactory.getLogger(loggerOf));
    }

    List<String> lines() {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
  }
}
