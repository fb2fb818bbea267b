package dev.keysmith.slack;

import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewTitle;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.sun.net.httpserver.HttpServer;
import dev.keysmith.core.Liveness;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlackWebApiTest {
  private static final String TOKEN = "xoxb-keysmith";

  private final FakeSlackApi fake = FakeSlackApi.start();
  private final SlackConfig config = fake.slackConfig();
  private final Slack slack = Slack.getInstance(config);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final Liveness liveness = new Liveness(clock);
  private final SlackWebApi api = new SlackWebApi(slack.methods(TOKEN), TOKEN, config, liveness);

  @AfterEach
  void stop() throws Exception {
    slack.close();
    fake.close();
  }

  @Test
  void chatPostMessage_sendsTheSdksFormWithTheBotToken_andParsesTheAnswer() throws Exception {
    ChatPostMessageResponse posted =
        api.chatPostMessage(
            m -> m.channel("C0APPROVALS").text("hello").blocks(Blocks.text("*hi*")));

    assertTrue(posted.isOk());
    assertEquals("C0APPROVALS", posted.getChannel());
    assertFalse(posted.getTs().isBlank());
    FakeSlackApi.Call call = fake.calls("chat.postMessage").get(0);
    assertEquals(TOKEN, call.token());
    assertEquals("hello", call.param("text"));
    assertEquals("*hi*", call.json("blocks").get(0).path("text").path("text").asText());
    assertEquals(new Liveness.Seen(clock.instant(), null), liveness.seen());
  }

  @Test
  void aSlackError_isAnAnswerWithItsErrorCode() throws Exception {
    fake.failNext("chat.update", "message_not_found");

    ChatUpdateResponse updated = api.chatUpdate(m -> m.channel("C1").ts("1.2").text("x"));

    assertFalse(updated.isOk());
    assertEquals("message_not_found", updated.getError());
  }

  @Test
  void anHttpFailure_isASlackApiExceptionWithItsStatus() {
    fake.rateLimitNext("chat.postMessage", Duration.ofSeconds(7));

    SlackApiException e =
        assertThrows(
            SlackApiException.class, () -> api.chatPostMessage(m -> m.channel("C1").text("x")));

    assertEquals(429, e.getResponse().code());
  }

  @Test
  void viewsOpenAndUserGroups_areParsedToo() throws Exception {
    fake.setUserGroupMembers("S0APPROVERS", List.of("U0BOB", "U0CAROL"));

    assertEquals(
        List.of("U0BOB", "U0CAROL"),
        api.usergroupsUsersList(r -> r.usergroup("S0APPROVERS")).getUsers());
    assertTrue(
        api.viewsOpen(
                v ->
                    v.triggerId("t.1")
                        .view(
                            view(
                                w ->
                                    w.type("modal")
                                        .title(viewTitle(t -> t.type("plain_text").text("x"))))))
            .isOk());
    assertEquals("t.1", fake.calls("views.open").get(0).param("trigger_id"));
  }

  @Test
  void anAnswerThatIsNotJson_isAnIoException() throws Exception {
    HttpServer garbage =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    garbage.createContext(
        "/",
        exchange -> {
          byte[] body = "<html>proxy error</html>".getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    garbage.start();
    SlackConfig broken = new SlackConfig();
    broken.setMethodsEndpointUrlPrefix(
        "http://127.0.0.1:" + garbage.getAddress().getPort() + "/api/");
    broken.setStatsEnabled(false);
    Slack other = Slack.getInstance(broken); // closed below: its close() may be interrupted
    try {
      SlackWebApi brokenApi = new SlackWebApi(other.methods(TOKEN), TOKEN, broken, liveness);

      IOException e =
          assertThrows(
              IOException.class, () -> brokenApi.chatPostMessage(m -> m.channel("C1").text("x")));

      assertTrue(e.getMessage().contains("chat.postMessage"), e.getMessage());
      assertEquals(new Liveness.Seen(null, clock.instant()), liveness.seen());
    } finally {
      other.close();
      garbage.stop(0);
    }
  }
}
