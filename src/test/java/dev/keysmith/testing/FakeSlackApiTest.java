package dev.keysmith.testing;

import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewTitle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.chat.ChatPostEphemeralResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.conversations.ConversationsOpenResponse;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.methods.response.views.ViewsOpenResponse;
import com.slack.api.webhook.WebhookResponse;
import dev.keysmith.testing.FakeSlackApi.Call;
import dev.keysmith.testing.FakeSlackApi.ResponseUrlPost;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class FakeSlackApiTest {
  private static final String TOKEN = "xoxb-test";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private FakeSlackApi fake;
  private Slack slack;
  private MethodsClient methods;

  @BeforeEach
  void start() {
    fake = FakeSlackApi.start();
    slack = Slack.getInstance(fake.slackConfig());
    methods = slack.methods(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    slack.close();
    fake.close();
  }

  @Test
  void failNext_answersErrorOnceThenOk() throws Exception {
    fake.failNext("chat.postMessage", "channel_not_found");

    ChatPostMessageResponse first = methods.chatPostMessage(r -> r.channel("C1").text("a"));
    ChatPostMessageResponse second = methods.chatPostMessage(r -> r.channel("C1").text("b"));

    assertFalse(first.isOk());
    assertEquals("channel_not_found", first.getError());
    assertTrue(second.isOk());
    assertEquals(2, fake.calls("chat.postMessage").size());
  }

  @Test
  void rateLimitNext_answers429WithRetryAfter() {
    fake.rateLimitNext("chat.update", Duration.ofSeconds(7));

    SlackApiException e =
        assertThrows(
            SlackApiException.class,
            () -> methods.chatUpdate(r -> r.channel("C1").ts("1.2").text("x")));

    assertEquals(429, e.getResponse().code());
    assertEquals("7", e.getResponse().header("Retry-After"));
  }

  @Test
  void rateLimits_refuseCallsPastTheLimitWith429_andTheRefusedCallHasNoEffect() throws Exception {
    List<Duration> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    fake.setListener(
        new FakeSlackApi.Listener() {
          @Override
          public void rateLimited(Call call, Duration retryAfter) {
            heard.add(retryAfter);
          }
        });
    fake.setRateLimits(SlackRateLimits.published(1));

    ChatPostMessageResponse first = methods.chatPostMessage(r -> r.channel("C1").text("a"));
    SlackApiException e =
        assertThrows(
            SlackApiException.class, () -> methods.chatPostMessage(r -> r.channel("C1").text("b")));
    ChatPostMessageResponse elsewhere = methods.chatPostMessage(r -> r.channel("C2").text("c"));

    assertTrue(first.isOk());
    assertTrue(elsewhere.isOk());
    assertEquals(429, e.getResponse().code());
    assertEquals("1", e.getResponse().header("Retry-After"));
    assertEquals(
        List.of("a", "c"),
        fake.accepted("chat.postMessage").stream().map(c -> c.param("text")).toList());
    assertEquals(List.of(Duration.ofSeconds(1)), heard);

    fake.setRateLimits(null);
    assertTrue(methods.chatPostMessage(r -> r.channel("C1").text("d")).isOk());
  }

  @Test
  void unknownMethod_answersUnknownMethod() throws Exception {
    var response = methods.chatScheduleMessage(r -> r.channel("C1").postAt(1).text("x"));

    assertFalse(response.isOk());
    assertEquals("unknown_method", response.getError());
  }

  @Test
  void usergroupsUsersList_unknownGroup_isNoSuchSubteam() throws Exception {
    UsergroupsUsersListResponse response = methods.usergroupsUsersList(r -> r.usergroup("S9"));

    assertFalse(response.isOk());
    assertEquals("no_such_subteam", response.getError());
  }

  @Test
  void awaitCalls_tooFew_throwsAfterTimeout() {
    assertThrows(
        AssertionError.class, () -> fake.awaitCalls("chat.postMessage", 1, Duration.ofMillis(50)));
  }

  @Test
  void chatPostMessage_viaRealClient_isRecordedWithBlocks() throws Exception {
    ChatPostMessageResponse response =
        methods.chatPostMessage(
            r ->
                r.channel("C0APPROVALS")
                    .text("New request")
                    .blocks(
                        List.of(section(s -> s.blockId("summary").text(markdownText("*hi*"))))));

    assertTrue(response.isOk());
    assertEquals("C0APPROVALS", response.getChannel());
    assertEquals("1700000000.000100", response.getTs());
    assertEquals("New request", response.getMessage().getText());
    Call call = fake.calls("chat.postMessage").get(0);
    assertEquals(TOKEN, call.token());
    assertEquals("C0APPROVALS", call.param("channel"));
    assertEquals("New request", call.param("text"));
    assertEquals("summary", call.json("blocks").path(0).path("block_id").asText());
    assertEquals("*hi*", call.json("blocks").path(0).path("text").path("text").asText());
    assertTrue(call.rawBody().startsWith("channel=C0APPROVALS"), call.rawBody());
  }

  @Test
  void chatPostMessage_toUser_answersDmChannelAndIncreasingTs() throws Exception {
    ChatPostMessageResponse first = methods.chatPostMessage(r -> r.channel("U0ALICE").text("a"));
    ChatPostMessageResponse second = methods.chatPostMessage(r -> r.channel("U0ALICE").text("b"));

    assertEquals("D0ALICE", first.getChannel());
    assertTrue(second.getTs().compareTo(first.getTs()) > 0, first.getTs() + " " + second.getTs());
  }

  @Test
  void authTest_answersBotIdentity() throws Exception {
    AuthTestResponse response = methods.authTest(r -> r);

    assertTrue(response.isOk());
    assertEquals("T0001", response.getTeamId());
    assertEquals("U0BOT", response.getUserId());
    assertEquals("B0001", response.getBotId());
    assertEquals(TOKEN, fake.calls("auth.test").get(0).token());
  }

  @Test
  void otherMethods_answerRealisticFields() throws Exception {
    fake.setUserGroupMembers("S0APPROVERS", List.of("U0BOB", "U0CAROL"));

    ChatUpdateResponse update = methods.chatUpdate(r -> r.channel("C1").ts("1.2").text("x"));
    ChatPostEphemeralResponse ephemeral =
        methods.chatPostEphemeral(r -> r.channel("C1").user("U0ALICE").text("secret"));
    ViewsOpenResponse view =
        methods.viewsOpen(
            r ->
                r.triggerId("t1")
                    .view(
                        view(
                            v ->
                                v.type("modal")
                                    .callbackId("create-user")
                                    .title(viewTitle(t -> t.type("plain_text").text("Keysmith")))
                                    .blocks(List.of(section(s -> s.text(plainText("x"))))))));
    UsergroupsUsersListResponse members =
        methods.usergroupsUsersList(r -> r.usergroup("S0APPROVERS"));
    ConversationsOpenResponse dm = methods.conversationsOpen(r -> r.users(List.of("U0BOB")));
    UsersInfoResponse user = methods.usersInfo(r -> r.user("U0BOB"));

    assertEquals("1.2", update.getTs());
    assertEquals("C1", update.getChannel());
    assertTrue(ephemeral.getMessageTs().startsWith("1700000000."));
    assertTrue(view.getView().getId().startsWith("V"));
    assertEquals("create-user", view.getView().getCallbackId());
    assertEquals(
        "create-user", fake.calls("views.open").get(0).json("view").path("callback_id").asText());
    assertEquals("t1", fake.calls("views.open").get(0).param("trigger_id"));
    assertEquals(List.of("U0BOB", "U0CAROL"), members.getUsers());
    assertEquals("D0BOB", dm.getChannel().getId());
    assertEquals("U0BOB", user.getUser().getId());
    assertFalse(user.getUser().isBot());
  }

  @Test
  void responseUrl_postsAreRecordedAsJson() throws Exception {
    String url = fake.newResponseUrl();
    String other = fake.newResponseUrl();

    WebhookResponse response = slack.send(url, "{\"delete_original\":true}");

    assertEquals(200, response.getCode());
    assertFalse(url.equals(other));
    List<ResponseUrlPost> posts = fake.awaitResponseUrlPosts(1, WAIT);
    assertEquals(url, posts.get(0).url());
    assertTrue(posts.get(0).json().path("delete_original").asBoolean());
    assertEquals("{\"delete_original\":true}", posts.get(0).raw());
  }

  @Test
  void failNextResponseUrlPost_answersStatusOnce() throws Exception {
    String url = fake.newResponseUrl();
    fake.failNextResponseUrlPost(404, "expired_url");

    assertEquals(404, slack.send(url, "{\"text\":\"a\"}").getCode());
    assertEquals(200, slack.send(url, "{\"text\":\"b\"}").getCode());
    assertEquals(2, fake.responseUrlPosts().size());
  }

  @Test
  void setDelay_delaysAnswersAndAwaitCallsSeesArrival() throws Exception {
    fake.setDelay(Duration.ofMillis(300));

    long started = System.nanoTime();
    CompletableFuture<ChatPostMessageResponse> pending =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return methods.chatPostMessage(r -> r.channel("C1").text("slow"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    List<Call> arrived = fake.awaitCalls("chat.postMessage", 1, WAIT);

    assertEquals("slow", arrived.get(0).param("text"));
    assertTrue(pending.join().isOk());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 300);
  }

  @Test
  void clear_forgetsCallsAndPosts() throws Exception {
    methods.authTest(r -> r);
    slack.send(fake.newResponseUrl(), "{}");

    fake.clear();

    assertTrue(fake.allCalls().isEmpty());
    assertTrue(fake.responseUrlPosts().isEmpty());
  }
}
