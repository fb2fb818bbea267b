package dev.keysmith.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.SlackConfig;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A fake Slack Web API and response_url endpoint on 127.0.0.1 that records every call. Point the
 * Slack client at it with {@link #slackConfig()} or {@code
 * config.setMethodsEndpointUrlPrefix(fake.methodsUrl())}. Thread-safe.
 */
public final class FakeSlackApi implements AutoCloseable {
  /** Workspace id that auth.test answers. */
  public static final String TEAM_ID = "T0001";

  /** Bot user id that auth.test answers. */
  public static final String BOT_USER_ID = "U0BOT";

  /** Bot id that auth.test answers. */
  public static final String BOT_ID = "B0001";

  /** App id of the fake bot. */
  public static final String APP_ID = "A0001";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final long FIRST_TS_MICROS = 1_700_000_000_000_000L;
  private static final String API_PATH = "/api/";
  private static final String RESPONSE_PATH = "/response/";

  private final HttpServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService delayer;
  private final String baseUrl;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<Call> calls = new ArrayList<>();
  private final List<ResponseUrlPost> responseUrlPosts = new ArrayList<>();
  private final Map<String, Deque<Failure>> failures = new HashMap<>();
  private final Map<String, String> refusedChannels = new HashMap<>();
  private final Set<Call> refused = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Deque<Failure> responseUrlFailures = new ArrayDeque<>();
  private final Map<String, List<String>> userGroupMembers = new HashMap<>();
  private final java.util.Set<String> deactivated = new java.util.HashSet<>();
  private Duration delay = Duration.ZERO;
  private volatile SlackRateLimits rateLimits;
  private volatile Listener listener = new Listener() {};
  private volatile FakeSocketMode socketMode;

  private final AtomicLong tsCounter = new AtomicLong();
  private final AtomicLong responseUrlCounter = new AtomicLong();
  private final AtomicLong viewCounter = new AtomicLong();

  private FakeSlackApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    handlers = Executors.newCachedThreadPool(daemonThreads("fake-slack"));
    delayer = Executors.newSingleThreadScheduledExecutor(daemonThreads("fake-slack-delay"));
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  public static FakeSlackApi start() {
    try {
      return new FakeSlackApi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Web API prefix for {@link SlackConfig#setMethodsEndpointUrlPrefix}, like {@code .../api/}. */
  public String methodsUrl() {
    return baseUrl + API_PATH;
  }

  /**
   * A fresh Slack client config whose Web API calls go to this fake, with the client's metrics off:
   * with them on, the client resolves each new token's team through an extra auth.test call, cached
   * JVM-wide, which makes auth.test counts depend on test order.
   */
  public SlackConfig slackConfig() {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(methodsUrl());
    config.setStatsEnabled(false);
    return config;
  }

  /** A new, unique response_url served by this fake. */
  public String newResponseUrl() {
    return baseUrl + RESPONSE_PATH + responseUrlCounter.incrementAndGet();
  }

  /**
   * From now on, answers {@code apps.connections.open} with the URL of {@code socketMode}, as Slack
   * hands an app in Socket Mode the websocket to connect to. Unattached, the method is unknown.
   */
  public void attach(FakeSocketMode socketMode) {
    this.socketMode = Objects.requireNonNull(socketMode, "socketMode");
  }

  /** Sets the members usergroups.users.list answers for {@code groupId}. */
  public void setUserGroupMembers(String groupId, List<String> users) {
    locked(() -> userGroupMembers.put(groupId, List.copyOf(users)));
  }

  /** Answers the next call of {@code method} with {@code {"ok":false,"error":error}}, once. */
  public void failNext(String method, String error) {
    enqueueFailure(method, new Failure(200, error, null, Duration.ZERO));
  }

  /**
   * Answers every {@code chat.postMessage} to {@code channel} with {@code
   * {"ok":false,"error":error}}, as Slack does for a channel the bot is not in.
   */
  public void refuseChannel(String channel, String error) {
    locked(() -> refusedChannels.put(channel, error));
  }

  /** Answers the next call of {@code method} with HTTP 429 and {@code Retry-After}, once. */
  public void rateLimitNext(String method, Duration retryAfter) {
    enqueueFailure(method, new Failure(429, "ratelimited", retryAfter, Duration.ZERO));
  }

  /** Answers the next call of {@code method} with HTTP {@code status} (a 5xx, say), once. */
  public void failNextWithStatus(String method, int status) {
    enqueueFailure(method, new Failure(status, "http_" + status, null, Duration.ZERO));
  }

  /**
   * Holds the answer to the next call of {@code method} for {@code stall}, then answers HTTP 504: a
   * client with a shorter read timeout sees a timeout. Nothing of the call takes effect.
   */
  public void stallNext(String method, Duration stall) {
    enqueueFailure(method, new Failure(504, "timeout", null, stall));
  }

  /** Answers the next response_url post with {@code status} and {@code error}, once. */
  public void failNextResponseUrlPost(int status, String error) {
    locked(() -> responseUrlFailures.add(new Failure(status, error, null, Duration.ZERO)));
  }

  /** Delays every answer by {@code delay} (calls are recorded on arrival). */
  public void setDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    locked(() -> this.delay = delay);
  }

  /**
   * From now on, answers calls past Slack's published rate limits ({@link SlackRateLimits}) with
   * HTTP 429 and {@code Retry-After}; such a call has no effect. Null turns the limits off (the
   * default).
   */
  public void setRateLimits(SlackRateLimits limits) {
    this.rateLimits = limits;
  }

  /** Tells {@code listener} of every call and post as it arrives (the benchmark times them). */
  public void setListener(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Recorded calls of one Web API method that were answered {@code ok}, oldest first: what Slack
   * would have acted on (a message posted), leaving out the calls a queued failure answered.
   */
  public List<Call> accepted(String method) {
    return snapshot(calls, c -> c.method().equals(method) && !refused.contains(c));
  }

  /** Recorded calls of one Web API method, oldest first. */
  public List<Call> calls(String method) {
    return snapshot(calls, c -> c.method().equals(method));
  }

  /** All recorded Web API calls, oldest first. */
  public List<Call> allCalls() {
    return snapshot(calls, c -> true);
  }

  /** Recorded response_url posts, oldest first. */
  public List<ResponseUrlPost> responseUrlPosts() {
    return snapshot(responseUrlPosts, p -> true);
  }

  /** Forgets recorded calls and posts; keeps configuration and queued failures. */
  public void clear() {
    locked(
        () -> {
          calls.clear();
          responseUrlPosts.clear();
        });
  }

  /**
   * Waits until {@code done} holds, checking it now and again each time a Web API call or a
   * response_url post arrives, for at most {@code timeout}: for a bot in another process whose
   * every change of state is followed by a message.
   */
  public void awaitUntil(String what, BooleanSupplier done, Duration timeout)
      throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (!done.getAsBoolean()) {
        if (nanos <= 0) {
          throw new AssertionError("waited " + timeout + " for " + what);
        }
        nanos = arrived.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code count} calls of {@code method} arrived, and returns them all. */
  public List<Call> awaitCalls(String method, int count, Duration timeout) {
    return await(calls, c -> c.method().equals(method), count, timeout, "calls of " + method);
  }

  /** Waits until at least {@code count} response_url posts arrived, and returns them all. */
  public List<ResponseUrlPost> awaitResponseUrlPosts(int count, Duration timeout) {
    return await(responseUrlPosts, p -> true, count, timeout, "response_url posts");
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.stop(0);
    delayer.shutdownNow();
    handlers.shutdownNow();
  }

  /** One Web API call: its method, form or JSON parameters, raw body and bearer token. */
  public record Call(String method, Map<String, String> params, String rawBody, String token) {
    /** One parameter, or null. */
    public String param(String name) {
      return params.get(name);
    }

    /** A parameter that holds JSON, such as {@code blocks} or {@code view}, parsed; or null. */
    public JsonNode json(String name) {
      String value = params.get(name);
      return value == null ? null : parse(value);
    }
  }

  /** One post to a response_url. */
  public record ResponseUrlPost(String url, JsonNode json, String raw) {}

  /** Hears of each call and post on the fake's server thread, after it is recorded. */
  public interface Listener {
    /** A Web API call arrived (and no rate limit refused it). */
    default void call(Call call) {}

    /** A Web API call arrived past a rate limit, and was refused with HTTP 429. */
    default void rateLimited(Call call, Duration retryAfter) {}

    /** A response_url post arrived. */
    default void responseUrlPost(ResponseUrlPost post) {}
  }

  private record Failure(int status, String error, Duration retryAfter, Duration stall) {}

  private record Answer(int status, JsonNode body, Duration retryAfter, Duration stall) {
    static Answer ok(ObjectNode fields) {
      ObjectNode body = NODES.objectNode().put("ok", true);
      body.setAll(fields);
      return new Answer(200, body, null, Duration.ZERO);
    }

    static Answer error(int status, String error, Duration retryAfter) {
      return new Answer(
          status,
          NODES.objectNode().put("ok", false).put("error", error),
          retryAfter,
          Duration.ZERO);
    }

    static Answer of(Failure f) {
      return new Answer(
          f.status(),
          NODES.objectNode().put("ok", false).put("error", f.error()),
          f.retryAfter(),
          f.stall());
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String raw = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
    Answer answer;
    if (path.startsWith(API_PATH)) {
      answer = webApi(path.substring(API_PATH.length()), exchange, raw);
    } else if (path.startsWith(RESPONSE_PATH) && "POST".equals(exchange.getRequestMethod())) {
      answer = responseUrl(baseUrl + path, raw);
    } else {
      answer = Answer.error(404, "not_found", null);
    }
    Duration configured = withLock(() -> delay);
    Duration wait = answer.stall().compareTo(configured) > 0 ? answer.stall() : configured;
    if (wait.isZero()) {
      respond(exchange, answer);
    } else {
      // Answer from another thread so a slow fake does not hold a server thread while waiting.
      var unused =
          delayer.schedule(() -> respond(exchange, answer), wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private Answer webApi(String method, HttpExchange exchange, String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    params.putAll(parseForm(exchange.getRequestURI().getRawQuery()));
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      params.putAll(parseJsonParams(raw));
    } else {
      params.putAll(parseForm(raw));
    }
    String token = bearerToken(exchange.getRequestHeaders().getFirst("Authorization"));
    if (token == null) {
      token = params.get("token");
    }
    Call call = new Call(method, Collections.unmodifiableMap(params), raw, token);
    SlackRateLimits limits = rateLimits;
    boolean[] overLimit = {false};
    Failure failure =
        withLock(
            () -> {
              calls.add(call);
              arrived.signalAll();
              Deque<Failure> queued = failures.get(method);
              Failure next = queued == null ? null : queued.poll();
              String refusal =
                  method.equals("chat.postMessage")
                      ? refusedChannels.get(String.valueOf(call.param("channel")))
                      : null;
              if (next == null && refusal != null) {
                next = new Failure(200, refusal, null, Duration.ZERO);
              }
              if (next == null && limits != null) {
                Duration retryAfter = limits.take(method, channelFor(call.param("channel")));
                if (retryAfter != null) {
                  next = new Failure(429, "ratelimited", retryAfter, Duration.ZERO);
                  overLimit[0] = true;
                }
              }
              if (next != null) {
                refused.add(call);
              }
              return next;
            });
    if (overLimit[0]) {
      listener.rateLimited(call, failure.retryAfter());
    } else {
      listener.call(call);
    }
    if (failure != null) {
      return Answer.of(failure);
    }
    return answer(call);
  }

  private Answer responseUrl(String url, String raw) {
    JsonNode json;
    try {
      json = MAPPER.readTree(raw);
    } catch (JsonProcessingException e) {
      json = NullNode.getInstance();
    }
    ResponseUrlPost post = new ResponseUrlPost(url, json, raw);
    Failure failure =
        withLock(
            () -> {
              responseUrlPosts.add(post);
              arrived.signalAll();
              return responseUrlFailures.poll();
            });
    listener.responseUrlPost(post);
    if (failure != null) {
      return Answer.of(failure);
    }
    return Answer.ok(NODES.objectNode());
  }

  private Answer answer(Call call) {
    ObjectNode out = NODES.objectNode();
    switch (call.method()) {
      case "auth.test" -> {
        out.put("url", "https://keysmith-test.slack.com/")
            .put("team", "Keysmith Test")
            .put("user", "keysmith")
            .put("team_id", TEAM_ID)
            .put("user_id", BOT_USER_ID)
            .put("bot_id", BOT_ID)
            .put("is_enterprise_install", false);
        return Answer.ok(out);
      }
      case "chat.postMessage" -> {
        String channel = channelFor(call.param("channel"));
        String ts = nextTs();
        out.put("channel", channel).put("ts", ts).set("message", message(call, ts));
        return Answer.ok(out);
      }
      case "chat.update" -> {
        out.put("channel", call.param("channel"))
            .put("ts", call.param("ts"))
            .put("text", Objects.requireNonNullElse(call.param("text"), ""))
            .set("message", message(call, call.param("ts")));
        return Answer.ok(out);
      }
      case "chat.delete" -> {
        out.put("channel", call.param("channel")).put("ts", call.param("ts"));
        return Answer.ok(out);
      }
      case "chat.postEphemeral" -> {
        out.put("message_ts", nextTs());
        return Answer.ok(out);
      }
      case "views.open", "views.push", "views.update", "views.publish" -> {
        out.set("view", view(call));
        return Answer.ok(out);
      }
      case "usergroups.users.list" -> {
        List<String> members = withLock(() -> userGroupMembers.get(call.param("usergroup")));
        if (members == null) {
          return Answer.error(200, "no_such_subteam", null);
        }
        ArrayNode users = out.putArray("users");
        members.forEach(users::add);
        return Answer.ok(out);
      }
      case "conversations.open" -> {
        String users = Objects.requireNonNullElse(call.param("users"), "");
        String id = users.contains(",") ? "G" + Integer.toHexString(users.hashCode()) : null;
        out.putObject("channel").put("id", id != null ? id : channelFor(users));
        return Answer.ok(out);
      }
      case "users.info" -> {
        out.set("user", user(call.param("user")));
        return Answer.ok(out);
      }
      case "apps.connections.open" -> {
        FakeSocketMode socket = socketMode;
        if (socket == null) {
          return Answer.error(200, "unknown_method", null);
        }
        out.put("url", socket.url());
        return Answer.ok(out);
      }
      default -> {
        return Answer.error(200, "unknown_method", null);
      }
    }
  }

  private ObjectNode message(Call call, String ts) {
    ObjectNode message =
        NODES
            .objectNode()
            .put("type", "message")
            .put("user", BOT_USER_ID)
            .put("bot_id", BOT_ID)
            .put("app_id", APP_ID)
            .put("team", TEAM_ID)
            .put("ts", ts)
            .put("text", Objects.requireNonNullElse(call.param("text"), ""));
    if (call.param("thread_ts") != null) {
      message.put("thread_ts", call.param("thread_ts"));
    }
    JsonNode blocks = call.json("blocks");
    if (blocks != null) {
      message.set("blocks", blocks);
    }
    return message;
  }

  private ObjectNode view(Call call) {
    JsonNode requested = call.json("view");
    ObjectNode view =
        requested instanceof ObjectNode object ? object.deepCopy() : NODES.objectNode();
    String id =
        call.param("view_id") != null
            ? call.param("view_id")
            : String.format("V%08d", viewCounter.incrementAndGet());
    view.put("id", id)
        .put("team_id", TEAM_ID)
        .put("app_id", APP_ID)
        .put("bot_id", BOT_ID)
        .put("app_installed_team_id", TEAM_ID)
        .put("root_view_id", id)
        .put("hash", "1700000000." + Long.toHexString(viewCounter.incrementAndGet()));
    view.putIfAbsent("type", NODES.textNode("modal"));
    view.putIfAbsent("private_metadata", NODES.textNode(""));
    view.putIfAbsent("callback_id", NODES.textNode(""));
    view.putIfAbsent("external_id", NODES.textNode(""));
    view.putIfAbsent("blocks", NODES.arrayNode());
    view.putObject("state").putObject("values");
    return view;
  }

  /**
   * Deactivates a user's account, as an admin does when someone leaves: users.info says deleted.
   */
  public void deactivate(String userId) {
    var unused = withLock(() -> deactivated.add(userId));
  }

  private ObjectNode user(String id) {
    String userId = Objects.requireNonNullElse(id, "U0UNKNOWN");
    String name = userId.toLowerCase(Locale.ROOT);
    ObjectNode user =
        NODES
            .objectNode()
            .put("id", userId)
            .put("team_id", TEAM_ID)
            .put("name", name)
            .put("deleted", withLock(() -> deactivated.contains(userId)))
            .put("real_name", "User " + userId)
            .put("tz", "Europe/London")
            .put("tz_offset", 0)
            .put("is_admin", false)
            .put("is_owner", false)
            .put("is_bot", false)
            .put("is_restricted", false)
            .put("is_ultra_restricted", false)
            .put("is_app_user", false)
            .put("updated", 1_700_000_000L);
    user.putObject("profile")
        .put("real_name", "User " + userId)
        .put("display_name", name)
        .put("email", name + "@example.com")
        .put("team", TEAM_ID);
    return user;
  }

  /** Slack answers a post to a user id with the id of the DM channel it opened. */
  private static String channelFor(String channel) {
    if (channel != null && channel.startsWith("U") && channel.length() > 1) {
      return "D" + channel.substring(1);
    }
    return channel;
  }

  private String nextTs() {
    long micros = FIRST_TS_MICROS + tsCounter.incrementAndGet() * 100;
    return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
  }

  private void respond(HttpExchange exchange, Answer answer) {
    try (exchange) {
      byte[] bytes = MAPPER.writeValueAsBytes(answer.body());
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      if (answer.retryAfter() != null) {
        exchange
            .getResponseHeaders()
            .set("Retry-After", Long.toString(answer.retryAfter().toSeconds()));
      }
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // The client went away (or the fake is closing); nothing to answer.
    }
  }

  private void enqueueFailure(String method, Failure failure) {
    locked(() -> failures.computeIfAbsent(method, m -> new ArrayDeque<>()).add(failure));
  }

  private <T> List<T> snapshot(List<T> source, Predicate<T> filter) {
    return withLock(() -> source.stream().filter(filter).toList());
  }

  private <T> List<T> await(
      List<T> source, Predicate<T> filter, int count, Duration timeout, String what) {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (true) {
        List<T> matching = source.stream().filter(filter).toList();
        if (matching.size() >= count) {
          return matching;
        }
        if (nanos <= 0) {
          throw new AssertionError(
              "Expected at least "
                  + count
                  + " "
                  + what
                  + " within "
                  + timeout
                  + " but got "
                  + matching.size()
                  + "; all calls: "
                  + calls.stream().map(Call::method).toList());
        }
        nanos = arrived.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for " + what, e);
    } finally {
      lock.unlock();
    }
  }

  private <T> T withLock(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  private void locked(Runnable action) {
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return params;
    }
    for (String pair : body.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), UTF_8);
      params.put(name, value);
    }
    return params;
  }

  private static Map<String, String> parseJsonParams(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    JsonNode json = parse(body);
    if (json != null) {
      json.properties()
          .forEach(
              e ->
                  params.put(
                      e.getKey(),
                      e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    }
    return params;
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String bearerToken(String authorization) {
    if (authorization != null && authorization.startsWith("Bearer ")) {
      return authorization.substring("Bearer ".length());
    }
    return null;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
