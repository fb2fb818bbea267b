package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.GROUP_APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * {@code /iam link} end to end: a link is only a request until an approver who is neither the one
 * who asked nor the new owner approves it, and only then is the owner tag written in IAM.
 */
class LinkFlowIT {
  /** The IAM group the fixture's {@code protectedGroups} names, spelled as IAM has it. */
  private static final String ADMINS = "admins";

  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
    k.iam.createGroup(g -> g.groupName(ADMINS));
  }

  @AfterEach
  void stop() {
    k.close();
  }

  // --- unhappy paths first ---------------------------------------------------------------------

  @Test
  void link_anApproverLinkingAUserToThemselvesAndApprovingIt_isRefusedAndGetsNoKey()
      throws Exception {
    k.iam.createUser(u -> u.userName("ops-admin"));
    String oldKey = k.iam.createAccessKey(a -> a.userName("ops-admin")).accessKey().accessKeyId();

    String id = ask(APPROVER, "ops-admin", APPROVER);
    k.click(APPROVER, "keysmith_link_approve", id);

    assertTrue(lastEphemeralText().contains("nobody approves access for themselves"));
    assertEquals(Optional.empty(), ownerTag("ops-admin"));
    assertEquals(0, k.auditCount("keys.linked"));
    String rotate = k.command(APPROVER, "rotate-key ops-admin");
    assertTrue(rotate.contains("Only the owner of `ops-admin`"), rotate);
    k.clickEphemeral(
        APPROVER, "keysmith_rotate", "ops-admin|" + oldKey + "|rotate", k.slack.newResponseUrl());
    assertTrue(lastEphemeralText().contains("Only the owner"), lastEphemeralText());
    assertEquals(1, k.iam.listAccessKeys(a -> a.userName("ops-admin")).accessKeyMetadata().size());
    assertTrue(
        k.slack.responseUrlPosts().stream()
            .noneMatch(p -> p.raw().contains("aws_secret_access_key")));
  }

  @Test
  void approve_byTheApproverWhoAskedForSomeoneElse_isRefused() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(APPROVER, "legacy", OWNER);

    k.click(APPROVER, "keysmith_link_approve", id);

    assertTrue(lastEphemeralText().contains("You asked for this link"), lastEphemeralText());
    assertEquals(Optional.empty(), ownerTag("legacy"));
    assertEquals(0, auditCount(id, "link.approved"));
  }

  @Test
  void approve_byTheNewOwnerWhoIsAnApprover_isRefused_thenAnotherApproverLinks() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", APPROVER_2);

    k.click(APPROVER_2, "keysmith_link_approve", id);

    assertTrue(lastEphemeralText().contains("You would own `legacy`"), lastEphemeralText());
    assertEquals(Optional.empty(), ownerTag("legacy"));
    k.click(APPROVER, "keysmith_link_approve", id);
    assertEquals(Optional.of(APPROVER_2), ownerTag("legacy"));
  }

  @Test
  void approve_byNonApprover_isRefusedAndTagsNothing() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);

    k.click(STRANGER, "keysmith_link_approve", id);
    k.click(STRANGER, "keysmith_link_deny", id);

    assertTrue(lastEphemeralText().contains("Only Keysmith approvers"), lastEphemeralText());
    assertEquals(Optional.empty(), ownerTag("legacy"));
    assertTrue(k.slack.calls("chat.update").isEmpty());
  }

  @Test
  void link_ofAUserInAProtectedGroup_isRefusedAndPostsNothing() throws Exception {
    k.iam.createUser(u -> u.userName("root-ops"));
    k.iam.addUserToGroup(g -> g.userName("root-ops").groupName(ADMINS));

    String answer = k.command(APPROVER, "link root-ops <@" + OWNER + "|olivia>");

    assertTrue(answer.contains("is in the protected group `admins`"), answer);
    assertTrue(approvalsPosts().isEmpty());
    assertEquals(0, k.auditCount("link.requested"));
  }

  @Test
  void approve_afterTheUserJoinedAProtectedGroup_isRefusedAndEndsTheRequest() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);
    k.iam.addUserToGroup(g -> g.userName("legacy").groupName(ADMINS));

    k.click(APPROVER, "keysmith_link_approve", id);

    assertTrue(lastEphemeralText().contains("protected group `admins`"), lastEphemeralText());
    assertEquals(Optional.empty(), ownerTag("legacy"));
    assertTrue(lastApprovalUpdate().contains("Did not go ahead"), lastApprovalUpdate());
    assertFalse(lastApprovalUpdate().contains("keysmith_link_approve"), lastApprovalUpdate());
    assertTrue(dms(REQUESTER).stream().anyMatch(t -> t.contains("did not go ahead")));
    assertEquals(1, auditCount(id, "link.cancelled"));
    k.click(APPROVER_2, "keysmith_link_approve", id);
    assertTrue(lastEphemeralText().contains("was cancelled"), lastEphemeralText());
    assertEquals(Optional.empty(), ownerTag("legacy"));
  }

  @Test
  void approve_afterTheOwnerChangedInIam_isRefusedAndOverwritesNothing() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);
    k.iam.tagUser(t -> t.userName("legacy").tags(owner(STRANGER)));

    k.click(APPROVER, "keysmith_link_approve", id);

    assertTrue(lastEphemeralText().contains("changed since the link was asked for"));
    assertEquals(Optional.of(STRANGER), ownerTag("legacy"));
    assertEquals(0, k.auditCount("keys.linked"));
  }

  @Test
  void link_ofAUserThatDoesNotExist_isRefused() throws Exception {
    String answer = k.command(REQUESTER, "link ghost <@" + OWNER + "|olivia>");
    assertTrue(answer.contains("There is no IAM user named `ghost`"), answer);
    assertTrue(approvalsPosts().isEmpty());
  }

  @Test
  void link_toTheOwnerItAlreadyHas_isRefused() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    String answer = k.command(REQUESTER, "link alice <@" + OWNER + "|olivia>");
    assertTrue(answer.contains("already belongs to"), answer);
    assertTrue(approvalsPosts().isEmpty());
  }

  @Test
  void link_whileAnotherLinkOfTheUserWaits_isRefusedNamingIt() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);
    String answer = k.command(STRANGER, "link legacy <@" + STRANGER + "|mallory>");
    assertTrue(answer.contains(id + " for `legacy` already waits"), answer);
    assertEquals(1, approvalsPosts().size());
  }

  @Test
  void link_withoutAMentionOrWithABadName_explainsUsage() throws Exception {
    for (String text : List.of("link legacy bob", "link", "link legacy <@U1|a> <@U2|b>")) {
      Reply reply = k.send.slashCommand(APPROVER, text, "t.1", k.slack.newResponseUrl());
      assertTrue(
          reply.json().path("text").asText().contains("/iam link &lt;iam-user&gt; @someone"),
          reply.body());
    }
    Reply badName =
        k.send.slashCommand(
            APPROVER, "link <!channel> <@" + OWNER + ">", "t.1", k.slack.newResponseUrl());
    assertTrue(
        badName.json().path("text").asText().contains("not an IAM user name"), badName.body());
    assertTrue(approvalsPosts().isEmpty());
  }

  @Test
  void approve_concurrentClicksByTwoApproversAndADoubleClick_linkOnce() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);
    List<CompletableFuture<Reply>> clicks = new ArrayList<>();
    for (String approver : List.of(APPROVER, APPROVER_2, APPROVER, GROUP_APPROVER)) {
      String body =
          k.send.blockActionBody(
              SlackRequests.BlockAction.click(approver, "keysmith_link_approve", id)
                  .onMessage(APPROVALS, "1700000000.000100")
                  .withResponseUrl(k.slack.newResponseUrl()));
      clicks.add(k.send.sendAsync(k.send.sign(body)));
    }
    for (CompletableFuture<Reply> click : clicks) {
      assertEquals(200, click.get().status());
    }
    k.idle();

    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
    assertEquals(1, auditCount(id, "link.approved"));
    assertEquals(1, auditCount(id, "keys.linked"));
    assertEquals(0, auditCount(id, "link.cancelled"));
    assertEquals(1, dms(OWNER).size());
    long refusals =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.json().path("text").asText().contains("was already approved"))
            .count();
    assertEquals(3, refusals);
  }

  @Test
  void deny_byAnApprover_tellsTheRequesterAndTagsNothing() throws Exception {
    k.ownedUserWithKey("legacy", OWNER);
    String id = ask(REQUESTER, "legacy", REQUESTER);

    k.click(APPROVER, "keysmith_link_deny", id);

    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
    assertTrue(lastApprovalUpdate().contains("Denied by <@" + APPROVER + ">"));
    assertFalse(lastApprovalUpdate().contains("keysmith_link_approve"), lastApprovalUpdate());
    assertTrue(dms(REQUESTER).stream().anyMatch(t -> t.contains("was denied by")));
    assertTrue(dms(OWNER).isEmpty(), "nothing moved, so the owner hears nothing");
    assertEquals(1, auditCount(id, "link.denied"));
    k.click(APPROVER_2, "keysmith_link_approve", id);
    assertTrue(lastEphemeralText().contains("was already denied"), lastEphemeralText());
    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
  }

  @Test
  void link_undecidedPastItsLifetime_expiresOnceAndTellsTheRequester() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);

    k.clock.advance(KeysmithFixture.OFFER.plusSeconds(1));
    k.click(APPROVER, "keysmith_link_approve", id); // before the housekeeping run
    assertTrue(lastEphemeralText().contains("has expired"), lastEphemeralText());
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertEquals(Optional.empty(), ownerTag("legacy"));
    assertEquals(1, auditCount(id, "link.expired"));
    assertTrue(lastApprovalUpdate().contains("Expired"), lastApprovalUpdate());
    assertEquals(
        1, dms(REQUESTER).stream().filter(t -> t.contains("expired before an approver")).count());
    k.click(APPROVER, "keysmith_link_approve", id);
    assertTrue(lastEphemeralText().contains("expired before anyone decided"));
    String again = k.command(STRANGER, "link legacy <@" + STRANGER + "|mallory>");
    assertTrue(again.contains("waits in the approvals channel"), "a new request may follow");
  }

  // --- what people do --------------------------------------------------------------------------

  @Test
  void link_byAnyone_isOnlyARequest_postedWithTheOwnerItWouldReplace() throws Exception {
    k.ownedUserWithKey("legacy", OWNER);
    k.iam.addUserToGroup(g -> g.userName("legacy").groupName("developers"));

    String answer = k.command(STRANGER, "link legacy <@" + STRANGER + "|mallory>");

    assertTrue(answer.contains("waits in the approvals channel"), answer);
    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
    String post = approvalsPosts().get(0);
    assertTrue(post.contains("keysmith_link_approve"), post);
    assertTrue(post.contains("keysmith_link_deny"), post);
    assertTrue(post.contains("moves `legacy` away from <@" + OWNER + ">"), post);
    assertTrue(post.contains("`developers`"), post);
    assertEquals(1, k.auditCount("link.requested"));
  }

  @Test
  void approve_byASecondApprover_tagsAuditsAndTellsRequesterNewOwnerAndPreviousOwner()
      throws Exception {
    String key = k.ownedUserWithKey("legacy", OWNER).accessKeyId();
    String id = ask(APPROVER, "legacy", REQUESTER);

    k.click(APPROVER_2, "keysmith_link_approve", id);

    assertEquals(List.of(owner(REQUESTER)), k.iam.listUserTags(t -> t.userName("legacy")).tags());
    AuditEvent linked =
        audit(id).stream()
            .filter(e -> e.action().code().equals("keys.linked"))
            .findFirst()
            .orElseThrow();
    assertEquals(APPROVER_2, linked.actor());
    assertEquals(
        Map.of(
            "iamUser", "legacy",
            "owner", REQUESTER,
            "previousOwner", OWNER,
            "requester", APPROVER),
        linked.details());
    assertEquals(
        List.of("link.requested", "link.approved", "keys.linked"),
        audit(id).stream().map(e -> e.action().code()).toList());
    assertTrue(lastApprovalUpdate().contains("now belongs to <@" + REQUESTER + ">"));
    assertFalse(lastApprovalUpdate().contains("keysmith_link_approve"), lastApprovalUpdate());
    assertTrue(dms(REQUESTER).stream().anyMatch(t -> t.contains("You now own IAM user `legacy`")));
    assertTrue(dms(APPROVER).stream().anyMatch(t -> t.contains("is done")));
    String moved =
        dms(OWNER).stream()
            .filter(t -> t.contains("moved away from you"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("the previous owner was not told: " + dms(OWNER)));
    assertTrue(moved.contains("<@" + APPROVER + "> asked"), moved);
    assertTrue(moved.contains("<@" + APPROVER_2 + "> approved"), moved);
    assertTrue(k.command(REQUESTER, "keys").contains(key));
    assertTrue(k.command(OWNER, "keys legacy").contains("is not yours"));
  }

  @Test
  void approve_afterARestart_linksThePendingRequest() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String id = ask(REQUESTER, "legacy", OWNER);

    k.restart();
    k.click(APPROVER, "keysmith_link_approve", id);

    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
    assertTrue(dms(OWNER).stream().anyMatch(t -> t.contains("You now own IAM user `legacy`")));
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** {@code /iam link} by {@code requester}; returns the id on the approvals message it posted. */
  private String ask(String requester, String iamUser, String owner) throws Exception {
    return k.askLink(requester, iamUser, owner);
  }

  private Optional<String> ownerTag(String iamUser) {
    return k.ownerTag(iamUser);
  }

  private static Tag owner(String slackId) {
    return Tag.builder().key("keysmith:owner").value(slackId).build();
  }

  private List<FakeSlackApi.Call> approvalsCalls() {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .toList();
  }

  private List<String> approvalsPosts() {
    return approvalsCalls().stream().map(c -> c.json("blocks").toString()).toList();
  }

  private String lastApprovalUpdate() {
    List<FakeSlackApi.Call> updates =
        k.slack.calls("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .toList();
    assertFalse(updates.isEmpty(), "the approvals message was never updated");
    return updates.get(updates.size() - 1).json("blocks").toString();
  }

  private List<String> dms(String user) {
    return k.dms(user);
  }

  private String lastEphemeralText() {
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    assertFalse(posts.isEmpty());
    return posts.get(posts.size() - 1).raw();
  }

  private List<AuditEvent> audit(String id) {
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      return new dev.keysmith.store.SqlAuditTrail(db).forRequest(id);
    }
  }

  private long auditCount(String id, String action) {
    return audit(id).stream().filter(e -> e.action().code().equals(action)).count();
  }
}
