package dev.keysmith.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A fake Slack Socket Mode server on 127.0.0.1: the websocket end that {@code
 * apps.connections.open} hands out (see {@link FakeSlackApi#attach(FakeSocketMode)}). It greets
 * each connection with {@code hello}, numbers the connections in the order they open, sends the
 * envelopes a test gives it on the connection the test names, and collects the answers per envelope
 * id. Thread-safe.
 */
public final class FakeSocketMode implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PATH = "/link";

  private final Server server;
  private final String url;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition opened = lock.newCondition();
  private final List<Link> links = new ArrayList<>();
  private final Map<String, BlockingQueue<Answer>> answers = new ConcurrentHashMap<>();
  private final AtomicInteger envelopes = new AtomicInteger();

  private FakeSocketMode() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              // Longer than any test: a client's pings keep a connection alive, not its traffic.
              container.setIdleTimeout(Duration.ofMinutes(5));
              container.addMapping(PATH, (request, response, callback) -> new Link());
            }));
    server.start();
    url = "ws://127.0.0.1:" + connector.getLocalPort() + PATH;
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  public static FakeSocketMode start() {
    try {
      return new FakeSocketMode();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the fake Socket Mode server", e);
    }
  }

  /** The websocket URL a client connects to, like {@code ws://127.0.0.1:1234/link}. */
  public String url() {
    return url;
  }

  /** How many connections opened so far, closed ones included. */
  public int connections() {
    lock.lock();
    try {
      return links.size();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code count} connections opened (and were greeted). */
  public void awaitConnections(int count, Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (links.size() < count) {
        if (nanos <= 0) {
          throw new AssertionError(
              "waited " + timeout + " for " + count + " connections; " + links.size() + " opened");
        }
        nanos = opened.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether connection {@code index} (0 for the first to open) is still open. */
  public boolean isOpen(int index) {
    return link(index).session().isOpen();
  }

  /** A new envelope id, unique in this fake. */
  public String newEnvelopeId() {
    return "env-" + envelopes.incrementAndGet();
  }

  /**
   * An envelope as Slack sends it: {@code type} is {@code slash_commands}, {@code interactive} or
   * {@code events_api}; {@code payload} the JSON payload Slack would have posted over HTTP.
   */
  public static String envelope(String envelopeId, String type, JsonNode payload) {
    var envelope = MAPPER.createObjectNode();
    envelope
        .put("envelope_id", envelopeId)
        .put("type", type)
        .put("accepts_response_payload", !"events_api".equals(type))
        .set("payload", payload);
    if ("events_api".equals(type)) {
      envelope.put("retry_attempt", 0).put("retry_reason", "");
    }
    return envelope.toString();
  }

  /** Sends {@code message} (an envelope, say) on connection {@code index}, and waits for it out. */
  public void send(int index, String message) throws InterruptedException {
    Session session = link(index).session();
    if (!session.isOpen()) {
      throw new AssertionError("connection " + index + " is closed");
    }
    CountDownLatch sent = new CountDownLatch(1);
    Throwable[] failure = {null};
    session.sendText(
        message,
        Callback.from(
            sent::countDown,
            t -> {
              failure[0] = t;
              sent.countDown();
            }));
    if (!sent.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("could not send on connection " + index + " within 10 s");
    }
    if (failure[0] != null) {
      throw new AssertionError("could not send on connection " + index, failure[0]);
    }
  }

  /**
   * The next answer to envelope {@code envelopeId}, waiting up to {@code timeout} for it; an
   * envelope answered twice (sent twice, say) has two answers, taken in the order they came.
   */
  public Answer awaitAnswer(String envelopeId, Duration timeout) throws InterruptedException {
    Answer answer = queue(envelopeId).poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (answer == null) {
      throw new AssertionError("no answer to envelope " + envelopeId + " within " + timeout);
    }
    return answer;
  }

  /** The answers to {@code envelopeId} that came and were not yet taken by {@link #awaitAnswer}. */
  public List<Answer> pendingAnswers(String envelopeId) {
    return List.copyOf(queue(envelopeId));
  }

  /** Closes every connection and stops the server. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping a test server; nothing to do about a failure.
    }
  }

  /** One answer from the app: the connection it came on, and the message as sent. */
  public record Answer(int connection, JsonNode json, String raw) {
    /** The answer's payload, or a missing node for a plain ack. */
    public JsonNode payload() {
      return json.path("payload");
    }
  }

  private BlockingQueue<Answer> queue(String envelopeId) {
    return answers.computeIfAbsent(envelopeId, id -> new LinkedBlockingQueue<>());
  }

  private Link link(int index) {
    lock.lock();
    try {
      if (index < 0 || index >= links.size()) {
        throw new AssertionError("no connection " + index + "; " + links.size() + " opened");
      }
      return links.get(index);
    } finally {
      lock.unlock();
    }
  }

  /**
   * One connection, from the server's side; public only because Jetty calls its methods through
   * method handles, which need a public class.
   */
  public final class Link implements Session.Listener.AutoDemanding {
    private volatile Session session;
    private volatile int index = -1;

    private Link() {}

    Session session() {
      return Objects.requireNonNull(session, "not open yet");
    }

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      lock.lock();
      try {
        index = links.size();
        // Slack greets first; a client counts the connection as up once it has the hello.
        session.sendText(
            "{\"type\":\"hello\",\"num_connections\":"
                + (index + 1)
                + ",\"debug_info\":{\"host\":\"fake-socket-mode\"},"
                + "\"connection_info\":{\"app_id\":\""
                + FakeSlackApi.APP_ID
                + "\"}}",
            Callback.NOOP);
        links.add(this);
        opened.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
      // The client checks its connection with pings and reconnects when no pong comes back.
      ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.slice()).flip();
      session().sendPong(copy, Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String message) {
      JsonNode json;
      try {
        json = MAPPER.readTree(message);
      } catch (JsonProcessingException e) {
        json = MAPPER.createObjectNode().put("unreadable", message);
      }
      String envelopeId = json.path("envelope_id").asText("");
      queue(envelopeId).add(new Answer(index, json, message));
    }
  }
}
