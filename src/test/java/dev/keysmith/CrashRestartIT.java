package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keysmith.iam.UserTags;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.IamFaultProxy;
import dev.keysmith.testing.MotoServer;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
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
  private final IamFaultProxy proxy = IamFaultProxy.start(moto.endpoint());
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
    proxy.close();
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

  @Test
  void killedWhileIamAddsTheUserToItsGroup_finishesProvisioningOnceAfterTheRestart()
      throws Exception {
    start();
    submit();
    await("the approvals post", () -> approvalPosts() == 1);
    String id = onlyRequestId();
    proxy.silence("AddUserToGroup");
    approve(id);
    proxy.awaitFault("AddUserToGroup silent", WAIT);
    assertEquals("APPROVED", state(id));

    child.kill();
    proxy.heal();
    start();

    await("the offer", () -> offers() == 1);
    assertEquals("PROVISIONED", state(id));
    assertEquals(List.of("developers"), groupsOf("alice"));
    // Carried on, not started over: the user made before the kill is the one provisioned.
    assertEquals(
        List.of("alice"),
        iam.listUsers(u -> u.pathPrefix("/keysmith/")).users().stream()
            .map(u -> u.userName())
            .toList());
    assertTrue(
        iam.listUserTags(t -> t.userName("alice")).tags().stream()
            .anyMatch(t -> t.key().equals(UserTags.REQUEST) && t.value().equals(id)));
    assertEquals(
        List.of("0"),
        column("SELECT count(*) FROM jobs WHERE state = 'PENDING'" + " AND kind LIKE 'request.%'"));
  }

  @Test
  void killedAfterIamMintedTheKeyButBeforeTheOwnerSawIt_deletesItAndTheOwnerRevealsAgain()
      throws Exception {
    start();
    submit();
    await("the approvals post", () -> approvalPosts() == 1);
    String id = onlyRequestId();
    approve(id);
    await("the offer", () -> offers() == 1);
    proxy.unanswered("CreateAccessKey");
    click(OWNER, "keysmith_get_credentials", id, slack.newResponseUrl());
    click(OWNER, "keysmith_reveal", id, slack.newResponseUrl());
    proxy.awaitFault("CreateAccessKey unanswered", WAIT);
    assertEquals(1, keys("alice"), "IAM minted the key");
    assertEquals("REVEALING", state(id));

    child.kill();
    proxy.heal();
    start();

    await("the unseen key deleted", () -> keys("alice") == 0);
    await("the offer standing again", () -> "PROVISIONED".equals(state(id)));
    await(
        "the owner told",
        () ->
            slack.accepted("chat.postMessage").stream()
                .anyMatch(
                    c ->
                        OWNER.equals(c.param("channel"))
                            && c.param("text").contains("was interrupted")));
    click(OWNER, "keysmith_get_credentials", id, slack.newResponseUrl());
    String url = slack.newResponseUrl();
    click(OWNER, "keysmith_reveal", id, url);
    await("the reveal", () -> "REVEALED".equals(state(id)));
    assertEquals(1, keys("alice"));
    assertTrue(
        slack.responseUrlPosts().stream()
            .anyMatch(p -> p.url().equals(url) && p.raw().contains("aws_secret_access_key")));
  }

  @Test
  void killedAfterIamMintedARotatedKey_deletesItKeepsTheOldOneAndTheOwnerRotatesAgain()
      throws Exception {
    iam.createUser(
        u ->
            u.userName("bob")
                .tags(
                    software.amazon.awssdk.services.iam.model.Tag.builder()
                        .key("keysmith:owner")
                        .value(OWNER)
                        .build()));
    String old = iam.createAccessKey(a -> a.userName("bob")).accessKey().accessKeyId();
    start();
    proxy.unanswered("CreateAccessKey");
    click(OWNER, "keysmith_rotate", "bob|" + old + "|rotate", slack.newResponseUrl());
    proxy.awaitFault("CreateAccessKey unanswered", WAIT);
    assertEquals(2, keys("bob"), "IAM minted the key");

    child.kill();
    proxy.heal();
    start();

    await("the unseen key deleted", () -> keys("bob") == 1);
    assertEquals(
        List.of(old + " Active"),
        iam.listAccessKeys(a -> a.userName("bob")).accessKeyMetadata().stream()
            .map(k -> k.accessKeyId() + " " + k.statusAsString())
            .toList());
    await(
        "no rotation left minting",
        () ->
            column("SELECT count(*) FROM rotations WHERE state = 'MINTING'").equals(List.of("0")));
    String url = slack.newResponseUrl();
    click(OWNER, "keysmith_rotate", "bob|" + old + "|rotate", url);
    await(
        "the new key shown",
        () ->
            slack.responseUrlPosts().stream()
                .anyMatch(p -> p.url().equals(url) && p.raw().contains("aws_secret_access_key")));
    assertEquals(2, keys("bob"));
    // The state moves on once the key is on the owner's screen, just after the post.
    await(
        "the rotation in its grace period",
        () ->
            column("SELECT state FROM rotations WHERE state <> 'CANCELLED'")
                .equals(List.of("GRACE")));
  }

  private void start() throws Exception {
    child =
        ChildKeysmith.start(
            dir,
            slack.methodsUrl(),
            proxy.endpoint(),
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

  private int keys(String user) {
    return iam.listAccessKeys(a -> a.userName(user)).accessKeyMetadata().size();
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
    return column("SELECT state FROM requests WHERE id = '" + id + "'").get(0);
  }

  private List<String> column(String sql) {
    try {
      return KeysmithFixture.column(dir.resolve("data"), sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits for {@code done}, looking again at each message Keysmith sends to Slack: every change of
   * state these tests wait for is followed by one (or happens before Keysmith listens).
   */
  private void await(String what, BooleanSupplier done) throws Exception {
    try {
      slack.awaitUntil(what, done, WAIT);
    } catch (AssertionError e) {
      fail(e.getMessage() + "; Keysmith's log:\n" + child.log());
    }
  }
}
