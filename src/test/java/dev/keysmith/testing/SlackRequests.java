package dev.keysmith.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds, signs and sends requests to a {@code /slack/events} URL in the shapes Slack sends. The
 * payload templates are the fixtures in {@code src/test/resources/slack/}.
 */
public final class SlackRequests {
  /** Workspace id in every payload; matches {@link FakeSlackApi#TEAM_ID}. */
  public static final String TEAM_ID = FakeSlackApi.TEAM_ID;

  /** Channel a command or click comes from unless told otherwise. */
  public static final String CHANNEL_ID = "C0001";

  /** Timestamp of the message a click comes from unless told otherwise. */
  public static final String MESSAGE_TS = "1700000000.000100";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectNode SLASH_COMMAND = fixture("slash_command.json");
  private static final ObjectNode BLOCK_ACTIONS = fixture("block_actions.json");
  private static final ObjectNode VIEW_SUBMISSION = fixture("view_submission.json");
  private static final ObjectNode BLOCK_SUGGESTION = fixture("block_suggestion.json");
  private static final Duration STALENESS = Duration.ofMinutes(10);
  private static final AtomicLong TRIGGERS = new AtomicLong();
  private static final AtomicLong VIEWS = new AtomicLong();

  private final URI eventsUri;
  private final String signingSecret;
  private final Clock clock;
  private final HttpClient http;

  /**
   * Requests to {@code eventsUri}, signed with {@code signingSecret}, timed by the system clock.
   */
  public SlackRequests(URI eventsUri, String signingSecret) {
    this(eventsUri, signingSecret, Clock.systemUTC());
  }

  /** Requests to {@code eventsUri}, signed with {@code signingSecret}, timed by {@code clock}. */
  public SlackRequests(URI eventsUri, String signingSecret, Clock clock) {
    this.eventsUri = Objects.requireNonNull(eventsUri, "eventsUri");
    this.signingSecret = Objects.requireNonNull(signingSecret, "signingSecret");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  // ---- Sending

  /** Sends a validly signed slash command {@code /iam text}. */
  public Reply slashCommand(String userId, String text, String triggerId, String responseUrl)
      throws IOException, InterruptedException {
    return send(sign(slashCommandBody(userId, text, triggerId, responseUrl)));
  }

  /** Sends a validly signed block_actions payload for one button click. */
  public Reply blockAction(BlockAction action) throws IOException, InterruptedException {
    return send(sign(blockActionBody(action)));
  }

  /** Sends a validly signed view_submission payload. */
  public Reply viewSubmission(
      String userId,
      String callbackId,
      String privateMetadata,
      Map<String, Map<String, JsonNode>> values)
      throws IOException, InterruptedException {
    return send(sign(viewSubmissionBody(userId, callbackId, privateMetadata, values)));
  }

  /** Sends a validly signed block_suggestion payload (an external_select asking for options). */
  public Reply blockSuggestion(String userId, String actionId, String blockId, String value)
      throws IOException, InterruptedException {
    return send(sign(blockSuggestionBody(userId, actionId, blockId, value)));
  }

  /** Sends a signed request and waits for the answer. */
  public Reply send(Signed signed) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(toHttpRequest(signed), bodyHandler());
    return Reply.of(response);
  }

  /** Sends a signed request without waiting. */
  public CompletableFuture<Reply> sendAsync(Signed signed) {
    return http.sendAsync(toHttpRequest(signed), bodyHandler()).thenApply(Reply::of);
  }

  // ---- Signing

  /** Signs {@code body} correctly with the current time. */
  public Signed sign(String body) {
    return sign(body, Signing.VALID);
  }

  /** Signs {@code body} as {@code signing} says. */
  public Signed sign(String body, Signing signing) {
    Instant now = clock.instant();
    return switch (signing) {
      case VALID -> signAt(body, now, signingSecret);
      case WRONG_SIGNATURE -> signAt(body, now, signingSecret + "-wrong");
      case STALE_TIMESTAMP -> signAt(body, now.minus(STALENESS), signingSecret);
      case UNSIGNED -> new Signed(body, null, null);
    };
  }

  /** Slack's request signature: {@code v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))}. */
  public static String signature(String secret, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(UTF_8));
      return "v0=" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Signed signAt(String body, Instant at, String secret) {
    String timestamp = Long.toString(at.getEpochSecond());
    return new Signed(body, timestamp, signature(secret, timestamp, body));
  }

  // ---- Payloads

  /** Form body of the slash command {@code /iam text} from {@link #CHANNEL_ID}. */
  public String slashCommandBody(String userId, String text, String triggerId, String responseUrl) {
    return slashCommandBody(CHANNEL_ID, userId, text, triggerId, responseUrl);
  }

  /** Form body of the slash command {@code /iam text} from {@code channelId}. */
  public String slashCommandBody(
      String channelId, String userId, String text, String triggerId, String responseUrl) {
    ObjectNode fields = SLASH_COMMAND.deepCopy();
    fields
        .put("channel_id", channelId)
        .put("user_id", userId)
        .put("user_name", userName(userId))
        .put("text", text)
        .put("trigger_id", triggerId)
        .put("response_url", responseUrl);
    StringBuilder form = new StringBuilder();
    fields
        .properties()
        .forEach(
            e -> {
              if (form.length() > 0) {
                form.append('&');
              }
              form.append(encode(e.getKey())).append('=').append(encode(e.getValue().asText()));
            });
    return form.toString();
  }

  /** Form body {@code payload=<json>} of a block_actions payload for one button click. */
  public String blockActionBody(BlockAction action) {
    ObjectNode payload = BLOCK_ACTIONS.deepCopy();
    putUser(payload, action.userId());
    payload.put("trigger_id", action.triggerId()).put("response_url", action.responseUrl());
    ObjectNode container = (ObjectNode) payload.get("container");
    container
        .put("message_ts", action.messageTs())
        .put("channel_id", action.channelId())
        .put("is_ephemeral", action.ephemeral());
    ((ObjectNode) payload.get("channel")).put("id", action.channelId());

    ObjectNode button = (ObjectNode) payload.withArray("actions").get(0);
    button
        .put("action_id", action.actionId())
        .put("block_id", action.blockId())
        .put("value", action.value())
        .put("action_ts", actionTs());
    ((ObjectNode) button.get("text")).put("text", action.text());

    if (action.ephemeral()) {
      // Slack may leave the message out for a click on an ephemeral message.
      payload.remove("message");
    } else {
      ObjectNode message = (ObjectNode) payload.get("message");
      message.put("ts", action.messageTs());
      ObjectNode element =
          NODES
              .objectNode()
              .put("type", "button")
              .put("action_id", action.actionId())
              .put("value", action.value());
      element.set("text", button.get("text").deepCopy());
      ObjectNode block = message.withArray("blocks").addObject();
      block.put("type", "actions").put("block_id", action.blockId());
      block.putArray("elements").add(element);
    }
    return formPayload(payload);
  }

  /**
   * An Events API {@code app_home_opened} body: {@code userId} opened Keysmith's {@code tab}
   * ({@code home} or {@code messages}); {@code eventId} must differ per event, as Slack's do.
   */
  public static String homeOpenedBody(String userId, String tab, String eventId) {
    return "{\"token\":\"x\",\"team_id\":\"T0001\",\"api_app_id\":\"A0001\",\"type\":"
        + "\"event_callback\",\"event_id\":\""
        + eventId
        + "\",\"event_time\":1700000000,\"event\":{\"type\":\"app_home_opened\",\"user\":\""
        + userId
        + "\",\"channel\":\"D0001\",\"tab\":\""
        + tab
        + "\",\"event_ts\":\"1700000000.000100\"}}";
  }

  /**
   * Form body of a block_actions payload for a click on the Home tab, as Slack sends one: the
   * container is the view, the payload carries the view, and there is no channel, message or
   * response_url.
   */
  public String homeClickBody(String userId, String actionId, String blockId, String value) {
    ObjectNode payload = BLOCK_ACTIONS.deepCopy();
    putUser(payload, userId);
    payload.put("trigger_id", newTriggerId());
    payload.remove("response_url");
    payload.remove("channel");
    payload.remove("message");
    payload.putObject("container").put("type", "view").put("view_id", "VHOME0001");
    ObjectNode view = payload.putObject("view");
    view.put("id", "VHOME0001")
        .put("team_id", "T0001")
        .put("type", "home")
        .put("app_id", "A0001")
        .put("bot_id", "B0001")
        .put("hash", "1700000000.home");
    view.putArray("blocks");
    view.putObject("state").putObject("values");
    ObjectNode button = (ObjectNode) payload.withArray("actions").get(0);
    button
        .put("action_id", actionId)
        .put("block_id", blockId)
        .put("value", value)
        .put("action_ts", actionTs());
    ((ObjectNode) button.get("text")).put("text", actionId);
    return formPayload(payload);
  }

  /** Form body of a global shortcut payload: who chose it, and the trigger to open a modal. */
  public String globalShortcutBody(String userId, String callbackId, String triggerId) {
    ObjectNode payload = NODES.objectNode();
    payload
        .put("type", "shortcut")
        .put("token", "gIkuvaNzQIHg97ATvDxqgjtO")
        .put("action_ts", actionTs())
        .put("callback_id", callbackId)
        .put("trigger_id", triggerId)
        .put("is_enterprise_install", false);
    payload.putObject("team").put("id", "T0001").put("domain", "keysmith-test");
    payload
        .putObject("user")
        .put("id", userId)
        .put("username", userName(userId))
        .put("team_id", "T0001");
    return formPayload(payload);
  }

  /**
   * Form body of a view_submission payload. {@code values} maps block id to action id to state
   * value, as built by {@link #plainTextInput}, {@link #staticSelect} and friends.
   */
  public String viewSubmissionBody(
      String userId,
      String callbackId,
      String privateMetadata,
      Map<String, Map<String, JsonNode>> values) {
    ObjectNode payload = VIEW_SUBMISSION.deepCopy();
    putUser(payload, userId);
    payload.put("trigger_id", newTriggerId());
    ObjectNode view = (ObjectNode) payload.get("view");
    // Each submission from its own modal, as when a person opens the form again.
    view.put("id", "V" + VIEWS.incrementAndGet());
    view.put("callback_id", callbackId).put("private_metadata", privateMetadata);
    ObjectNode state = view.putObject("state").putObject("values");
    var blocks = view.putArray("blocks");
    values.forEach(
        (blockId, actions) -> {
          ObjectNode block = state.putObject(blockId);
          actions.forEach(
              (actionId, value) -> {
                block.set(actionId, value.deepCopy());
                ObjectNode input = blocks.addObject().put("type", "input").put("block_id", blockId);
                input.putObject("label").put("type", "plain_text").put("text", blockId);
                input
                    .putObject("element")
                    .put("type", value.path("type").asText())
                    .put("action_id", actionId);
              });
        });
    return formPayload(payload);
  }

  /** Form body of a block_suggestion payload: {@code value} is what the user typed so far. */
  public String blockSuggestionBody(String userId, String actionId, String blockId, String value) {
    ObjectNode payload = BLOCK_SUGGESTION.deepCopy();
    putUser(payload, userId);
    payload.put("action_id", actionId).put("block_id", blockId).put("value", value);
    return formPayload(payload);
  }

  /** A fresh trigger_id in Slack's format. */
  public static String newTriggerId() {
    return "1700000000000.1700000000." + String.format("%032x", TRIGGERS.incrementAndGet());
  }

  // ---- View state values, in the shapes of view.state.values

  /** State of a plain_text_input; {@code value} is null when an optional input was left empty. */
  public static JsonNode plainTextInput(String value) {
    return NODES.objectNode().put("type", "plain_text_input").put("value", value);
  }

  /** State of a static_select with one option chosen. */
  public static JsonNode staticSelect(String text, String value) {
    return selected("static_select", text, value);
  }

  /** State of an external_select with one option chosen. */
  public static JsonNode externalSelect(String text, String value) {
    return selected("external_select", text, value);
  }

  /** State of a radio_buttons element with one option chosen. */
  public static JsonNode radioButtons(String text, String value) {
    return selected("radio_buttons", text, value);
  }

  /** State of a checkboxes element with the options of {@code values} ticked. */
  public static JsonNode checkboxes(String... values) {
    ObjectNode state = NODES.objectNode().put("type", "checkboxes");
    var options = state.putArray("selected_options");
    for (String value : values) {
      ObjectNode option = options.addObject();
      option.putObject("text").put("type", "plain_text").put("text", value).put("emoji", true);
      option.put("value", value);
    }
    return state;
  }

  /** State of a users_select with {@code userId} chosen. */
  public static JsonNode usersSelect(String userId) {
    return NODES.objectNode().put("type", "users_select").put("selected_user", userId);
  }

  /** State of a select or radio_buttons element of {@code type} with nothing chosen. */
  public static JsonNode nothingSelected(String type) {
    ObjectNode state = NODES.objectNode().put("type", type);
    state.putNull("selected_option");
    return state;
  }

  private static JsonNode selected(String type, String text, String value) {
    ObjectNode state = NODES.objectNode().put("type", type);
    ObjectNode option = state.putObject("selected_option");
    option.putObject("text").put("type", "plain_text").put("text", text).put("emoji", true);
    option.put("value", value);
    return state;
  }

  // ---- Types

  /** How to sign a request. */
  public enum Signing {
    /** Correct signature, current timestamp. */
    VALID,
    /** Signed with another secret. */
    WRONG_SIGNATURE,
    /** Correctly signed, but the timestamp is 10 minutes old. */
    STALE_TIMESTAMP,
    /** No signature headers at all. */
    UNSIGNED
  }

  /** A request body with its signature headers (null when unsigned). */
  public record Signed(String body, String timestamp, String signature) {}

  /** The HTTP answer to a sent request. */
  public record Reply(int status, String body, HttpHeaders headers) {
    static Reply of(HttpResponse<String> response) {
      return new Reply(response.statusCode(), response.body(), response.headers());
    }

    /** First value of a header, or null. */
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The body parsed as JSON. */
    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        throw new AssertionError("Not JSON: " + body, e);
      }
    }
  }

  /** One button click, as a block_actions payload describes it. */
  public record BlockAction(
      String userId,
      String actionId,
      String blockId,
      String value,
      String text,
      String channelId,
      String messageTs,
      boolean ephemeral,
      String responseUrl,
      String triggerId) {

    /** A click by {@code userId} on button {@code actionId} with {@code value}, in a message. */
    public static BlockAction click(String userId, String actionId, String value) {
      return new BlockAction(
          userId,
          actionId,
          "actions",
          value,
          actionId,
          CHANNEL_ID,
          MESSAGE_TS,
          /* ephemeral= */ false,
          "https://hooks.slack.com/actions/T0001/1700000000000/AbCdEfGhIjKlMnOp",
          newTriggerId());
    }

    /** The same click in block {@code blockId}. */
    public BlockAction inBlock(String blockId) {
      return with(blockId, text, channelId, messageTs, ephemeral, responseUrl);
    }

    /** The same click on message {@code messageTs} in {@code channelId}. */
    public BlockAction onMessage(String channelId, String messageTs) {
      return with(blockId, text, channelId, messageTs, ephemeral, responseUrl);
    }

    /** The same click on an ephemeral message: Slack sends no copy of the message. */
    public BlockAction onEphemeral() {
      return with(blockId, text, channelId, messageTs, /* ephemeral= */ true, responseUrl);
    }

    /** The same click with {@code responseUrl}. */
    public BlockAction withResponseUrl(String responseUrl) {
      return with(blockId, text, channelId, messageTs, ephemeral, responseUrl);
    }

    /** The same click with button label {@code text}. */
    public BlockAction withText(String text) {
      return with(blockId, text, channelId, messageTs, ephemeral, responseUrl);
    }

    private BlockAction with(
        String blockId,
        String text,
        String channelId,
        String messageTs,
        boolean ephemeral,
        String responseUrl) {
      return new BlockAction(
          userId,
          actionId,
          blockId,
          value,
          text,
          channelId,
          messageTs,
          ephemeral,
          responseUrl,
          triggerId);
    }
  }

  // ---- Helpers

  /** Sends an Events API callback (JSON, signed) and waits for the answer. */
  public Reply event(String json) throws IOException, InterruptedException {
    Signed signed = sign(json);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(eventsUri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("X-Slack-Request-Timestamp", signed.timestamp())
            .header("X-Slack-Signature", signed.signature())
            .POST(HttpRequest.BodyPublishers.ofString(json, UTF_8));
    return Reply.of(http.send(request.build(), bodyHandler()));
  }

  /** Form body of a block_actions payload for a users_select pick of {@code selectedUser}. */
  public String userPickBody(BlockAction action, String selectedUser) {
    ObjectNode payload = BLOCK_ACTIONS.deepCopy();
    putUser(payload, action.userId());
    payload.put("trigger_id", action.triggerId()).put("response_url", action.responseUrl());
    ((ObjectNode) payload.get("container"))
        .put("message_ts", action.messageTs())
        .put("channel_id", action.channelId())
        .put("is_ephemeral", true);
    ((ObjectNode) payload.get("channel")).put("id", action.channelId());
    payload.remove("message");
    ObjectNode pick = payload.putArray("actions").addObject();
    pick.put("type", "users_select")
        .put("action_id", action.actionId())
        .put("block_id", action.blockId())
        .put("selected_user", selectedUser)
        .put("action_ts", actionTs());
    return formPayload(payload);
  }

  private HttpRequest toHttpRequest(Signed signed) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(eventsUri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
            .POST(HttpRequest.BodyPublishers.ofString(signed.body(), UTF_8));
    if (signed.timestamp() != null) {
      request.header("X-Slack-Request-Timestamp", signed.timestamp());
    }
    if (signed.signature() != null) {
      request.header("X-Slack-Signature", signed.signature());
    }
    return request.build();
  }

  private static HttpResponse.BodyHandler<String> bodyHandler() {
    return HttpResponse.BodyHandlers.ofString(UTF_8);
  }

  private String actionTs() {
    Instant now = clock.instant();
    return String.format("%d.%06d", now.getEpochSecond(), now.getNano() / 1000);
  }

  private static void putUser(ObjectNode payload, String userId) {
    ((ObjectNode) payload.get("user"))
        .put("id", userId)
        .put("username", userName(userId))
        .put("name", userName(userId));
  }

  private static String userName(String userId) {
    return userId.toLowerCase(Locale.ROOT);
  }

  private static String formPayload(ObjectNode payload) {
    try {
      return "payload=" + encode(MAPPER.writeValueAsString(payload));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, UTF_8);
  }

  private static ObjectNode fixture(String name) {
    try (InputStream in = SlackRequests.class.getResourceAsStream("/slack/" + name)) {
      if (in == null) {
        throw new IllegalStateException("Missing fixture /slack/" + name);
      }
      return (ObjectNode) MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
