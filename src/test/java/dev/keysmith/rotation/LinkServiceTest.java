package dev.keysmith.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.UserTags;
import dev.keysmith.jobs.Job;
import dev.keysmith.request.Notifier.MessageRef;
import dev.keysmith.request.RequestIds;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlLinkStore;
import dev.keysmith.testing.FakeIamGateway;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The link workflow's IAM and Slack edges, against a fake IAM and a recording notifier. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class LinkServiceTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final String REQUESTER = "U0REQUESTER";
  private static final String OWNER = "U0OWNER";
  private static final String APPROVER = "U0APPROVER";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final FakeIamGateway iam = new FakeIamGateway(clock);
  private final RecordingNotifier notifier = new RecordingNotifier();
  private Database db;
  private SqlLinkStore store;
  private SqlAuditTrail audit;
  private SqlJobStore jobs;
  private LinkService links;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dir);
    db = testDb.open();
    store = new SqlLinkStore(db);
    audit = new SqlAuditTrail(db);
    jobs = new SqlJobStore(db, clock);
    WorkflowContext workflow =
        new WorkflowContext(
            new Transitions(db, audit, jobs, clock),
            audit,
            clock,
            dev.keysmith.testing.TestDatabase.leases(db, clock));
    IamDirectory directory = new IamDirectory(iam, List.of(), Runnable::run, Ticker.systemTicker());
    links =
        new LinkService(
            new LinkPorts(store, Set.of(APPROVER)::contains, notifier),
            new Ownership(iam, directory, Set.of(APPROVER)::contains),
            workflow,
            new RequestIds("LK-", new SecureRandom()),
            List.of("admins"),
            Duration.ofDays(7));
    notifier.links = links;
    iam.createUser("legacy", "/", Map.of(), Optional.empty());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void ask_forAUserWhoseGroupsKeysmithMayNotRead_isRefusedAndStoresNothing() {
    iam.failNext("ListGroupsForUser", "AccessDenied");

    Refusal r = assertThrows(Refusal.class, () -> links.ask(REQUESTER, "legacy", OWNER));

    assertEquals(Reason.LINK_OUT_OF_REACH, r.reason());
    assertTrue(store.findByState(LinkState.PENDING).isEmpty());
    assertTrue(notifier.calls.isEmpty());
  }

  @Test
  void ask_whenTheApprovalsChannelRefusesThePostForGood_cancelsItAndAllowsANewOne() {
    notifier.deliver = false;
    LinkRequest asked = links.ask(REQUESTER, "legacy", OWNER);

    links.approvalUndeliverable(asked.id(), "not_in_channel");

    LinkRequest cancelled = store.find(asked.id()).orElseThrow();
    assertEquals(LinkState.CANCELLED, cancelled.state());
    assertTrue(jobs.pending(cancelled.id()).isEmpty(), "its expiry is cancelled with it");
    assertTrue(notifier.calls.contains("stopped " + asked.id() + " LINK_NOT_POSTED"));
    notifier.deliver = true;
    assertEquals(LinkState.PENDING, links.ask(REQUESTER, "legacy", OWNER).state());
  }

  @Test
  void ask_storesItWithItsExpiryJob() {
    LinkRequest r = links.ask(REQUESTER, "legacy", OWNER);

    assertEquals(
        Optional.of(r.withApprovalMessage("C0APPROVALS", "1700000000.000100")), store.find(r.id()));
    assertEquals(LinkService.EXPIRE, jobs.pending(r.id()).get(0).kind());
    assertEquals(r.expiresAt(), jobs.pending(r.id()).get(0).dueAt());
    assertEquals(List.of("post " + r.id()), notifier.calls);
  }

  @Test
  void approve_ofAUserDeletedMeanwhile_endsTheRequest() {
    LinkRequest r = links.ask(REQUESTER, "legacy", OWNER);
    iam.deleteUser("legacy");

    Refusal why = assertThrows(Refusal.class, () -> links.approve(r.id(), APPROVER));

    assertEquals(Reason.NO_SUCH_IAM_USER, why.reason());
    assertEquals(LinkState.CANCELLED, store.find(r.id()).orElseThrow().state());
    assertTrue(notifier.calls.contains("stopped " + r.id() + " NO_SUCH_IAM_USER"));
    assertTrue(jobs.pending(r.id()).isEmpty());
  }

  @Test
  void approve_whenIamDoesNotAnswerTheTag_staysApproved_andItsJobWritesItLater() throws Exception {
    LinkRequest r = links.ask(REQUESTER, "legacy", OWNER);
    iam.failNext("TagUser", "ServiceFailure");

    links.approve(r.id(), APPROVER);

    assertEquals(LinkState.APPROVED, store.find(r.id()).orElseThrow().state());
    assertFalse(iam.users.get("legacy").tags.containsKey(UserTags.OWNER));
    Job retry = jobs.pending(r.id()).get(0);
    assertEquals(LinkService.APPLY, retry.kind());
    assertEquals(clock.instant().plusSeconds(5), retry.dueAt());
    assertFalse(notifier.calls.contains("failed " + r.id()));

    links.applyJob().run(retry);

    assertEquals(LinkState.LINKED, store.find(r.id()).orElseThrow().state());
    assertEquals(OWNER, iam.users.get("legacy").tags.get(UserTags.OWNER));
    assertTrue(jobs.pending(r.id()).isEmpty());
  }

  @Test
  void approve_whenIamRefusesTheTag_failsAndTellsTheRequester() {
    LinkRequest r = links.ask(REQUESTER, "legacy", OWNER);
    iam.failNext("TagUser", "AccessDenied");

    links.approve(r.id(), APPROVER);

    LinkRequest failed = store.find(r.id()).orElseThrow();
    assertEquals(LinkState.FAILED, failed.state());
    assertTrue(failed.outcome().contains("AccessDenied"), failed.outcome());
    assertFalse(iam.users.get("legacy").tags.containsKey(UserTags.OWNER));
    assertEquals(List.of("link.requested", "link.approved", "link.failed"), actions(r.id()));
    assertTrue(notifier.calls.contains("failed " + r.id()));
  }

  @Test
  void resumeInterrupted_anApprovedLink_writesTheTagOnce() {
    LinkRequest r = approvedButNotApplied();

    links.resumeInterrupted();
    links.resumeInterrupted();

    assertEquals(LinkState.LINKED, store.find(r.id()).orElseThrow().state());
    assertEquals(OWNER, iam.users.get("legacy").tags.get(UserTags.OWNER));
    assertEquals(1, actions(r.id()).stream().filter("keys.linked"::equals).count());
  }

  @Test
  void resumeInterrupted_anApprovedLinkWhoseUserJoinedAProtectedGroup_failsAndTagsNothing() {
    LinkRequest r = approvedButNotApplied();
    iam.groups.add("admins");
    iam.addUserToGroup("legacy", "admins");

    links.resumeInterrupted();

    assertEquals(LinkState.FAILED, store.find(r.id()).orElseThrow().state());
    assertFalse(iam.users.get("legacy").tags.containsKey(UserTags.OWNER));
    assertTrue(notifier.calls.contains("stopped " + r.id() + " LINK_PROTECTED_GROUP"));
  }

  @Test
  void expireJob_ofALinkDecidedMeanwhile_doesNothing() throws Exception {
    LinkRequest r = links.ask(REQUESTER, "legacy", OWNER);
    links.deny(r.id(), APPROVER);
    clock.advance(Duration.ofDays(8));

    links
        .expireJob()
        .run(new dev.keysmith.jobs.Job(1, LinkService.EXPIRE, r.id(), Map.of(), r.expiresAt(), 1));

    assertEquals(LinkState.DENIED, store.find(r.id()).orElseThrow().state());
    assertEquals(List.of("link.requested", "link.denied"), actions(r.id()));
  }

  /** A link approved and committed, as if Keysmith stopped before writing the tag. */
  private LinkRequest approvedButNotApplied() {
    LinkRequest r = store.find(links.ask(REQUESTER, "legacy", OWNER).id()).orElseThrow();
    LinkRequest approved = LinkWorkflow.approve(r, APPROVER, true, clock.instant());
    assertTrue(store.compareAndSet(LinkState.PENDING, approved));
    return approved;
  }

  private List<String> actions(String id) {
    return audit.forRequest(id).stream().map(AuditEvent::action).map(a -> a.code()).toList();
  }

  /** Records what people would have been told, one line per message. */
  private static final class RecordingNotifier implements LinkNotifier {
    final List<String> calls = new CopyOnWriteArrayList<>();

    /** Whether Slack takes the approvals post at once (its receipt comes in the transaction). */
    volatile boolean deliver = true;

    LinkService links;

    @Override
    public void postForApproval(LinkRequest link) {
      calls.add("post " + link.id());
      if (deliver) {
        links.approvalPosted(link.id(), new MessageRef("C0APPROVALS", "1700000000.000100"));
      }
    }

    @Override
    public void updateApproval(LinkRequest link) {}

    @Override
    public void linked(LinkRequest link) {
      calls.add("linked " + link.id());
    }

    @Override
    public void denied(LinkRequest link) {
      calls.add("denied " + link.id());
    }

    @Override
    public void expired(LinkRequest link) {
      calls.add("expired " + link.id());
    }

    @Override
    public void stopped(LinkRequest link, Refusal why) {
      calls.add("stopped " + link.id() + " " + why.reason());
    }

    @Override
    public void failed(LinkRequest link) {
      calls.add("failed " + link.id());
    }
  }
}
