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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    SqlAuditTrail audit = new SqlAuditTrail(db);
    WorkflowContext workflow =
        new WorkflowContext(
            new Transitions(db, audit, new SqlJobStore(db, clock), clock),
            audit,
            clock,
            TestDatabase.leases(db, clock));
    Notifier notifier =
        (Notifier)
            java.lang.reflect.Proxy.newProxyInstance(
                Notifier.class.getClassLoader(),
                new Class<?>[] {Notifier.class},
                (proxy, method, args) -> null);
    RequestPorts ports =
        new RequestPorts(
            new SqlRequestStore(db),
            new Policies(
                List.of(),
                new GroupPolicy.Audience(Set.of("U0APPROVER"), Optional.empty()),
                NoUserGroups.INSTANCE),
            notifier);
    IamDirectory directory =
        new IamDirectory(iam, List.of("developers"), Runnable::run, Ticker.systemTicker());
    RequestService.Deadlines deadlines =
        new RequestService.Deadlines(Duration.ofDays(7), Duration.ofHours(4), Duration.ofDays(3));
    submissions = new RequestSubmissions(ports, workflow, directory, ids::next, deadlines);
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
