package dev.keysmith.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.slack.api.bolt.App;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.bolt.socket_mode.request.SocketModeRequest;
import com.slack.api.bolt.socket_mode.request.SocketModeRequestParser;
import com.slack.api.socket_mode.SocketModeClient;
import com.slack.api.socket_mode.listener.WebSocketMessageListener;
import com.slack.api.util.json.GsonFactory;
import dev.keysmith.core.Deliveries;
import dev.keysmith.core.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Socket Mode envelopes through the Bolt app in place of Bolt's own dispatch, which runs an
 * envelope delivered twice twice and never acks one no listener handles (Slack then delivers it
 * again). Here each envelope id runs once, a repeat gets the first answer again, and an envelope no
 * listener handled, or whose listener failed, is acked with one log line.
 *
 * <p>Slack spreads the envelopes of one app over all its open connections, so with several replicas
 * a repeat may reach another one. An envelope new to this replica is taken in through {@link
 * Deliveries}; one another replica took in is not run here, and is answered with that replica's
 * answer once it is recorded (waiting up to {@link #OTHERS_ANSWER_WAIT}), else with a plain ack.
 */
public final class SocketModeDispatch implements WebSocketMessageListener {
  private static final Logger log = LoggerFactory.getLogger(SocketModeDispatch.class);

  // Slack redelivers an unacked envelope within seconds; ten minutes covers reconnects too.
  static final Duration REMEMBERED_FOR = Duration.ofMinutes(10);
  static final long REMEMBERED_AT_MOST = 10_000;

  /**
   * How long a repeat of an envelope another replica runs waits for that replica's answer: Slack
   * wants an answer within 3 s, and a listener acks within milliseconds.
   */
  static final Duration OTHERS_ANSWER_WAIT = Duration.ofSeconds(2);

  private static final Duration OTHERS_ANSWER_POLL = Duration.ofMillis(100);

  private final App app;
  private final Consumer<String> send;
  private final SocketModeRequestParser parser;
  private final Gson gson;
  private final Deliveries deliveries;
  private final Duration othersAnswerWait;
  private final Metrics metrics;
  private final Cache<String, CompletableFuture<String>> answers =
      Caffeine.newBuilder()
          .expireAfterWrite(REMEMBERED_FOR)
          .maximumSize(REMEMBERED_AT_MOST)
          .build();

  SocketModeDispatch(
      App app, Consumer<String> send, Deliveries deliveries, Duration othersAnswerWait) {
    this(app, send, deliveries, othersAnswerWait, Metrics.none());
  }

  SocketModeDispatch(
      App app,
      Consumer<String> send,
      Deliveries deliveries,
      Duration othersAnswerWait,
      Metrics metrics) {
    this.metrics = metrics;
    this.app = app;
    this.send = send;
    this.deliveries = deliveries;
    this.othersAnswerWait = othersAnswerWait;
    this.parser = new SocketModeRequestParser(app.config());
    this.gson = GsonFactory.createSnakeCase(app.slack().getConfig());
  }

  /**
   * A Socket Mode connection for {@code app} whose envelopes go through a dispatch, sharing what it
   * took in with the other replicas through {@code deliveries}, telling {@code metrics} how long
   * each ack took.
   */
  public static SocketModeApp socketModeApp(
      String appToken, App app, Deliveries deliveries, Metrics metrics) throws IOException {
    SocketModeClient client = app.slack().socketMode(appToken);
    client.addWebSocketMessageListener(
        new SocketModeDispatch(
            app,
            message -> client.sendSocketModeResponse(message),
            deliveries,
            OTHERS_ANSWER_WAIT,
            metrics));
    return new SocketModeApp(client, app);
  }

  @Override
  public void handle(String message) {
    long arrived = System.nanoTime();
    SocketModeRequest req;
    try {
      req = parser.parse(message);
    } catch (RuntimeException e) {
      log.warn("could not read a Socket Mode message: {}", e.getClass().getSimpleName());
      return;
    }
    if (req == null) {
      return; // hello and the like: the client's own business, nothing to ack
    }
    String envelopeId = req.getEnvelope().getEnvelopeId();
    if (envelopeId == null) {
      log.warn("a {} envelope came without an id; nothing to ack", type(req));
      return;
    }
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> earlier = answers.asMap().putIfAbsent(envelopeId, mine);
    if (earlier != null) {
      log.info(
          "envelope {} came again; acked with its first answer, not run again",
          LogSafe.value(envelopeId));
      // A view submission's answer says what the modal does, so a repeat gets the same one.
      var unused = earlier.thenAccept(send);
      return;
    }
    if (!takenInHere(envelopeId)) {
      log.info(
          "envelope {} came again, to this replica; acked with the first one's answer, not run"
              + " again",
          LogSafe.value(envelopeId));
      var unused =
          othersAnswer(envelopeId, System.nanoTime() + othersAnswerWait.toNanos())
              .thenAccept(
                  answer -> {
                    mine.complete(answer);
                    send.accept(answer);
                  });
      return;
    }
    String answer = run(req, envelopeId);
    mine.complete(answer);
    send.accept(answer);
    metrics.acked(
        AckKinds.of(req.getBoltRequest().getRequestType()),
        Metrics.Transport.SOCKET_MODE,
        System.nanoTime() - arrived);
    try {
      deliveries.answered(key(envelopeId), answer);
    } catch (RuntimeException e) {
      log.warn(
          "could not record envelope {}'s answer for the other replicas: {}",
          LogSafe.value(envelopeId),
          e.toString());
    }
  }

  private static String key(String envelopeId) {
    return "envelope:" + envelopeId;
  }

  /** Whether no other replica took the envelope in; when that cannot be told, run it. */
  private boolean takenInHere(String envelopeId) {
    try {
      return deliveries.takeIn(key(envelopeId));
    } catch (RuntimeException e) {
      log.warn(
          "could not check whether another replica took envelope {} in ({}); running it",
          LogSafe.value(envelopeId),
          e.toString());
      return true;
    }
  }

  /**
   * The answer another replica recorded for the envelope, looked up until {@code System.nanoTime()}
   * passes {@code giveUpAt} without holding a thread; then a plain ack (the other replica's own
   * answer may still reach Slack).
   */
  private CompletableFuture<String> othersAnswer(String envelopeId, long giveUpAt) {
    Optional<String> answer;
    try {
      answer = deliveries.answerOf(key(envelopeId));
    } catch (RuntimeException e) {
      log.warn(
          "could not read envelope {}'s first answer: {}", LogSafe.value(envelopeId), e.toString());
      answer = Optional.empty();
    }
    if (answer.isPresent()) {
      return CompletableFuture.completedFuture(answer.get());
    }
    if (System.nanoTime() - giveUpAt >= 0) {
      log.info(
          "envelope {}: the replica that took it in has not answered yet; acked plainly",
          LogSafe.value(envelopeId));
      return CompletableFuture.completedFuture(ack(envelopeId));
    }
    Executor later =
        CompletableFuture.delayedExecutor(
            OTHERS_ANSWER_POLL.toMillis(), TimeUnit.MILLISECONDS, ForkJoinPool.commonPool());
    return CompletableFuture.supplyAsync(() -> envelopeId, later)
        .thenCompose(id -> othersAnswer(id, giveUpAt));
  }

  private String run(SocketModeRequest req, String envelopeId) {
    Response response;
    try {
      response = app.run(req.getBoltRequest());
    } catch (Exception e) {
      log.error(
          "envelope {} ({}): its listener failed, acked anyway: {}",
          LogSafe.value(envelopeId),
          type(req),
          LogSafe.value(e.getClass().getName()));
      return ack(envelopeId);
    }
    if (response.getStatusCode() != 200) {
      log.warn(
          "envelope {} ({}): no listener handled it (status {}); acked",
          LogSafe.value(envelopeId),
          type(req),
          response.getStatusCode());
      return ack(envelopeId);
    }
    return answer(envelopeId, response);
  }

  // As Bolt's SocketModeApp answers: a JSON body is the payload, any other body its text.
  private String answer(String envelopeId, Response response) {
    String body = response.getBody();
    if (body == null) {
      return ack(envelopeId);
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("envelope_id", envelopeId);
    String contentType = Objects.toString(response.getContentType(), "");
    if (contentType.startsWith("application/json")) {
      answer.add("payload", gson.fromJson(body, JsonElement.class));
    } else {
      JsonObject payload = new JsonObject();
      payload.addProperty("text", body);
      answer.add("payload", payload);
    }
    return gson.toJson(answer);
  }

  private static String ack(String envelopeId) {
    JsonObject ack = new JsonObject();
    ack.addProperty("envelope_id", envelopeId);
    return ack.toString();
  }

  private static String type(SocketModeRequest req) {
    @Nullable String type = req.getEnvelope().getType();
    return LogSafe.value(Objects.toString(type, "untyped"));
  }
}
