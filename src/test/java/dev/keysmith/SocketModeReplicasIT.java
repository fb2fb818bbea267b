package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.WAIT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysmith.store.Database;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.FakeSocketMode;
import dev.keysmith.testing.FakeSocketMode.Answer;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Keysmith replicas in Socket Mode on one PostgreSQL database, each with its own websocket to
 * one (fake) Slack: Slack hands each envelope to one connection, and may hand one again, to either.
 * Whatever connection an envelope comes on, it runs once, and every delivery of it is answered.
 */
class SocketModeReplicasIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MESSAGE_TS = "1700000000.000100";

  /** The first replica's connection and the second's. */
  private static final int FIRST = 0;

  private static final int SECOND = 1;

  @TempDir Path dataDir;
  KeysmithFixture k;
  FakeSocketMode socket;

  /** Builds payloads in Slack's shapes; it never sends, as Keysmith has no HTTP port here. */
  private final SlackRequests payloads =
      new SlackRequests(
          URI.create("http://127.0.0.1:1/not-listening"), KeysmithFixture.SIGNING_SECRET);

  @BeforeEach
  void start() throws Exception {
    k =
        new KeysmithFixture(
            dataDir, TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir), /* socketMode= */ true);
    socket = k.socket;
    socket.awaitConnections(1, WAIT);
    k.startReplica();
    socket.awaitConnections(2, WAIT);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void everyStepOnTheOtherConnection_createsTheUserOnce_andShowsItsKeyOnce() throws Exception {
    // /iam create-user: acked at once, and the form opened with the command's trigger.
    String commandUrl = k.slack.newResponseUrl();
    String trigger = SlackRequests.newTriggerId();
    Answer command =
        deliver(
            FIRST, "slash_commands", commandPayload(REQUESTER, "create-user", trigger, commandUrl));
    assertEquals(FIRST, command.connection());
    k.idle();
    List<FakeSlackApi.Call> opened = k.slack.calls("views.open");
    assertEquals(1, opened.size());
    assertEquals(trigger, opened.get(0).param("trigger_id"));
    assertEquals("keysmith_create_user", opened.get(0).json("view").path("callback_id").asText());

    // The form, submitted: the modal says it is sent, and the approvers are asked.
    Answer submitted = deliver(SECOND, "interactive", submission("alice"));
    assertEquals(SECOND, submitted.connection());
    assertEquals("update", submitted.payload().path("response_action").asText(), submitted.raw());
    k.idle();
    String id = lastRequestId();
    assertEquals("PENDING", k.requestState(id));

    // Approved on the first replica's connection: the user is made.
    deliver(
        FIRST, "interactive", click(APPROVER, "keysmith_approve", id, k.slack.newResponseUrl()));
    k.idle();
    assertTrue(k.userExists("alice"));
    assertEquals("PROVISIONED", k.requestState(id));

    // The owner asks for the key on the second's, and reveals it on the first's.
    deliver(
        SECOND,
        "interactive",
        click(OWNER, "keysmith_get_credentials", id, k.slack.newResponseUrl()));
    k.idle();
    String revealUrl = k.slack.newResponseUrl();
    deliver(FIRST, "interactive", ephemeralClick(OWNER, "keysmith_reveal", id, revealUrl));
    k.idle();
    // A second try, on the other connection, shows nothing more.
    deliver(
        SECOND,
        "interactive",
        ephemeralClick(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl()));
    k.idle();

    assertEquals(1, k.iam.listAccessKeys(r -> r.userName("alice")).accessKeyMetadata().size());
    assertEquals("REVEALED", k.requestState(id));
    assertEquals(1, k.auditCount("request.submitted"));
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(1, k.auditCount("iam.CreateUser"));
    assertEquals(1, k.auditCount("request.provisioned"));
    assertEquals(1, k.auditCount("iam.CreateAccessKey"));
    List<FakeSlackApi.ResponseUrlPost> shown =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.raw().contains("Credentials for"))
            .toList();
    assertEquals(1, shown.size(), "the key is shown once");
    assertEquals(revealUrl, shown.get(0).url());
    String keyId =
        k.iam.listAccessKeys(r -> r.userName("alice")).accessKeyMetadata().get(0).accessKeyId();
    assertTrue(shown.get(0).raw().contains(keyId), "the key IAM has is the one shown");
    assertEquals(
        1,
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .count(),
        "one approvals message, edited since");
    List<String> approvalEdits =
        k.slack.calls("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .map(c -> c.json("blocks").toString())
            .toList();
    assertFalse(approvalEdits.isEmpty(), "the approvals message was never edited");
    String lastEdit = approvalEdits.get(approvalEdits.size() - 1);
    assertTrue(lastEdit.contains("Created IAM user"), lastEdit);
    assertTrue(lastEdit.contains("revealed"), lastEdit);
    assertEquals(1, k.slack.calls("views.open").size(), "the form opened once");
  }

  @Test
  void aCommandDeliveredAgainOnTheOtherConnection_opensTheFormOnce() throws Exception {
    String trigger = SlackRequests.newTriggerId();
    String envelopeId = socket.newEnvelopeId();
    String envelope =
        FakeSocketMode.envelope(
            envelopeId,
            "slash_commands",
            commandPayload(REQUESTER, "create-user", trigger, k.slack.newResponseUrl()));

    socket.send(FIRST, envelope);
    Answer first = socket.awaitAnswer(envelopeId, WAIT);
    socket.send(SECOND, envelope);
    Answer again = socket.awaitAnswer(envelopeId, WAIT);
    k.idle();

    assertEquals(FIRST, first.connection());
    assertEquals(SECOND, again.connection());
    assertEquals(first.json(), again.json());
    List<FakeSlackApi.Call> opened = k.slack.calls("views.open");
    assertEquals(1, opened.size(), "a trigger opens one form");
    assertEquals(trigger, opened.get(0).param("trigger_id"));
  }

  @Test
  void aSubmissionDeliveredAgainOnTheOtherConnection_isStoredOnce_andAnsweredAlike()
      throws Exception {
    String envelopeId = socket.newEnvelopeId();
    String envelope = FakeSocketMode.envelope(envelopeId, "interactive", submission("alice"));

    socket.send(FIRST, envelope);
    Answer first = socket.awaitAnswer(envelopeId, WAIT);
    socket.send(SECOND, envelope); // as Slack does with an envelope it thinks went unanswered
    Answer again = socket.awaitAnswer(envelopeId, WAIT);
    k.idle();

    assertEquals(FIRST, first.connection());
    assertEquals(SECOND, again.connection());
    assertEquals("update", first.payload().path("response_action").asText(), first.raw());
    assertEquals(first.json(), again.json(), "the repeat says what the modal does, as the first");
    assertEquals(1, k.auditCount("request.submitted"));
    assertEquals(1, requestsNamed("alice"));
    assertEquals(
        1,
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .count(),
        "the approvers are asked once");
    assertEquals(List.of(), socket.pendingAnswers(envelopeId), "two deliveries, two answers");
  }

  @Test
  void anApproveClickDeliveredAgainOnTheOtherConnection_createsTheUserOnce() throws Exception {
    Answer submitted = deliver(FIRST, "interactive", submission("alice"));
    assertEquals("update", submitted.payload().path("response_action").asText(), submitted.raw());
    k.idle();
    String id = lastRequestId();
    String envelopeId = socket.newEnvelopeId();
    String clickUrl = k.slack.newResponseUrl();
    String envelope =
        FakeSocketMode.envelope(
            envelopeId, "interactive", click(APPROVER, "keysmith_approve", id, clickUrl));

    socket.send(SECOND, envelope);
    Answer first = socket.awaitAnswer(envelopeId, WAIT);
    k.idle();
    List<FakeSlackApi.Call> slackCallsBefore = k.slack.allCalls();
    List<FakeSlackApi.ResponseUrlPost> repliesBefore = k.slack.responseUrlPosts();
    socket.send(FIRST, envelope);
    Answer again = socket.awaitAnswer(envelopeId, WAIT);
    k.idle();

    assertEquals(SECOND, first.connection());
    assertEquals(FIRST, again.connection());
    assertEquals(first.json(), again.json());
    // Not run again: a second run would have told the approver the request is decided already.
    assertEquals(repliesBefore, k.slack.responseUrlPosts(), "nothing said to " + clickUrl);
    assertEquals(slackCallsBefore, k.slack.allCalls(), "no Slack call for the repeat");
    assertTrue(k.userExists("alice"));
    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(1, k.auditCount("iam.CreateUser"));
    assertEquals(1, k.auditCount("request.provisioned"));
  }

  @Test
  void homeOpened_andAHomeClick_overSocketMode_publishTheTabOnEitherConnection() throws Exception {
    for (int i = 0; i < 12; i++) {
      deliver(i % 2, "interactive", submission("queued" + i));
    }
    k.idle();
    ObjectNode opened = (ObjectNode) unhandledEvent();
    opened.put("event_id", "Ev0HOMESOCK1");
    ((ObjectNode) opened.get("event"))
        .put("type", "app_home_opened")
        .put("channel", "D0001")
        .put("tab", "home")
        .put("user", APPROVER);
    deliver(SECOND, "events_api", opened);
    k.idle();
    Answer next =
        deliver(
            FIRST,
            "interactive",
            interactive(
                payloads.homeClickBody(APPROVER, "keysmith_home_next", "home_block", "queue:2")));
    k.idle();

    List<FakeSlackApi.Call> published =
        k.slack.calls("views.publish").stream()
            .filter(c -> APPROVER.equals(c.param("user_id")))
            .toList();
    assertTrue(next.payload().isMissingNode(), "a plain ack: " + next.raw());
    assertEquals(2, published.size());
    assertTrue(published.get(1).param("view").contains("queue:1"), "on page 2 of the queue");
  }

  @Test
  void envelopesNoListenerHandles_areAckedOnEitherConnection() throws Exception {
    ObjectNode unknownCommand =
        commandPayload(REQUESTER, "", SlackRequests.newTriggerId(), k.slack.newResponseUrl());
    unknownCommand.put("command", "/not-keysmith");
    Answer command = deliver(FIRST, "slash_commands", unknownCommand);
    Answer event = deliver(SECOND, "events_api", unhandledEvent());
    Answer action =
        deliver(
            FIRST,
            "interactive",
            click(REQUESTER, "no_such_action", "x", k.slack.newResponseUrl()));
    k.idle();

    assertEquals(FIRST, command.connection());
    assertEquals(SECOND, event.connection());
    assertEquals(FIRST, action.connection());
    for (Answer ack : List.of(command, event, action)) {
      assertTrue(ack.payload().isMissingNode(), "a plain ack: " + ack.raw());
    }
    assertTrue(k.slack.responseUrlPosts().isEmpty(), k.slack.responseUrlPosts().toString());
    assertTrue(k.slack.calls("views.open").isEmpty());
    assertEquals(0, k.auditCount("request.submitted"));
  }

  // ---- Envelopes

  /** Sends a new envelope on {@code connection} and returns its answer. */
  private Answer deliver(int connection, String type, JsonNode payload) throws Exception {
    String envelopeId = socket.newEnvelopeId();
    socket.send(connection, FakeSocketMode.envelope(envelopeId, type, payload));
    Answer answer = socket.awaitAnswer(envelopeId, WAIT);
    assertEquals(envelopeId, answer.json().path("envelope_id").asText(), answer.raw());
    return answer;
  }

  /** A slash command's payload in Socket Mode: the fields Slack would post as a form, in JSON. */
  private ObjectNode commandPayload(String user, String text, String trigger, String url) {
    ObjectNode payload = JSON.createObjectNode();
    for (String pair : payloads.slashCommandBody(user, text, trigger, url).split("&", -1)) {
      int eq = pair.indexOf('=');
      payload.put(
          URLDecoder.decode(pair.substring(0, eq), UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), UTF_8));
    }
    return payload;
  }

  /** The create-user form of REQUESTER, asking for {@code name} in developers for OWNER. */
  private JsonNode submission(String name) throws IOException {
    return interactive(
        payloads.viewSubmissionBody(
            REQUESTER,
            "keysmith_create_user",
            "",
            KeysmithFixture.formValues(name, "developers", "PROGRAMMATIC", OWNER, "reports")));
  }

  /** A click on the approvals message. */
  private JsonNode click(String user, String actionId, String value, String responseUrl)
      throws IOException {
    return interactive(
        payloads.blockActionBody(
            BlockAction.click(user, actionId, value)
                .onMessage(APPROVALS, MESSAGE_TS)
                .withResponseUrl(responseUrl)));
  }

  /** A click on an ephemeral message, which Slack sends without the message. */
  private JsonNode ephemeralClick(String user, String actionId, String value, String responseUrl)
      throws IOException {
    return interactive(
        payloads.blockActionBody(
            BlockAction.click(user, actionId, value).onEphemeral().withResponseUrl(responseUrl)));
  }

  /** An interactive payload in Socket Mode: the JSON Slack would post as {@code payload=}. */
  private static JsonNode interactive(String formBody) throws IOException {
    assertTrue(formBody.startsWith("payload="), formBody);
    return JSON.readTree(URLDecoder.decode(formBody.substring("payload=".length()), UTF_8));
  }

  /** An Events API callback of a kind Keysmith does not listen to. */
  private static JsonNode unhandledEvent() {
    ObjectNode callback =
        JSON.createObjectNode()
            .put("token", "gIkuvaNzQIHg97ATvDxqgjtO")
            .put("team_id", FakeSlackApi.TEAM_ID)
            .put("api_app_id", FakeSlackApi.APP_ID)
            .put("type", "event_callback")
            .put("event_id", "Ev0SOCKET01")
            .put("event_time", 1_700_000_000L);
    callback
        .putObject("event")
        .put("type", "reaction_added")
        .put("user", REQUESTER)
        .put("reaction", "thumbsup")
        .put("event_ts", "1700000000.000200")
        .putObject("item")
        .put("type", "message")
        .put("channel", APPROVALS)
        .put("ts", MESSAGE_TS);
    return callback;
  }

  // ---- State

  /** The id of the request on the latest approvals message. */
  private String lastRequestId() {
    JsonNode approval =
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .reduce((a, b) -> b)
            .orElseThrow()
            .json("blocks");
    return approval.get(0).path("text").path("text").asText().replace("IAM user request ", "");
  }

  /** How many requests for IAM user {@code name} are stored. */
  private long requestsNamed(String name) {
    try (Database db = k.openDatabase()) {
      return db.withConnection(
          "count",
          c -> {
            try (var ps =
                c.prepareStatement("SELECT COUNT(*) FROM requests WHERE iam_user_name = ?")) {
              ps.setString(1, name);
              try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            }
          });
    }
  }
}
