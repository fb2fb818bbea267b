package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.FormProblem.Reason;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlRequestStore;
import dev.keysmith.testing.FakeIamGateway;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.NoUserGroups;
import dev.keysmith.testing.TestDatabase;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The submission half of {@link RequestService}: what it tells the form, as data. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class RequestSubmissionsTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final String REQUESTER = "U0REQ";
  private static final String OWNER = "U0OWNER";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final FakeIamGateway iam = new FakeIamGateway();
  private final Iterator<String> ids = List.of("KS-AAAAAA", "KS-BBBBBB", "KS-CCCCCC").iterator();
  private Database db;
  private RequestSubmissions submissions;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dir);
    iam.groups.add("developers");
    db = testDb.open();
    submissions = submissionsOver(db, ids::next);
  }

  /** The submissions of one replica over {@code database}. */
  private RequestSubmissions submissionsOver(Database database, Supplier<String> requestIds) {
    SqlAuditTrail audit = new SqlAuditTrail(database);
    WorkflowContext workflow =
        new WorkflowContext(
            new Transitions(database, audit, new SqlJobStore(database, clock), clock),
            audit,
            clock,
            TestDatabase.leases(database, clock));
    Notifier notifier =
        (Notifier)
            java.lang.reflect.Proxy.newProxyInstance(
                Notifier.class.getClassLoader(),
                new Class<?>[] {Notifier.class},
                (proxy, method, args) -> null);
    RequestPorts ports =
        new RequestPorts(
            new SqlRequestStore(database),
            new Policies(
                List.of(),
                new GroupPolicy.Audience(Set.of("U0APPROVER"), Optional.empty()),
                NoUserGroups.INSTANCE),
            notifier);
    IamDirectory directory =
        new IamDirectory(iam, List.of("developers"), Runnable::run, Ticker.systemTicker());
    RequestService.Deadlines deadlines =
        new RequestService.Deadlines(Duration.ofDays(7), Duration.ofHours(4), Duration.ofDays(3));
    return new RequestSubmissions(ports, workflow, directory, requestIds, deadlines);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private static RequestForm form(String name, String why) {
    return new RequestForm(name, "developers", AccessType.BOTH, OWNER, why);
  }

  @Test
  void submit_nameAnOpenRequestClaims_namesThatRequest() {
    RequestSubmissions.Submission first = submissions.submit(form("alice", "reports"), REQUESTER);
    assertTrue(first.accepted());

    RequestSubmissions.Submission second = submissions.submit(form("ALICE", "reports"), "U0OTHER");

    assertFalse(second.accepted());
    assertEquals(
        Map.of(FormField.IAM_USER_NAME, FormProblem.of(Reason.USER_NAME_CLAIMED, "KS-AAAAAA")),
        second.problems());
  }

  @Test
  void submit_sameNameOnTwoReplicasAtOnce_storesOneRequest() throws Exception {
    // Two pools on one PostgreSQL database; SQLite runs one replica, so its threads share one.
    Database other = dialect == Database.Dialect.POSTGRESQL ? testDb.open() : db;
    AtomicInteger next = new AtomicInteger();
    RequestSubmissions[] replicas = {
      submissionsOver(db, () -> String.format("KS-A%05d", next.incrementAndGet())),
      submissionsOver(other, () -> String.format("KS-B%05d", next.incrementAndGet()))
    };
    int racers = 8;
    CyclicBarrier start = new CyclicBarrier(racers);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Future<RequestSubmissions.Submission>> outcomes = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        RequestSubmissions replica = replicas[i % 2];
        String requester = "U0REQ" + i;
        outcomes.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return replica.submit(form("carol", "reports"), requester);
                }));
      }
      List<RequestSubmissions.Submission> submitted = new ArrayList<>();
      for (Future<RequestSubmissions.Submission> outcome : outcomes) {
        submitted.add(outcome.get(30, TimeUnit.SECONDS));
      }
      List<AccessRequest> stored = new SqlRequestStore(db).findClaiming("carol");
      assertEquals(
          1,
          stored.size(),
          () -> "open requests for carol: " + stored.stream().map(AccessRequest::id).toList());
      String winner = stored.get(0).id();
      assertEquals(1, submitted.stream().filter(RequestSubmissions.Submission::accepted).count());
      for (RequestSubmissions.Submission s : submitted) {
        if (!s.accepted()) {
          assertEquals(
              Map.of(FormField.IAM_USER_NAME, FormProblem.of(Reason.USER_NAME_CLAIMED, winner)),
              s.problems());
        }
      }
    } finally {
      pool.shutdownNow();
      if (other != db) {
        other.close();
      }
    }
  }

  @Test
  void submit_claimedNameWithOtherProblems_reportsThemAllAtOnce() {
    submissions.submit(form("alice", "reports"), REQUESTER);

    RequestSubmissions.Submission second = submissions.submit(form("alice", " "), "U0OTHER");

    assertEquals(
        Map.of(
            FormField.IAM_USER_NAME, FormProblem.of(Reason.USER_NAME_CLAIMED, "KS-AAAAAA"),
            FormField.JUSTIFICATION, FormProblem.of(Reason.JUSTIFICATION_MISSING)),
        second.problems());
  }
}
