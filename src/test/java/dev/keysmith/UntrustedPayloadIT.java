package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
import dev.keysmith.testing.TrapServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * Signed payloads that carry what Slack never sends, as a leaked signing secret would allow: the
 * security review's findings, each driven through the real Bolt app and shown closed.
 */
class UntrustedPayloadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA_SERVICE = "http://169.254.169.254/latest/meta-data/";
  private static final String MALFORMED_BUTTON =
      "Keysmith cannot read that button, so nothing was done.";

  @TempDir Path dataDir;
  private KeysmithFixture k;
  private TrapServer trap;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger keysmithLogger = (Logger) LoggerFactory.getLogger("dev.keysmith");
  private Level keysmithLevel;

  @BeforeEach
  void start() throws Exception {
    keysmithLevel = keysmithLogger.getLevel();
    keysmithLogger.setLevel(Level.INFO);
    keysmithLogger.setAdditive(false); // captured here, not printed
    logs.start();
    keysmithLogger.addAppender(logs);
    trap = TrapServer.start();
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void stop() {
    if (k != null) {
      k.close();
    }
    trap.close();
    keysmithLogger.detachAppender(logs);
    keysmithLogger.setAdditive(true);
    keysmithLogger.setLevel(keysmithLevel);
  }

  // --- response_url: only Slack's -------------------------------------------------------------

  @Test
  void approve_withAResponseUrlThatIsNotSlacks_isRefusedWithNothingSentOrProvisioned()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    String before = k.databaseState();
    int posts = k.slack.responseUrlPosts().size();
    k.iamCalls.clear();

    for (String url :
        List.of(
            METADATA_SERVICE,
            trap.url("/latest"),
            "https://hooks.slack.com@127.0.0.1:" + trap.port() + "/actions",
            "http://localhost:" + trap.port() + "/actions")) {
      Reply reply =
          k.send.blockAction(
              BlockAction.click(APPROVER, "keysmith_approve", id)
                  .onMessage(APPROVALS, SlackRequests.MESSAGE_TS)
                  .withResponseUrl(url));
      k.idle();
      assertEquals(200, reply.status(), reply.body());
    }

    assertEquals(List.of(), trap.requests());
    assertEquals(posts, k.slack.responseUrlPosts().size());
    assertEquals(List.of(), k.iamCalls);
    assertEquals(before, k.databaseState());
    assertFalse(userExists("alice"));
    assertEquals(4, logged("refused before any work: MALFORMED_ACTION part=response_url"));
  }

  @Test
  void reveal_byTheOwnerWithAForgedResponseUrl_mintsNothingAndSendsNothing() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    String before = k.databaseState();

    k.clickEphemeral(OWNER, "keysmith_reveal", id, trap.url("/steal"));

    assertEquals(List.of(), trap.requests());
    assertTrue(k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().isEmpty());
    assertEquals(before, k.databaseState());
  }

  @Test
  void command_withAResponseUrlThatIsNotSlacks_isAnsweredInTheAckAndDoesNothing() throws Exception {
    k.ownedUserWithKey("legacy", OWNER);
    k.iamCalls.clear();

    Reply reply = k.send.slashCommand(OWNER, "keys legacy", "t.1", trap.url("/commands"));
    k.idle();

    assertEquals(200, reply.status());
    assertTrue(reply.body().contains("Keysmith cannot read that response_url"), reply.body());
    assertEquals(List.of(), trap.requests());
    assertEquals(List.of(), k.iamCalls);
  }

  // --- owners and mentions: Slack user ids ----------------------------------------------------

  @Test
  void createUser_withAnOwnerThatIsNotAUserId_showsItOnTheOwnerFieldAndStoresNothing()
      throws Exception {
    String before = k.databaseState();

    Reply reply =
        k.submitForm(REQUESTER, "alice", "developers", "PROGRAMMATIC", "<!channel>", "reports");
    k.idle();

    assertEquals(200, reply.status());
    JsonNode errors = reply.json().path("errors");
    assertEquals(
        "Keysmith cannot read this owner as a Slack user. Choose a person from the list.",
        errors.path("owner").asText(),
        reply.body());
    assertEquals(1, errors.size(), "the other fields were fine: " + reply.body());
    assertEquals(before, k.databaseState());
    assertTrue(k.slack.calls("chat.postMessage").isEmpty());
  }

  @Test
  void link_withAMentionThatIsNotAUserId_isAnsweredAndTagsNothing() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    k.iamCalls.clear();

    for (String mention : List.of("<@<!channel>|x>", "<@u0lower|x>", "<!channel>", "@someone")) {
      Reply reply =
          k.send.slashCommand(APPROVER, "link legacy " + mention, "t.1", k.slack.newResponseUrl());
      k.idle();
      assertEquals(200, reply.status());
      assertTrue(reply.body().contains("@someone"), mention + ": " + reply.body());
    }

    assertEquals(List.of(), k.iamCalls);
    assertTrue(k.iam.listUserTags(t -> t.userName("legacy")).tags().isEmpty());
  }

  // --- button values: one strict reader --------------------------------------------------------

  @Test
  void click_withLineBreaksInItsValue_logsOneLineWithTheBreaksEscaped() throws Exception {
    String forged = "KS-ABC123\r\n2026-12-01T00:00:00Z INFO  [main] keysmith.audit - forged";
    String url = k.slack.newResponseUrl();

    k.send.blockAction(
        BlockAction.click(APPROVER, "keysmith_approve", forged)
            .onMessage(APPROVALS, SlackRequests.MESSAGE_TS)
            .withResponseUrl(url));
    k.idle();

    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    lines.forEach(l -> assertFalse(l.contains("\n") || l.contains("\r"), l));
    assertEquals(
        1,
        lines.stream().filter(l -> l.contains("KS-ABC123\\r\\n2026-12-01T00:00:00Z")).count(),
        lines.toString());
    assertEquals(MALFORMED_BUTTON, lastTextPostedTo(url));
  }

  @Test
  void click_onAnActionIdWithLineBreaks_isRefusedBeforeBoltLogsIt() throws Exception {
    Logger bolt = (Logger) LoggerFactory.getLogger("com.slack.api");
    ListAppender<ILoggingEvent> boltLogs = new ListAppender<>();
    boltLogs.start();
    bolt.addAppender(boltLogs);
    try {
      Reply reply =
          k.send.blockAction(
              BlockAction.click(APPROVER, "keysmith_approve\r\n2026 WARN forged", "KS-ABC123")
                  .onMessage(APPROVALS, SlackRequests.MESSAGE_TS)
                  .withResponseUrl(k.slack.newResponseUrl()));
      k.idle();

      assertEquals(404, reply.status(), reply.body());
      assertEquals(List.of(), boltLogs.list, "Bolt logged the forged id");
      assertEquals(1, logged("its id is keysmith_approve\\r\\n2026 WARN forged"));
    } finally {
      bolt.detachAppender(boltLogs);
    }
  }

  @Test
  void rotate_withMalformedValues_answersInPlainWordsWithoutAStackTrace() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    String before = k.databaseState();
    k.iamCalls.clear();

    for (String value :
        List.of(
            "",
            "alice",
            "alice|" + key.accessKeyId(),
            "alice|" + key.accessKeyId() + "|lost|x",
            "|" + key.accessKeyId() + "|rotate",
            "alice|AKIA1|rotate",
            "<!channel>|-|rotate")) {
      String url = k.slack.newResponseUrl();
      k.clickEphemeral(OWNER, "keysmith_rotate", value, url);
      assertEquals(MALFORMED_BUTTON, lastTextPostedTo(url), value);
    }
    k.clickEphemeral(OWNER, "keysmith_delete_for_room", "alice|-|rotate", k.slack.newResponseUrl());

    assertEquals(List.of(), k.iamCalls);
    assertEquals(before, k.databaseState());
    assertEquals(1, k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().size());
    for (FakeSlackApi.ResponseUrlPost post : k.slack.responseUrlPosts()) {
      assertFalse(post.raw().contains("Exception"), post.raw());
    }
    assertTrue(logs.list.stream().noneMatch(e -> e.getLevel() == Level.ERROR), logs.list::toString);
  }

  @Test
  void deny_withEmptyOrForgedMetadata_isMalformedNeverNull() throws Exception {
    String before = k.databaseState();

    for (String metadata : List.of("", "null", "KS-ABC123\n", "<!channel>")) {
      Reply reply =
          k.send.viewSubmission(
              APPROVER,
              "keysmith_deny",
              metadata,
              Map.of("deny_reason", Map.of("value", SlackRequests.plainTextInput("not needed"))));
      assertEquals(200, reply.status());
      assertEquals(
          "Keysmith cannot read that form, so nothing was done.",
          reply.json().path("errors").path("deny_reason").asText(),
          reply.body());
    }
    k.idle();

    assertEquals(before, k.databaseState());
  }

  // --- truthful answers about what became of a request or rotation ----------------------------

  @Test
  void approveAndDeny_onARequestWhoseProvisioningFailed_sayItFailed() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.iam.createUser(u -> u.userName("alice")); // someone made it in IAM meanwhile
    k.click(APPROVER, "keysmith_approve", id);

    k.click(APPROVER_2, "keysmith_approve", id);
    String approve = lastText();
    k.click(APPROVER_2, "keysmith_deny", id);
    String deny = lastText();

    String failed =
        "was approved by <@" + APPROVER + ">, but creating its IAM user failed, so it is closed.";
    assertTrue(approve.contains(failed), approve);
    assertTrue(deny.contains(failed), deny);
    assertFalse(approve.contains("already approved"), approve);
  }

  @Test
  void approve_onARequestWhoseOfferExpired_saysItExpired() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.clock.advance(KeysmithFixture.OFFER.plusSeconds(1));
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl()); // expires it

    k.click(APPROVER_2, "keysmith_approve", id);

    String text = lastText();
    assertTrue(text.contains("its credentials were not revealed in time"), text);
    assertFalse(text.contains("already approved"), text);
  }

  @Test
  void approveRotation_thatNeverNeededApproval_saysSo() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    k.clickEphemeral(
        OWNER,
        "keysmith_rotate",
        "alice|" + key.accessKeyId() + "|rotate",
        k.slack.newResponseUrl());
    String rotationId = rotationIdFromDm();

    k.click(APPROVER, "keysmith_rotation_approve", rotationId);

    assertEquals(
        "Rotation " + rotationId + " did not need approval; there is nothing to decide.",
        lastText());
  }

  // --- helpers ---------------------------------------------------------------------------------

  private long logged(String text) {
    return logs.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
  }

  private String lastText() {
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    return posts.get(posts.size() - 1).json().path("text").asText();
  }

  private String lastTextPostedTo(String url) {
    List<FakeSlackApi.ResponseUrlPost> posts =
        k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertEquals(1, posts.size(), "posts to " + url);
    return posts.get(0).json().path("text").asText();
  }

  private boolean userExists(String name) {
    try {
      k.iam.getUser(u -> u.userName(name));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  private String rotationIdFromDm() throws Exception {
    for (String dm : k.dms(OWNER)) {
      for (JsonNode block : JSON.readTree(dm)) {
        for (JsonNode element : block.path("elements")) {
          if ("keysmith_deactivate_old_now".equals(element.path("action_id").asText())) {
            return element.path("value").asText();
          }
        }
      }
    }
    throw new AssertionError("no Deactivate old key now button in " + k.dms(OWNER));
  }
}
