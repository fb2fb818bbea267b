package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.APPROVER_GROUP;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests nobody decides do not rot: the requester may withdraw one, the approvers are reminded
 * once after 4 hours, and after 3 days it expires, its buttons gone and the requester told. The
 * fixture's settings are the defaults, so these are the times a team gets without configuring.
 */
class PendingRequestsIT {
  private static final Duration REMIND = Duration.ofHours(4);
  private static final Duration EXPIRE = Duration.ofDays(3);

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

  // --- cancel ----------------------------------------------------------------------------------

  @Test
  void cancel_byTheRequester_closesTheRequestFreesTheNameAndTellsTheOwner() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    assertTrue(
        lastDmBlocks(REQUESTER).contains("keysmith_cancel_request"),
        "the requester's note carries the Cancel button");

    String url = k.slack.newResponseUrl();
    k.clickEphemeral(REQUESTER, "keysmith_cancel_request", id, url);
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("CANCELLED", k.requestState(id));
    assertEquals(1, k.auditCount("request.cancelled"));
    assertEquals(List.of(), k.pendingJobs(id), "no reminder or expiry is left to run");
    String approval = lastApprovalUpdate();
    assertTrue(approval.contains("Cancelled by"), approval);
    assertFalse(approval.contains("keysmith_approve"), "the buttons are gone");
    FakeSlackApi.ResponseUrlPost reply = lastResponseUrlPost(url);
    assertTrue(reply.json().path("replace_original").asBoolean(), reply.raw());
    assertTrue(reply.raw().contains("You cancelled request " + id), reply.raw());
    assertTrue(
        k.dms(OWNER).stream().anyMatch(t -> t.contains("cancelled request " + id)),
        () -> k.dms(OWNER).toString());
    // An approver who clicks the stale buttons hears what became of it.
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("cancelled by its requester"), lastEphemeralText());
    assertFalse(k.userExists("carol"));
    // The name is free again.
    String again = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    assertEquals("PENDING", k.requestState(again));
  }

  @Test
  void cancel_bySomeoneElse_evenTheOwnerOrAnApprover_isRefusedAndChangesNothing() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");

    for (String other : List.of(OWNER, APPROVER)) {
      String url = k.slack.newResponseUrl();
      k.clickEphemeral(other, "keysmith_cancel_request", id, url);
      String said = lastResponseUrlPost(url).raw();
      assertTrue(said.contains("Only the person who asked for request " + id), said);
    }

    assertEquals("PENDING", k.requestState(id));
    assertEquals(0, k.auditCount("request.cancelled"));
    assertEquals(List.of("request.remind", "request.expire"), k.pendingJobs(id));
  }

  @Test
  void cancel_afterApproval_isRefusedAndTheUserStands() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);

    String url = k.slack.newResponseUrl();
    k.clickEphemeral(REQUESTER, "keysmith_cancel_request", id, url);

    assertTrue(lastResponseUrlPost(url).raw().contains("already approved"));
    assertEquals("PROVISIONED", k.requestState(id));
    assertTrue(k.userExists("carol"));
    assertEquals(0, k.auditCount("request.cancelled"));
  }

  // --- reminder --------------------------------------------------------------------------------

  @Test
  void undecided_after4Hours_remindsTheApproversOnceInTheRequestsThread() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    String approvalTs =
        KeysmithFixture.column(dataDir, "SELECT approval_ts FROM requests WHERE id = '" + id + "'")
            .get(0);

    k.clock.advance(REMIND.minusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, approvalsPosts().size(), "not before its time");

    k.clock.advance(Duration.ofMinutes(2));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    List<FakeSlackApi.Call> posts = approvalsPosts();
    assertEquals(2, posts.size(), "one reminder");
    FakeSlackApi.Call reminder = posts.get(1);
    assertTrue(
        List.of("1", "true").contains(reminder.param("reply_broadcast")),
        "shown in the channel too");
    assertEquals(approvalTs, reminder.param("thread_ts"), "in the request's thread");
    String text = reminder.json("blocks").toString();
    assertTrue(text.contains("still waiting for a decision"), text);
    assertTrue(text.contains("<@" + APPROVER + ">") && text.contains("<@" + APPROVER_2 + ">"));
    assertTrue(text.contains("<!subteam^" + APPROVER_GROUP + ">"), text);
    assertEquals(1, k.auditCount("request.reminded"));

    k.clock.advance(Duration.ofHours(20));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(2, approvalsPosts().size(), "reminded once only");
    assertEquals("PENDING", k.requestState(id));
  }

  @Test
  void decidedBeforeTheReminder_remindsNobody() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);

    k.clock.advance(EXPIRE.plusHours(1));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals(1, approvalsPosts().size());
    assertEquals(0, k.auditCount("request.reminded"));
    assertEquals(0, k.auditCount("request.expired"));
    assertEquals("PROVISIONED", k.requestState(id));
  }

  // --- expiry ----------------------------------------------------------------------------------

  @Test
  void undecided_after3Days_expiresTakesTheButtonsAwayAndTellsTheRequester() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");

    k.clock.advance(EXPIRE.minusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("PENDING", k.requestState(id));

    k.clock.advance(Duration.ofMinutes(2));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("EXPIRED", k.requestState(id));
    assertEquals(1, k.auditCount("request.expired"));
    String approval = lastApprovalUpdate();
    assertTrue(approval.contains("nobody decided it in time"), approval);
    assertFalse(approval.contains("keysmith_approve"), "the buttons are gone");
    assertEquals(
        1, k.dms(REQUESTER).stream().filter(t -> t.contains("Nobody decided request")).count());
    assertTrue(k.dms(OWNER).stream().anyMatch(t -> t.contains("Nobody decided request")));
    assertEquals(List.of(), k.pendingJobs(id));

    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("nobody decided it in time"), lastEphemeralText());
    assertFalse(k.userExists("carol"));
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(REQUESTER, "keysmith_cancel_request", id, url);
    assertTrue(lastResponseUrlPost(url).raw().contains("nobody decided it in time"));
  }

  @Test
  void restart_keepsTheDeadlines_andDoesNotRemindTwice() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.clock.advance(REMIND.plusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, k.auditCount("request.reminded"));

    k.restart();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, k.auditCount("request.reminded"), "a restart does not remind again");
    assertEquals(List.of("request.expire"), k.pendingJobs(id));

    k.clock.advance(EXPIRE);
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("EXPIRED", k.requestState(id));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private List<FakeSlackApi.Call> approvalsPosts() {
    return k.slack.accepted("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .toList();
  }

  private String lastApprovalUpdate() {
    List<FakeSlackApi.Call> updates =
        k.slack.accepted("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .toList();
    assertFalse(updates.isEmpty(), "the approvals message was never updated");
    return updates.get(updates.size() - 1).json("blocks").toString();
  }

  private String lastDmBlocks(String user) {
    List<FakeSlackApi.Call> dms =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> user.equals(c.param("channel")))
            .toList();
    assertFalse(dms.isEmpty(), "no DM to " + user);
    return dms.get(dms.size() - 1).json("blocks").toString();
  }

  private FakeSlackApi.ResponseUrlPost lastResponseUrlPost(String url) {
    List<FakeSlackApi.ResponseUrlPost> posts =
        k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertFalse(posts.isEmpty(), "nothing answered at " + url);
    return posts.get(posts.size() - 1);
  }

  private String lastEphemeralText() {
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    assertFalse(posts.isEmpty());
    return posts.get(posts.size() - 1).raw();
  }
}
