package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IAM answering every call 4 s late from the moment Keysmith starts: no ack waits for it (Slack
 * gives up after 3 s), and the work completes after the ack once IAM answers.
 */
class SlowIamIT {
  private static final Duration LATE = Duration.ofSeconds(4);
  private static final Duration ACK_BUDGET = Duration.ofSeconds(1);

  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir, proxy -> proxy.lateBy(LATE));
  }

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void everyAck_withIamFourSecondsLate_comesWithinASecond_andTheWorkCompletesAfter()
      throws Exception {
    Reply command =
        acked(
            "/iam create-user",
            () -> k.send.slashCommand(REQUESTER, "create-user", "t.1", k.slack.newResponseUrl()));
    assertEquals("", command.body(), "the modal opens through views.open, not the ack");
    k.idle();
    assertEquals(1, k.slack.calls("views.open").size());

    Reply submitted =
        acked(
            "the form submission",
            () -> k.submitForm(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "why"));
    assertEquals("update", submitted.json().path("response_action").asText(), submitted.body());
    k.idle();
    String id =
        approvalsPosts()
            .get(0)
            .json("blocks")
            .get(0)
            .path("text")
            .path("text")
            .asText()
            .replace("IAM user request ", "");

    acked(
        "an Approve click",
        () ->
            k.send.blockAction(
                BlockAction.click(APPROVER, "keysmith_approve", id)
                    .onMessage(APPROVALS, "1700000000.000100")
                    .withResponseUrl(k.slack.newResponseUrl())));
    k.idle();
    assertEquals("PROVISIONED", k.requestState(id));
    assertTrue(k.dms(OWNER).stream().anyMatch(b -> b.contains("keysmith_get_credentials")));

    acked(
        "a Get credentials click",
        () ->
            k.send.blockAction(
                BlockAction.click(OWNER, "keysmith_get_credentials", id)
                    .onMessage(OWNER, "1700000000.000200")
                    .withResponseUrl(k.slack.newResponseUrl())));
    k.idle();
    String url = k.slack.newResponseUrl();
    acked(
        "a Reveal click",
        () ->
            k.send.blockAction(
                BlockAction.click(OWNER, "keysmith_reveal", id)
                    .onEphemeral()
                    .withResponseUrl(url)));
    k.idle();

    assertEquals("REVEALED", k.requestState(id));
    List<FakeSlackApi.ResponseUrlPost> shown =
        k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertEquals(1, shown.size());
    assertTrue(shown.get(0).raw().contains("Credentials for"));
    assertEquals(1, k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().size());
    assertTrue(k.proxy.seen().contains("CreateAccessKey"), "through the late proxy");
  }

  private static Reply acked(String what, Callable<Reply> send) throws Exception {
    long start = System.nanoTime();
    Reply reply = send.call();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(200, reply.status(), what + ": " + reply.body());
    assertTrue(
        took.compareTo(ACK_BUDGET) < 0, what + " was acked after " + took.toMillis() + " ms");
    return reply;
  }

  private List<FakeSlackApi.Call> approvalsPosts() {
    List<FakeSlackApi.Call> posts =
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .toList();
    assertFalse(posts.isEmpty());
    return posts;
  }
}
