package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.MotoServer;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Keysmith killed with SIGKILL at each step of create-user, in its own JVM, and started again on
 * the same data: every step finishes once, nothing is lost, nothing is done twice.
 */
class CrashRestartIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final MotoServer moto = MotoServer.get();
  private final IamClient iam = moto.iamClient();
  private final FakeSlackApi slack = FakeSlackApi.start();
  private ChildKeysmith child;

  @BeforeEach
  void setUp() {
    moto.reset();
    iam.createGroup(g -> g.groupName("developers"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null) {
      child.close();
    }
    slack.close();
  }

  @Test
  void killedWhileTheApprovalsPostIsOnTheWire_postsItOnceAfterTheRestart() throws Exception {
    start();
    slack.stallNext("chat.postMessage", Duration.ofSeconds(60));
    submit();
    slack.awaitCalls("chat.postMessage", 1, WAIT);

    child.kill();
    start();

    await("the approvals post", () -> approvalPosts() == 1);
    String id = onlyRequestId();
    approve(id);
    await("the offer", () -> offers() == 1);
    assertEquals("PROVISIONED", state(id));
    assertEquals(1, approvalPosts(), "posted once");
    assertEquals(List.of("developers"), groupsOf("alice"));
  }

  @Test
  void killedWhileTheOfferIsOnTheWire_offersOnceAfterTheRestartAndTheOwnerReveals()
      throws Exception {
    start();
    submit();
    await("the approvals post", () -> approvalPosts() == 1);
    // The requester's notice follows it: counted before it arrives, it would pass for the offer.
    await("the requester's notice", () -> slack.calls("chat.postMessage").size() == 2);
    String id = onlyRequestId();
    slack.stallNext("chat.postMessage", Duration.ofSeconds(60));
    int before = slack.calls("chat.postMessage").size();
    approve(id);
    slack.awaitCalls("chat.postMessage", before + 1, WAIT);
    assertEquals("PROVISIONED", state(id));
    assertEquals(0, offers());

    child.kill();
    start();

    await("the offer", () -> offers() == 1);
    click(OWNER, "keysmith_get_credentials", id, slack.newResponseUrl());
    String revealUrl = slack.newResponseUrl();
    click(OWNER, "keysmith_reveal", id, revealUrl);
    await("the reveal", () -> "REVEALED".equals(state(id)));
    assertEquals(1, iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().size());
    assertEquals(1, offers(), "offered once");
  }

  private void start() throws Exception {
    child =
        ChildKeysmith.start(
            dir,
            slack.methodsUrl(),
            URI.create(moto.endpoint().toString()),
            String.join(
                "\n",
                "approvers:",
                "  users: [" + APPROVER + "]",
                "approvalsChannel: " + APPROVALS,
                "groups: [developers]",
                "dataDir: ./data",
                ""));
  }

  private void submit() throws Exception {
    Reply reply =
        child.send.viewSubmission(
            REQUESTER,
            "keysmith_create_user",
            "",
            KeysmithFixture.formValues("alice", "developers", "PROGRAMMATIC", OWNER, "reports"));
    assertEquals(200, reply.status(), reply.body());
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
  }

  private void approve(String id) throws Exception {
    Reply reply =
        child.send.blockAction(
            BlockAction.click(APPROVER, "keysmith_approve", id)
                .onMessage(APPROVALS, "1700000000.000100")
                .withResponseUrl(slack.newResponseUrl()));
    assertEquals(200, reply.status(), reply.body());
  }

  private void click(String user, String action, String id, String responseUrl) throws Exception {
    Reply reply =
        child.send.blockAction(
            BlockAction.click(user, action, id).onEphemeral().withResponseUrl(responseUrl));
    assertEquals(200, reply.status(), reply.body());
  }

  private long approvalPosts() {
    return slack.accepted("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .filter(c -> c.param("text").startsWith("IAM user request"))
        .count();
  }

  private long offers() {
    return slack.accepted("chat.postMessage").stream()
        .filter(c -> OWNER.equals(c.param("channel")))
        .filter(c -> c.json("blocks").toString().contains("keysmith_get_credentials"))
        .count();
  }

  private List<String> groupsOf(String user) {
    return iam.listGroupsForUser(g -> g.userName(user)).groups().stream()
        .map(g -> g.groupName())
        .toList();
  }

  private String onlyRequestId() throws Exception {
    List<String> ids = column("SELECT id FROM requests");
    assertEquals(1, ids.size(), ids.toString());
    return ids.get(0);
  }

  private String state(String id) {
    try {
      return column("SELECT state FROM requests WHERE id = '" + id + "'").get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> column(String sql) throws Exception {
    return KeysmithFixture.column(dir.resolve("data"), sql);
  }

  private void await(String what, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited " + WAIT + " for " + what + "; Keysmith's log:\n" + child.log());
      }
      Thread.sleep(50);
    }
  }
}
