package dev.keysmith.slack;

import static dev.keysmith.testing.SlackRequests.plainTextInput;
import static dev.keysmith.testing.SlackRequests.staticSelect;
import static dev.keysmith.testing.SlackRequests.usersSelect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.Slack;
import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.app_backend.interactive_components.response.Option;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.app_backend.views.payload.ViewSubmissionPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.view.ViewState;
import dev.keysmith.core.Liveness;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
import dev.keysmith.testing.SlackRequests.Signing;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class SlackHttpServerTest {
  private static final String SECRET = "test-secret";
  private static final String BOT_TOKEN = "xoxb-test";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<SlashCommandPayload> commands = new CopyOnWriteArrayList<>();
  private final List<BlockActionPayload> actions = new CopyOnWriteArrayList<>();
  private final List<ViewSubmissionPayload> submissions = new CopyOnWriteArrayList<>();
  private static final Health OK =
      new Health(
          new JobBacklog(3, 1),
          new OutboxBacklog(0, 0, 0),
          new Liveness.Seen(Instant.parse("2026-12-03T10:00:00Z"), null),
          new Liveness.Seen(null, null));
  private final AtomicReference<Health> health = new AtomicReference<>(OK);
  private final HttpClient http = HttpClient.newHttpClient();

  private FakeSlackApi slackApi;
  private Slack slack;
  private ExecutorService executor;
  private SlackHttpServer server;
  private SlackRequests requests;

  @BeforeEach
  void startServer() throws IOException {
    slackApi = FakeSlackApi.start();
    slack = Slack.getInstance(slackApi.slackConfig());
    App app = newApp(slack);
    executor = Executors.newFixedThreadPool(4);
    server =
        new SlackHttpServer(
            app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), executor, health::get);
    server.start();
    requests = new SlackRequests(url("/slack/events"), SECRET);
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
    executor.shutdownNow();
    slack.close();
    slackApi.close();
  }

  private App newApp(Slack slack) {
    App app =
        new App(
            AppConfig.builder()
                .singleTeamBotToken(BOT_TOKEN)
                .signingSecret(SECRET)
                .slack(slack)
                .build());
    app.command(
        "/iam",
        (req, ctx) -> {
          commands.add(req.getPayload());
          return ctx.ack();
        });
    app.blockAction(
        "approve",
        (req, ctx) -> {
          actions.add(req.getPayload());
          return ctx.ack();
        });
    app.blockAction(
        "explode",
        (req, ctx) -> {
          throw new IllegalStateException("secret detail AKIA0000");
        });
    app.viewSubmission(
        "create-user",
        (req, ctx) -> {
          submissions.add(req.getPayload());
          return ctx.ack();
        });
    app.blockSuggestion(
        "group",
        (req, ctx) ->
            ctx.ack(
                r ->
                    r.options(
                        List.of(
                            new Option(
                                PlainTextObject.builder().text(req.getPayload().getValue()).build(),
                                req.getPayload().getValue())))));
    return app;
  }

  @Test
  void events_badSignature_is401AndHandlerDoesNotRun() throws Exception {
    String body = requests.slashCommandBody("U0ALICE", "create-user", "t1", "https://x");

    Reply reply = requests.send(requests.sign(body, Signing.WRONG_SIGNATURE));

    assertEquals(401, reply.status());
    assertTrue(commands.isEmpty());
  }

  @Test
  void events_staleTimestamp_is401() throws Exception {
    String body = requests.slashCommandBody("U0ALICE", "create-user", "t1", "https://x");

    Reply reply = requests.send(requests.sign(body, Signing.STALE_TIMESTAMP));

    assertEquals(401, reply.status());
    assertTrue(commands.isEmpty());
  }

  @Test
  void events_unsigned_is401() throws Exception {
    String body = requests.slashCommandBody("U0ALICE", "create-user", "t1", "https://x");

    Reply reply = requests.send(requests.sign(body, Signing.UNSIGNED));

    assertEquals(401, reply.status());
    assertTrue(commands.isEmpty());
  }

  @Test
  void events_unrecognisedBodyUnsigned_is401() throws Exception {
    // Bolt alone would answer 400 before checking the signature; we check the signature first.
    Reply reply = requests.send(requests.sign("hello=world", Signing.UNSIGNED));

    assertEquals(401, reply.status());
  }

  @Test
  void events_unrecognisedBodySigned_is400() throws Exception {
    Reply reply = requests.send(requests.sign("hello=world"));

    assertEquals(400, reply.status());
  }

  @Test
  void events_timestampSixMinutesInTheFuture_is401() throws Exception {
    // Bolt 1.51 lets future timestamps through; a captured request must not be replayable later.
    SlackRequests fromTheFuture =
        new SlackRequests(
            url("/slack/events"),
            SECRET,
            java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(6)));
    String body = requests.slashCommandBody("U0ALICE", "create-user", "t1", "https://x");

    Reply reply = fromTheFuture.send(fromTheFuture.sign(body));

    assertEquals(401, reply.status());
    assertTrue(commands.isEmpty());
  }

  @Test
  void events_timestampFourMinutesOld_isAccepted() throws Exception {
    SlackRequests slow =
        new SlackRequests(
            url("/slack/events"),
            SECRET,
            java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(-4)));
    String body = requests.slashCommandBody("U0ALICE", "create-user", "t1", "https://x");

    Reply reply = slow.send(slow.sign(body));

    assertEquals(200, reply.status());
  }

  @Test
  void events_oversizedBody_is413() throws Exception {
    String body = "text=" + "a".repeat(SlackHttpServer.MAX_BODY_BYTES);

    Reply reply = requests.send(requests.sign(body));

    assertEquals(413, reply.status());
    assertTrue(commands.isEmpty());
  }

  @Test
  void events_get_is405() throws Exception {
    HttpResponse<String> response = get("/slack/events");

    assertEquals(405, response.statusCode());
    assertEquals("POST", response.headers().firstValue("Allow").orElse(null));
  }

  @Test
  void unknownPath_is404() throws Exception {
    assertEquals(404, get("/slack/other").statusCode());
  }

  @Test
  void events_handlerThrows_is500WithoutDetails() throws Exception {
    Reply reply = requests.blockAction(BlockAction.click("U0ALICE", "explode", "r-1"));

    assertEquals(500, reply.status());
    assertFalse(reply.body().contains("AKIA"), reply.body());
    assertFalse(reply.body().contains("IllegalStateException"), reply.body());
  }

  @Test
  void health_databaseUnusable_is503WithJson() throws Exception {
    health.set(new Health(null, null, OK.slack(), OK.iam()));

    HttpResponse<String> response = get("/health");

    assertEquals(503, response.statusCode());
    assertEquals(
        "application/json; charset=utf-8",
        response.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        "{\"status\":\"unavailable\",\"database\":\"unavailable\",\"jobs\":null,\"outbox\":null,"
            + "\"slack\":{\"lastOk\":\"2026-12-03T10:00:00Z\",\"lastError\":null},"
            + "\"iam\":{\"lastOk\":null,\"lastError\":null},\"recovering\":[]}",
        response.body());
  }

  @Test
  void health_checkThrows_is503() throws Exception {
    server.close();
    server =
        new SlackHttpServer(
            newApp(slack),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            executor,
            () -> {
              throw new IllegalStateException("boom");
            });
    server.start();

    HttpResponse<String> response = get("/health");

    assertEquals(503, response.statusCode());
    assertEquals("{\"status\":\"unavailable\"}", response.body());
  }

  @Test
  void health_healthy_is200WithTheBacklogAndCalls() throws Exception {
    HttpResponse<String> response = get("/health");

    assertEquals(200, response.statusCode());
    assertEquals(
        "{\"status\":\"ok\",\"database\":\"ok\",\"jobs\":{\"pending\":3,\"overdue\":1},\"outbox\":{\"pending\":0,\"overdue\":0,\"undeliverable\":0},"
            + "\"slack\":{\"lastOk\":\"2026-12-03T10:00:00Z\",\"lastError\":null},"
            + "\"iam\":{\"lastOk\":null,\"lastError\":null},\"recovering\":[]}",
        response.body());
  }

  @Test
  void events_afterClose_areRefused() throws Exception {
    server.close();

    assertThrows(
        IOException.class,
        () -> requests.slashCommand("U0ALICE", "create-user", "t1", "https://x"));
    assertTrue(commands.isEmpty());
  }

  @Test
  void start_authTestFails_throws() throws Exception {
    slackApi.failNext("auth.test", "invalid_auth");
    App app = newApp(slack);

    try (SlackHttpServer other =
        new SlackHttpServer(
            app,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            executor,
            health::get)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, other::start);
      assertTrue(e.getMessage().contains("invalid_auth"), e.getMessage());
    }
  }

  @Test
  void authTest_calledAtStartAndOnFirstRequestOnly() throws Exception {
    // Bolt checks the token at start, then its auth.test cache starts out expired, so the first
    // request calls auth.test again; later ones use the cache (10 minutes by default).
    assertEquals(1, slackApi.calls("auth.test").size());

    requests.slashCommand("U0ALICE", "a", "t1", "https://x");
    requests.slashCommand("U0ALICE", "b", "t2", "https://x");

    assertEquals(2, slackApi.calls("auth.test").size());
    assertEquals(BOT_TOKEN, slackApi.calls("auth.test").get(0).token());
  }

  @Test
  void slashCommand_signed_reachesHandler() throws Exception {
    String responseUrl = slackApi.newResponseUrl();

    Reply reply =
        requests.slashCommand("U0ALICE", "create-user bob & <!channel>", "trigger-1", responseUrl);

    assertEquals(200, reply.status());
    assertEquals(1, commands.size());
    SlashCommandPayload command = commands.get(0);
    assertEquals("/iam", command.getCommand());
    assertEquals("create-user bob & <!channel>", command.getText());
    assertEquals("U0ALICE", command.getUserId());
    assertEquals("trigger-1", command.getTriggerId());
    assertEquals(responseUrl, command.getResponseUrl());
    assertEquals(FakeSlackApi.TEAM_ID, command.getTeamId());
  }

  @Test
  void blockAction_onMessage_carriesMessage() throws Exception {
    Reply reply = requests.blockAction(BlockAction.click("U0BOB", "approve", "r-1"));

    assertEquals(200, reply.status());
    BlockActionPayload payload = actions.get(0);
    assertFalse(payload.getContainer().isEphemeral());
    assertEquals(SlackRequests.MESSAGE_TS, payload.getMessage().getTs());
    assertEquals("r-1", payload.getActions().get(0).getValue());
  }

  @Test
  void blockAction_onEphemeral_reachesHandlerWithoutMessage() throws Exception {
    String responseUrl = slackApi.newResponseUrl();
    BlockAction click =
        BlockAction.click("U0ALICE", "approve", "r-42")
            .inBlock("request-r-42")
            .onMessage("C0PRIVATE", "1700000001.000200")
            .withResponseUrl(responseUrl)
            .onEphemeral();

    Reply reply = requests.blockAction(click);

    assertEquals(200, reply.status());
    assertEquals(1, actions.size());
    BlockActionPayload payload = actions.get(0);
    assertTrue(payload.getContainer().isEphemeral());
    assertEquals("1700000001.000200", payload.getContainer().getMessageTs());
    assertEquals("C0PRIVATE", payload.getContainer().getChannelId());
    assertNull(payload.getMessage());
    assertEquals("U0ALICE", payload.getUser().getId());
    assertEquals(responseUrl, payload.getResponseUrl());
    BlockActionPayload.Action action = payload.getActions().get(0);
    assertEquals("approve", action.getActionId());
    assertEquals("request-r-42", action.getBlockId());
    assertEquals("r-42", action.getValue());
  }

  @Test
  void viewSubmission_stateValues_parseIntoBoltModel() throws Exception {
    Map<String, Map<String, JsonNode>> values =
        Map.of(
            "user_name", Map.of("input", plainTextInput("bob")),
            "access", Map.of("choice", staticSelect("Console and keys", "both")),
            "owner", Map.of("pick", usersSelect("U0BOB")));

    Reply reply = requests.viewSubmission("U0ALICE", "create-user", "{\"r\":1}", values);

    assertEquals(200, reply.status());
    ViewSubmissionPayload payload = submissions.get(0);
    assertEquals("{\"r\":1}", payload.getView().getPrivateMetadata());
    Map<String, Map<String, ViewState.Value>> state = payload.getView().getState().getValues();
    assertEquals("bob", state.get("user_name").get("input").getValue());
    assertEquals("both", state.get("access").get("choice").getSelectedOption().getValue());
    assertEquals("U0BOB", state.get("owner").get("pick").getSelectedUser());
  }

  @Test
  void blockSuggestion_signed_answersOptions() throws Exception {
    Reply reply = requests.blockSuggestion("U0ALICE", "group", "groups", "dev");

    assertEquals(200, reply.status());
    assertEquals("dev", reply.json().path("options").path(0).path("value").asText());
  }

  @Test
  void events_concurrent_allReachHandler() throws Exception {
    List<SlackRequests.Signed> signed =
        IntStream.range(0, 20)
            .mapToObj(i -> requests.sign(requests.slashCommandBody("U0ALICE", "n" + i, "t", "u")))
            .toList();

    List<CompletableFuture<Reply>> pending = signed.stream().map(requests::sendAsync).toList();
    List<Reply> replies = pending.stream().map(CompletableFuture::join).toList();

    assertTrue(replies.stream().allMatch(r -> r.status() == 200));
    assertEquals(20, commands.size());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(url(path)).timeout(WAIT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
