package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox against a Slack that fails: every message a promise depends on arrives once Slack
 * takes it, a transient error never fails a request, a restart loses nothing, and what Slack
 * refuses for good is audited and told to someone who can act.
 */
class OutboxIT {
  private static final Pattern REQUEST_ID = Pattern.compile("request (KS-[A-Z0-9]+)");

  @TempDir Path dataDir;
  private KeysmithFixture k;

  @BeforeEach
  void setUp() throws Exception {
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void tearDown() {
    k.close();
  }

  @Test
  void approvalsPost_answered500Once_isRetriedAndTheRequestGoesOn() throws Exception {
    k.slack.failNextWithStatus("chat.postMessage", 500);

    String id = submitWithoutWaitingForTheApprovalsPost();

    assertEquals("PENDING", requestState(id));
    assertTrue(approvalPosts().isEmpty(), "the one post Slack answered 500 to is not there");
    assertEquals(List.of("PENDING request.approval attempts=1 error=HTTP 500"), outbox(id));
    assertRetriedAndApprovable(id, Duration.ofSeconds(2));
  }

  @Test
  void approvalsPost_rateLimited_waitsRetryAfterWhileOtherChannelsGoOn() throws Exception {
    k.slack.rateLimitNext("chat.postMessage", Duration.ofSeconds(1));

    String id = submitWithoutWaitingForTheApprovalsPost();

    assertEquals("PENDING", requestState(id));
    assertTrue(approvalPosts().isEmpty());
    assertEquals(1, dms(REQUESTER).size(), "the requester's DM is another channel's limit");
    assertEquals(List.of("PENDING request.approval attempts=0 error=ratelimited"), outbox(id));
    assertRetriedAndApprovable(id, Duration.ofSeconds(1));
  }

  @Test
  void approvalsPost_timingOut_isRetried() throws Exception {
    k.slack.stallNext("chat.postMessage", Duration.ofSeconds(8));

    String id = submitWithoutWaitingForTheApprovalsPost();

    assertEquals("PENDING", requestState(id));
    assertEquals(
        List.of("PENDING request.approval attempts=1 error=SocketTimeoutException"), outbox(id));
    assertRetriedAndApprovable(id, Duration.ofSeconds(2));
  }

  @Test
  void ownersOffer_answered500_isDeliveredAfterARestart() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.slack.failNextWithStatus("chat.postMessage", 500);
    k.click(APPROVER, "keysmith_approve", id);
    assertEquals("PROVISIONED", requestState(id));
    assertTrue(offersTo(OWNER).isEmpty());

    k.restart();
    k.clock.advance(Duration.ofSeconds(2));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals(1, offersTo(OWNER).size(), "offered once, after the restart");
    assertTrue(outbox(id).stream().allMatch(row -> row.startsWith("SENT")), outbox(id).toString());
    k.click(OWNER, "keysmith_get_credentials", id);
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    assertEquals("REVEALED", requestState(id));
  }

  @Test
  void ownersOffer_refusedForGood_isAuditedAndReportedToTheApprovers() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.slack.failNext("chat.postMessage", "user_not_found");
    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("PROVISIONED", requestState(id), "a message Slack refused fails no request");
    assertTrue(
        outbox(id).contains("UNDELIVERABLE request.offer attempts=1 error=user_not_found"),
        outbox(id).toString());
    assertEquals(1, k.auditCount("slack.undeliverable"));
    List<String> reports =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .map(c -> c.param("text"))
            .filter(t -> t.contains("could not deliver"))
            .toList();
    assertEquals(1, reports.size(), reports.toString());
    assertTrue(reports.get(0).contains(id) && reports.get(0).contains("user_not_found"));
  }

  @Test
  void approvalsEdits_whileChatUpdateIsRateLimited_sendOnlyTheLatestState() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.slack.rateLimitNext("chat.update", Duration.ofSeconds(30));

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("PROVISIONED", requestState(id));
    assertEquals(
        1, k.slack.calls("chat.update").size(), "only the first edit reached Slack, refused");
    assertTrue(approvalUpdates().isEmpty());
    k.clock.advance(Duration.ofSeconds(30));
    k.keysmith.housekeeping();
    k.idle();
    List<FakeSlackApi.Call> updates = approvalUpdates();
    assertEquals(1, updates.size(), "the edits made meanwhile went out as one");
    String last = updates.get(0).json("blocks").toString();
    assertTrue(last.contains("Added it to group"), last);
    assertTrue(last.contains("Provisioned"), last);
  }

  @Test
  void approvalsEdits_settleForASecond_soAProvisioningReachesSlackAsOneEdit() throws Exception {
    k.slackEditSettle = Duration.ofSeconds(1);
    k.restart();
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");

    k.click(APPROVER, "keysmith_approve", id);

    assertEquals("PROVISIONED", requestState(id));
    assertEquals(1, offersTo(OWNER).size(), "direct messages do not wait");
    assertTrue(approvalUpdates().isEmpty(), "the edits wait for the states after them");
    k.clock.advance(Duration.ofSeconds(1));
    k.keysmith.housekeeping();
    k.idle();
    List<FakeSlackApi.Call> updates = approvalUpdates();
    assertEquals(1, updates.size(), "approved, created, added and provisioned: one edit");
    assertTrue(updates.get(0).json("blocks").toString().contains("Provisioned"));
  }

  @Test
  void slackDown_atEveryStep_losesNoMessageAndFailsNothing() throws Exception {
    k.slack.failNextWithStatus("chat.postMessage", 503);
    k.slack.failNextWithStatus("chat.postMessage", 503);
    String id = submitWithoutWaitingForTheApprovalsPost();
    assertEquals("PENDING", requestState(id));
    // The approvals post and the requester's notice both failed; nothing was lost.
    assertTrue(dms(REQUESTER).isEmpty());
    k.restart();
    k.clock.advance(Duration.ofSeconds(2));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, approvalPosts().size());
    assertEquals(1, dms(REQUESTER).size());
    assertEquals("PENDING", requestState(id));
    k.click(APPROVER, "keysmith_approve", id);
    assertEquals("PROVISIONED", requestState(id));
    assertEquals(1, offersTo(OWNER).size());
    assertTrue(outbox(id).stream().allMatch(row -> row.startsWith("SENT")), outbox(id).toString());
  }

  /** Submits the form; returns the new id, read from the requester's notice or the database. */
  private String submitWithoutWaitingForTheApprovalsPost() throws Exception {
    Reply reply = k.submitForm(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    assertEquals(200, reply.status(), reply.body());
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
    k.idle();
    List<String> ids = column("SELECT id FROM requests ORDER BY created_at");
    assertEquals(1, ids.size());
    Matcher m = REQUEST_ID.matcher("request " + ids.get(0));
    assertTrue(m.find());
    return m.group(1);
  }

  private void assertRetriedAndApprovable(String id, Duration wait) throws Exception {
    k.clock.advance(wait);
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, approvalPosts().size(), "posted once, by the retry");
    assertEquals(
        List.of("SENT request.approval attempts=" + attempts(id) + " error=null"),
        outbox(id).stream().filter(r -> r.contains("request.approval")).toList());
    k.click(APPROVER, "keysmith_approve", id);
    assertEquals("PROVISIONED", requestState(id));
    assertTrue(k.userExists("alice"));
    assertEquals(1, offersTo(OWNER).size());
  }

  private String attempts(String id) throws Exception {
    return column(
            "SELECT attempts FROM outbox WHERE about = '"
                + id
                + "' AND purpose = 'request.approval'")
        .get(0);
  }

  private List<FakeSlackApi.Call> approvalPosts() {
    return k.slack.accepted("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .filter(c -> c.param("text").startsWith("IAM user request"))
        .toList();
  }

  private List<FakeSlackApi.Call> approvalUpdates() {
    return k.slack.accepted("chat.update").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .toList();
  }

  private List<String> offersTo(String user) {
    return dms(user).stream().filter(b -> b.contains("keysmith_get_credentials")).toList();
  }

  /** Direct messages Slack took for {@code user}, as their blocks. */
  private List<String> dms(String user) {
    return k.slack.accepted("chat.postMessage").stream()
        .filter(c -> user.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }

  private String requestState(String id) throws Exception {
    return column("SELECT state FROM requests WHERE id = '" + id + "'").get(0);
  }

  /** The outbox rows about {@code id}, oldest first: state, purpose, attempts, last error. */
  private List<String> outbox(String id) throws Exception {
    return column(
        "SELECT state || ' ' || purpose || ' attempts=' || attempts || ' error='"
            + " || coalesce(last_error, 'null') FROM outbox WHERE about = '"
            + id
            + "' AND purpose <> 'request.notice' ORDER BY id");
  }

  private List<String> column(String sql) throws Exception {
    return KeysmithFixture.column(dataDir, sql);
  }
}
