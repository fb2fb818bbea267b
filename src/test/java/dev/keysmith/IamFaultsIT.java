package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.IamFaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * Nothing lost, nothing stuck: IAM failing on the wire (through {@link IamFaultProxy}) while
 * Keysmith runs. A failure that may pass leaves the work waiting in a stored job that carries it on
 * once IAM answers; a refusal that stands fails it, with IAM's own words, and removes what was
 * made.
 */
class IamFaultsIT {
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

  @Test
  void provision_iamDownAfterCreateUser_staysApproved_andAJobFinishesItOnceIamAnswers()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    // IAM answers CreateUser, then nothing else.
    k.proxy.fail(IamFaultProxy.ANY, 503, "ServiceUnavailable").delay("CreateUser", Duration.ZERO);

    k.click(APPROVER, "keysmith_approve", id);

    assertTrue(userExists("alice"));
    assertTrue(groupsOf("alice").isEmpty());
    assertEquals("APPROVED", k.requestState(id));
    assertEquals(List.of("request.provision"), k.pendingJobs(id));
    assertTrue(lastApprovalUpdate().contains("IAM did not answer"), lastApprovalUpdate());
    assertFalse(k.proxy.seen().contains("DeleteUser"), "nothing undone: it will carry on");
    assertTrue(offersTo(OWNER).isEmpty());
    assertTrue(
        k.dms(REQUESTER).stream().noneMatch(t -> t.contains("failed")),
        k.dms(REQUESTER).toString());

    // Still down at the first retry: it waits longer, and the request still stands.
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("APPROVED", k.requestState(id));
    assertEquals(List.of("request.provision"), k.pendingJobs(id));
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    assertEquals("APPROVED", k.requestState(id), "the second wait is 10 s");

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(List.of("developers"), groupsOf("alice"));
    assertEquals(List.of(), k.pendingJobs(id));
    assertEquals(1, offersTo(OWNER).size());
    assertEquals(1, k.auditCount("request.provisioned"));
  }

  @Test
  void provision_iamSilentAfterCreateUser_staysApprovedUntilTheCallTimesOut_thenAJobFinishesIt()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.proxy.silence(
        "AddUserToGroup"); // no answer at all: only the client's 15 s call timeout ends it

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("APPROVED", k.requestState(id));
    assertEquals(List.of("request.provision"), k.pendingJobs(id));
    assertTrue(k.proxy.faults().contains("AddUserToGroup silent"), k.proxy.faults().toString());
    assertTrue(userExists("alice"));

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(List.of("developers"), groupsOf("alice"));
    assertEquals(1, offersTo(OWNER).size());
  }

  @Test
  void provision_groupGone_andUndoFailsOnOutage_failsWithIamsOwnError_andAJobRemovesTheUser()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "readonly", "PROGRAMMATIC", OWNER, "reports");
    k.iam.deleteGroup(g -> g.groupName("readonly")); // after the form checked it
    // The undo reads the user's tags first: IAM is down by then.
    k.proxy.fail("ListUserTags", 500, "ServiceFailure").fail("DeleteUser", 500, "ServiceFailure");

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("FAILED", k.requestState(id));
    assertTrue(userExists("alice"), "IAM could not be reached to remove it");
    assertEquals(List.of("request.clean-up"), k.pendingJobs(id));
    String failure = lastApprovalUpdate();
    assertTrue(failure.contains("NoSuchEntity"), failure);
    assertFalse(
        failure.contains("ServiceFailure"), "the undo's error is not the story: " + failure);
    assertTrue(
        k.dms(REQUESTER).stream().anyMatch(t -> t.contains("NoSuchEntity")),
        k.dms(REQUESTER).toString());

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();

    assertFalse(userExists("alice"), "the half-made user is gone");
    assertEquals(List.of(), k.pendingJobs(id));
    assertEquals("FAILED", k.requestState(id));
    k.iam.createGroup(g -> g.groupName("readonly"));
    String again = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "again");
    k.click(APPROVER, "keysmith_approve", again);
    assertEquals("PROVISIONED", k.requestState(again), "the name can be asked for again");
  }

  @Test
  void provision_groupGone_andIamRefusesTheUndo_failsAndTellsTheApproversWhatToRemove()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "readonly", "PROGRAMMATIC", OWNER, "reports");
    k.iam.deleteGroup(g -> g.groupName("readonly"));
    k.proxy.fail("DeleteUser", 403, "AccessDenied");

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("FAILED", k.requestState(id));
    assertTrue(userExists("alice"), "IAM refused to remove it");
    assertEquals(List.of(), k.pendingJobs(id), "a refusal is not retried");
    List<String> notices =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .map(c -> c.param("text"))
            .filter(t -> t.contains("refuses to let Keysmith remove it"))
            .toList();
    assertEquals(1, notices.size(), notices.toString());
    assertTrue(notices.get(0).contains("alice") && notices.get(0).contains("AccessDenied"));
    assertTrue(lastApprovalUpdate().contains("NoSuchEntity"), lastApprovalUpdate());
  }

  @Test
  void provision_nameTakenBySomeoneElsesUser_failsAndLeavesThatUserAlone() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.iam.createUser(u -> u.userName("alice")); // made outside Keysmith after the form checked

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("FAILED", k.requestState(id));
    assertTrue(userExists("alice"));
    assertTrue(lastApprovalUpdate().contains("EntityAlreadyExists"), lastApprovalUpdate());
    assertEquals(List.of(), k.pendingJobs(id));
  }

  @Test
  void link_tagUserFailsOnOutage_staysApproved_andAJobWritesTheTag() throws Exception {
    String id = linkAsked("legacy");
    k.proxy.fail("TagUser", 503, "ServiceUnavailable");

    k.click(APPROVER, "keysmith_link_approve", id);

    assertEquals(Optional.empty(), ownerTag("legacy"));
    assertEquals("APPROVED", linkState(id));
    assertEquals(List.of("link.apply"), k.pendingJobs(id));
    assertEquals(0, k.auditCount("link.failed"));

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals(Optional.of(OWNER), ownerTag("legacy"));
    assertEquals("LINKED", linkState(id));
    assertEquals(List.of(), k.pendingJobs(id));
    assertEquals(1, k.auditCount("keys.linked"));
  }

  @Test
  void link_tagUserRefusedForGood_fails() throws Exception {
    String id = linkAsked("legacy");
    k.proxy.fail("TagUser", 409, "LimitExceeded");

    k.click(APPROVER, "keysmith_link_approve", id);

    assertEquals("FAILED", linkState(id));
    assertEquals(List.of(), k.pendingJobs(id));
  }

  @Test
  void reveal_showFailsAndUndoFailsOnOutage_aJobDeletesTheKey_andTheOfferStands() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.click(OWNER, "keysmith_get_credentials", id);
    k.slack.failNextResponseUrlPost(404, "expired_url");
    k.proxy.fail("ListAccessKeys", 503, "ServiceUnavailable");

    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());

    assertEquals(1, accessKeys("alice").size(), "minted, unseen, and IAM is down");
    assertEquals("REVEALING", k.requestState(id));
    assertEquals(List.of("delivery.undo-reveal"), k.pendingJobs(id));
    assertTrue(
        last(k.slack.responseUrlPosts()).raw().contains("Slack did not take the message"),
        last(k.slack.responseUrlPosts()).raw());

    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping(); // still down: tries again later
    assertEquals("REVEALING", k.requestState(id));
    assertEquals(List.of("delivery.undo-reveal"), k.pendingJobs(id));

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(10));
    k.keysmith.housekeeping();
    k.idle();

    assertTrue(accessKeys("alice").isEmpty(), "the unseen key is deleted");
    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(List.of(), k.pendingJobs(id));
    assertTrue(k.dms(OWNER).stream().anyMatch(t -> t.contains("interrupted")));
    k.click(OWNER, "keysmith_get_credentials", id);
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    assertTrue(last(k.slack.responseUrlPosts()).raw().contains("Credentials for"));
    assertEquals(1, accessKeys("alice").size());
    assertEquals("REVEALED", k.requestState(id));
  }

  @Test
  void throttling_aFifthOfAllIamCalls_failsNoRequest() throws Exception {
    k.proxy.failShare(IamFaultProxy.ANY, 0.2, 400, "Throttling", /* seed= */ 7);
    List<String> names = List.of("tara", "theo", "tess", "tom", "tina", "toby", "tilda", "ted");
    for (String name : names) {
      String id = k.submit(REQUESTER, name, "developers", "PROGRAMMATIC", OWNER, "reports");
      if (name.equals("ted")) {
        // Five in a row: more than the SDK's default of three attempts would survive.
        k.proxy.failNext("AddUserToGroup", 5, 400, "Throttling");
      }
      k.click(APPROVER, "keysmith_approve", id);
      k.click(OWNER, "keysmith_get_credentials", id);
      k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
      assertEquals("REVEALED", k.requestState(id), name);
      assertEquals(List.of("developers"), groupsOf(name));
      assertEquals(1, accessKeys(name).size());
    }
    assertEquals(0, k.auditCount("request.failed"));
    assertTrue(
        k.proxy.faults().stream().filter(f -> f.endsWith("Throttling")).count() >= 8,
        "IAM did throttle: " + k.proxy.faults());
  }

  // --- helpers ---------------------------------------------------------------------------------

  private String linkState(String id) {
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      return new dev.keysmith.store.SqlLinkStore(db).find(id).orElseThrow().state().name();
    }
  }

  private boolean userExists(String name) {
    try {
      k.iam.getUser(u -> u.userName(name));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  private List<String> groupsOf(String name) {
    return k.iam.listGroupsForUser(g -> g.userName(name)).groups().stream()
        .map(Group::groupName)
        .toList();
  }

  private List<AccessKeyMetadata> accessKeys(String name) {
    return k.iam.listAccessKeys(a -> a.userName(name)).accessKeyMetadata();
  }

  /** A user made outside Keysmith, and a link of it to the owner asked for; returns its id. */
  private String linkAsked(String iamUser) throws Exception {
    k.iam.createUser(u -> u.userName(iamUser));
    return k.askLink(REQUESTER, iamUser, OWNER);
  }

  private Optional<String> ownerTag(String iamUser) {
    return k.ownerTag(iamUser);
  }

  private String lastApprovalUpdate() {
    List<FakeSlackApi.Call> updates =
        k.slack.calls("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .toList();
    assertFalse(updates.isEmpty(), "the approvals message was never updated");
    return last(updates).json("blocks").toString();
  }

  private List<String> offersTo(String user) {
    return k.dms(user).stream().filter(b -> b.contains("keysmith_get_credentials")).toList();
  }

  private static <T> T last(List<T> list) {
    assertFalse(list.isEmpty());
    return list.get(list.size() - 1);
  }
}
