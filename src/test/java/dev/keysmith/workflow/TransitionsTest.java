package dev.keysmith.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.jobs.Job;
import dev.keysmith.outbox.Message;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestWorkflow;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlOutbox;
import dev.keysmith.store.SqlRequestStore;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class TransitionsTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String FOLLOW_UP = "test.follow-up";

  @TempDir Path dataDir;
  private Database db;
  private SqlRequestStore store;
  private SqlAuditTrail audit;
  private SqlJobStore jobs;
  private final MutableClock clock = new MutableClock(T0);
  private AccessRequest pending;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlRequestStore(db);
    audit = new SqlAuditTrail(db);
    jobs = new SqlJobStore(db, clock);
    pending =
        AccessRequest.pending(
                "KS-ABC123",
                new RequestForm("alice", "developers", AccessType.PROGRAMMATIC, "U0OWNER", "why"),
                "U0REQ",
                T0)
            .withApprovalMessage("C0APPROVALS", "1.2");
    assertTrue(store.insert(pending));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void tell_leavesItsMessagesOnlyWithAChangeThatCommits() {
    SqlOutbox outbox = new SqlOutbox(db, clock);
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);
    Message notice = new Message("request.notice", "KS-ABC123", "U0REQ", null, "approved", "[]");

    boolean lost =
        transitions(audit)
            .move(store, RequestState.APPROVED, approved)
            .tell(() -> outbox.send(notice))
            .commit();
    assertFalse(lost);
    assertEquals(0, outbox.backlog(T0).pending(), "a lost compare-and-set promises nothing");

    assertThrows(
        IllegalStateException.class,
        () ->
            transitions(audit)
                .move(store, RequestState.PENDING, approved)
                .tell(() -> outbox.send(notice))
                .tell(
                    () -> {
                      throw new IllegalStateException("the second notifier failed");
                    })
                .commit());
    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
    assertEquals(0, outbox.backlog(T0).pending(), "nor a change rolled back");

    assertTrue(
        transitions(audit)
            .move(store, RequestState.PENDING, approved)
            .tell(() -> outbox.send(notice))
            .commit());
    assertEquals(1, outbox.backlog(T0).pending());
  }

  @Test
  void commit_fromAStateTheRequestIsNoLongerIn_writesNoStateNoEventNoJob() {
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    boolean committed =
        transitions(audit)
            .move(store, RequestState.APPROVED, approved)
            .audited("U0APPR", AuditAction.REQUEST_APPROVED)
            .schedule(FOLLOW_UP, T0.plusSeconds(60))
            .commit();

    assertFalse(committed);
    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(audit.forRequest("KS-ABC123").isEmpty());
    assertTrue(jobs.pending("KS-ABC123").isEmpty());
  }

  @Test
  void commit_whoseAuditEventCannotBeWritten_leavesTheStateAndJobsAsTheyWere() {
    AuditTrail broken =
        new AuditTrail() {
          @Override
          public void record(AuditEvent event) {
            throw new IllegalStateException("the audit table is unwritable");
          }

          @Override
          public List<AuditEvent> forRequest(String requestId) {
            return List.of();
          }
        };
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertThrows(
        IllegalStateException.class,
        () ->
            transitions(broken)
                .move(store, RequestState.PENDING, approved)
                .schedule(FOLLOW_UP, T0.plusSeconds(60))
                .audited("U0APPR", AuditAction.REQUEST_APPROVED)
                .commit());

    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(jobs.pending("KS-ABC123").isEmpty());
  }

  @Test
  void commit_whoseJobCannotBeScheduled_leavesTheStateAndTheAuditTrailAsTheyWere() {
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertThrows(
        IllegalArgumentException.class,
        () ->
            transitions(audit)
                .move(store, RequestState.PENDING, approved)
                .audited("U0APPR", AuditAction.REQUEST_APPROVED)
                .schedule(" ", T0) // the job store refuses a blank kind
                .commit());

    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(audit.forRequest("KS-ABC123").isEmpty());
  }

  @Test
  void commit_storesTheStateItsEventsAndItsJobTogether_andCancelsWhatItNames() {
    jobs.schedule("test.superseded", "KS-ABC123", Map.of(), T0.plusSeconds(30));
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertTrue(
        transitions(audit)
            .move(store, RequestState.PENDING, approved)
            .audited("U0APPR", AuditAction.REQUEST_APPROVED, Map.of("k", "v"))
            .cancel("test.superseded")
            .schedule(FOLLOW_UP, T0.plus(Duration.ofDays(7)))
            .commit());

    assertEquals(RequestState.APPROVED, store.find("KS-ABC123").orElseThrow().state());
    List<AuditEvent> events = audit.forRequest("KS-ABC123");
    assertEquals(
        List.of(AuditAction.REQUEST_APPROVED), events.stream().map(AuditEvent::action).toList());
    assertEquals(Map.of("k", "v"), events.get(0).details());
    List<Job> pendingJobs = jobs.pending("KS-ABC123");
    assertEquals(List.of(FOLLOW_UP), pendingJobs.stream().map(Job::kind).toList());
    assertEquals(T0.plus(Duration.ofDays(7)), pendingJobs.get(0).dueAt());
  }

  @Test
  void commitOrThrow_whenTheStateMovedOn_failsLoudlyAndWritesNothing() {
    AccessRequest denied = RequestWorkflow.deny(pending, "U0APPR", true, "no", T0);
    assertTrue(store.compareAndSet(RequestState.PENDING, denied));
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR2", true, T0);

    Transitions.Change change =
        transitions(audit)
            .move(store, RequestState.PENDING, approved)
            .audited("U0APPR2", AuditAction.REQUEST_APPROVED);

    assertThrows(IllegalStateException.class, change::commitOrThrow);
    assertEquals(RequestState.DENIED, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(audit.forRequest("KS-ABC123").isEmpty());
  }

  @Test
  void about_recordsEventsAndJobsWithoutAStateToCompare() {
    transitions(audit)
        .about("RT-ABC123")
        .audited(AuditEvent.SYSTEM, AuditAction.KEYS_DEACTIVATED)
        .schedule(FOLLOW_UP, T0.plusSeconds(5))
        .commitOrThrow();

    assertEquals(1, audit.forRequest("RT-ABC123").size());
    assertEquals(1, jobs.pending("RT-ABC123").size());
  }

  private Transitions transitions(AuditTrail trail) {
    return new Transitions(db, trail, jobs, clock);
  }
}
