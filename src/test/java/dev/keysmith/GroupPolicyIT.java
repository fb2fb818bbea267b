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

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.GroupPolicy;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access policy of a group, end to end against moto: who may ask for it, who approves and how
 * many of them must, which access types it allows, and auto-approval.
 */
class GroupPolicyIT {
  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  private void policies(GroupPolicy... policies) throws Exception {
    k.policies = List.of(policies);
    k.restart();
  }

  private static GroupPolicy quorum(String group, int quorum) {
    return new GroupPolicy(
        group,
        Optional.empty(),
        Optional.empty(),
        quorum,
        EnumSet.allOf(AccessType.class),
        Optional.empty(),
        Optional.empty(),
        false);
  }

  // --- quorum ----------------------------------------------------------------------------------

  @Test
  void quorumOfTwo_oneApprovalShowsTheTally_theSecondProvisions() throws Exception {
    policies(quorum("developers", 2));
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    assertTrue(lastApprovalBlocks().contains("0 of 2 approvals"), lastApprovalBlocks());

    k.click(APPROVER, "keysmith_approve", id);
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("PENDING", k.requestState(id));
    assertFalse(k.userExists("alice"), "one approval of two creates nothing");
    String tally = lastApprovalBlocks();
    assertTrue(tally.contains("1 of 2 approvals") && tally.contains("<@" + APPROVER + ">"), tally);
    assertTrue(tally.contains("keysmith_approve"), "the buttons stay for the second approver");
    assertEquals(1, k.auditCount("request.approval-counted"));
    assertEquals(0, k.auditCount("request.approved"));

    // The same approver again counts once.
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("You approved request " + id + " already"));
    assertEquals("PENDING", k.requestState(id));

    k.click(APPROVER_2, "keysmith_approve", id);
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertTrue(k.userExists("alice"));
    String approved = lastApprovalBlocks();
    assertTrue(
        approved.contains("Approved by <@" + APPROVER + "> and <@" + APPROVER_2 + ">"), approved);
    assertEquals(1, k.auditCount("request.approved"));
    assertTrue(
        k.dms(OWNER).stream()
            .anyMatch(t -> t.contains("<@" + APPROVER + "> and <@" + APPROVER_2 + ">")),
        () -> k.dms(OWNER).toString());
  }

  @Test
  void quorumOfTwo_theRequesterAndTheOwnerNeverCount() throws Exception {
    policies(quorum("developers", 2));
    // An approver asks for a user another approver would own: neither may count.
    String id = k.submit(APPROVER, "alice", "developers", "PROGRAMMATIC", APPROVER_2, "reports");

    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("You asked for this user"), lastEphemeralText());
    k.click(APPROVER_2, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("You would own this user"), lastEphemeralText());
    k.click(GROUP_APPROVER, "keysmith_approve", id);

    assertEquals("PENDING", k.requestState(id), "one approval of the two it needs");
    assertFalse(k.userExists("alice"));
  }

  @Test
  void quorumOfTwo_concurrentClicksOfThreeApproversAndADoubleClick_provisionExactlyOnce()
      throws Exception {
    policies(quorum("developers", 2));
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    List<CompletableFuture<Reply>> clicks = new ArrayList<>();
    for (String approver : List.of(APPROVER, APPROVER_2, APPROVER, GROUP_APPROVER)) {
      String body =
          k.send.blockActionBody(
              SlackRequests.BlockAction.click(approver, "keysmith_approve", id)
                  .withResponseUrl(k.slack.newResponseUrl()));
      clicks.add(k.send.sendAsync(k.send.sign(body)));
    }
    for (CompletableFuture<Reply> click : clicks) {
      assertEquals(200, click.get().status());
    }
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(1, k.auditCount("iam.CreateUser"));
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(1, k.auditCount("request.approval-counted"));
    String approvals =
        KeysmithFixture.column(dataDir, "SELECT approvals FROM requests WHERE id = '" + id + "'")
            .get(0);
    assertEquals(2, approvals.split("\n").length, approvals);
    long refused =
        k.slack.responseUrlPosts().stream()
            .map(p -> p.json().path("text").asText())
            .filter(t -> t.contains("already approved") || t.contains("already;"))
            .count();
    assertEquals(2, refused, "two of the four clicks came after the quorum or twice");
  }

  @Test
  void quorumOfTwo_oneDenyEndsTheRequest_evenAfterAnApproval() throws Exception {
    policies(quorum("developers", 2));
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);

    k.send.viewSubmission(
        APPROVER_2,
        "keysmith_deny",
        id,
        java.util.Map.of(
            "deny_reason", java.util.Map.of("value", SlackRequests.plainTextInput("not needed"))));
    k.idle();
    k.click(GROUP_APPROVER, "keysmith_approve", id);

    assertEquals("DENIED", k.requestState(id));
    assertTrue(lastEphemeralText().contains("already denied"), lastEphemeralText());
    assertFalse(k.userExists("alice"));
  }

  // --- who may ask, who decides, what may be asked ---------------------------------------------

  @Test
  void requesters_onlyThoseThePolicyNames_seeAndMayAskForTheGroup() throws Exception {
    policies(
        new GroupPolicy(
            "readonly",
            Optional.of(new GroupPolicy.Audience(Set.of(OWNER), Optional.empty())),
            Optional.empty(),
            1,
            EnumSet.allOf(AccessType.class),
            Optional.empty(),
            Optional.empty(),
            false));

    String url = k.slack.newResponseUrl();
    k.send.slashCommand(REQUESTER, "create-user", "trigger-1", url);
    k.idle();
    JsonNode modal = k.slack.accepted("views.open").get(0).json("view");
    assertTrue(modal.toString().contains("developers"));
    assertFalse(modal.toString().contains("readonly"), "a group the requester may not ask for");

    Reply refused = k.submitForm(REQUESTER, "alice", "readonly", "PROGRAMMATIC", OWNER, "audit");
    assertEquals("errors", refused.json().path("response_action").asText(), refused.body());
    assertTrue(
        refused.json().path("errors").path("group").asText().contains("does not let you ask"),
        refused.body());
    assertEquals(0, k.auditCount("request.submitted"));

    String id = k.submit(OWNER, "alice", "readonly", "PROGRAMMATIC", OWNER, "audit");
    assertEquals("PENDING", k.requestState(id));
  }

  @Test
  void approvers_ofTheGroupDecide_othersAreRefused() throws Exception {
    policies(
        new GroupPolicy(
            "developers",
            Optional.empty(),
            Optional.of(new GroupPolicy.Audience(Set.of(STRANGER), Optional.empty())),
            1,
            EnumSet.allOf(AccessType.class),
            Optional.empty(),
            Optional.empty(),
            false));
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");

    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("Only"), lastEphemeralText());
    assertEquals("PENDING", k.requestState(id), "Keysmith's approvers do not decide this group");

    k.click(STRANGER, "keysmith_approve", id);
    assertEquals("PROVISIONED", k.requestState(id));
  }

  @Test
  void accessTypes_theFormOffersAndTheSubmissionAcceptsOnlyWhatThePolicyAllows() throws Exception {
    GroupPolicy keysOnly =
        new GroupPolicy(
            "developers",
            Optional.empty(),
            Optional.empty(),
            1,
            EnumSet.of(AccessType.PROGRAMMATIC),
            Optional.empty(),
            Optional.empty(),
            false);
    policies(
        keysOnly,
        new GroupPolicy(
            "readonly",
            Optional.empty(),
            Optional.empty(),
            1,
            EnumSet.of(AccessType.PROGRAMMATIC),
            Optional.empty(),
            Optional.empty(),
            false));

    k.send.slashCommand(REQUESTER, "create-user", "trigger-2", k.slack.newResponseUrl());
    k.idle();
    String modal = k.slack.accepted("views.open").get(0).json("view").toString();
    assertFalse(modal.contains("CONSOLE") || modal.contains("\"BOTH\""), modal);

    Reply refused = k.submitForm(REQUESTER, "alice", "developers", "CONSOLE", OWNER, "reports");
    assertTrue(
        refused
            .json()
            .path("errors")
            .path("access_type")
            .asText()
            .contains("allows only: Programmatic"),
        refused.body());
    assertEquals(0, k.auditCount("request.submitted"));
  }

  @Test
  void tooFewApprovers_besidesTheRequesterAndOwner_isSaidOnTheForm() throws Exception {
    policies(
        new GroupPolicy(
            "developers",
            Optional.empty(),
            Optional.of(new GroupPolicy.Audience(Set.of(APPROVER, APPROVER_2), Optional.empty())),
            2,
            EnumSet.allOf(AccessType.class),
            Optional.empty(),
            Optional.empty(),
            false));

    Reply refused = k.submitForm(APPROVER, "alice", "developers", "PROGRAMMATIC", OWNER, "x");

    assertTrue(
        refused.json().path("errors").path("group").asText().contains("needs 2 approvers"),
        refused.body());
  }

  // --- auto-approval ---------------------------------------------------------------------------

  @Test
  void autoApprove_provisionsWithoutAClick_andIsStillPostedAndAudited() throws Exception {
    policies(
        new GroupPolicy(
            "readonly",
            Optional.empty(),
            Optional.empty(),
            1,
            EnumSet.allOf(AccessType.class),
            Optional.empty(),
            Optional.of(Duration.ofHours(8)),
            true));

    Reply reply = k.submitForm(REQUESTER, "alice", "readonly", "PROGRAMMATIC", OWNER, "audit");
    assertTrue(reply.body().contains("was approved by the access policy"), reply.body());
    k.idle();
    k.keysmith.housekeeping();
    k.idle();

    String id =
        KeysmithFixture.column(dataDir, "SELECT id FROM requests WHERE iam_user_name = 'alice'")
            .get(0);
    assertEquals("PROVISIONED", k.requestState(id));
    assertTrue(k.userExists("alice"));
    String approval = lastApprovalBlocks();
    assertTrue(approval.contains("the access policy of `readonly`, automatically"), approval);
    assertFalse(approval.contains("keysmith_approve"), "nothing to decide");
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(
        List.of("keysmith"),
        KeysmithFixture.column(
            dataDir, "SELECT actor FROM audit WHERE action = 'request.approved'"));
    assertTrue(k.dms(OWNER).stream().anyMatch(t -> t.contains("is ready")), k.dms(OWNER)::toString);
    assertEquals(
        List.of("user.expiry-warning", "user.expire"),
        k.pendingJobs(id),
        "no reminder or expiry of the request; only the end of its 8-hour user");
  }

  // --- helpers ---------------------------------------------------------------------------------

  private String lastApprovalBlocks() {
    List<FakeSlackApi.Call> calls =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")) && c.param("thread_ts") == null)
            .toList();
    List<FakeSlackApi.Call> updates =
        k.slack.accepted("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .toList();
    FakeSlackApi.Call last =
        updates.isEmpty() ? calls.get(calls.size() - 1) : updates.get(updates.size() - 1);
    return last.json("blocks").toString();
  }

  private String lastEphemeralText() {
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    assertFalse(posts.isEmpty());
    return posts.get(posts.size() - 1).raw();
  }
}
