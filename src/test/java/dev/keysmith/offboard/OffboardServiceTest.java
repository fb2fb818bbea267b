package dev.keysmith.offboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamGateway.ServiceCredential;
import dev.keysmith.iam.UserTags;
import dev.keysmith.jobs.Job;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlOffboardStore;
import dev.keysmith.testing.FakeIamGateway;
import dev.keysmith.testing.FakeIamGateway.FakeUser;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Offboarding against a fake IAM that refuses DeleteUser while anything remains, as IAM does. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class OffboardServiceTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final String OWNER = "U0OWNER";
  private static final String APPROVER = "U0APPROVER";
  private static final String STRANGER = "U0STRANGER";
  private static final String MFA = "arn:aws:iam::123456789012:mfa/alice";
  private static final String POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final FakeIamGateway iam = new FakeIamGateway(clock);
  private final RecordingNotifier notifier = new RecordingNotifier();
  private Database db;
  private SqlOffboardStore store;
  private SqlAuditTrail audit;
  private SqlJobStore jobs;
  private OffboardService service;
  private IamDirectory directory;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dir);
    db = testDb.open();
    store = new SqlOffboardStore(db);
    audit = new SqlAuditTrail(db);
    jobs = new SqlJobStore(db, clock);
    AtomicInteger ids = new AtomicInteger();
    directory = new IamDirectory(iam, List.of(), Runnable::run, Ticker.systemTicker());
    service =
        new OffboardService(
            iam,
            directory,
            store,
            notifier,
            Set.of(APPROVER)::contains,
            new WorkflowContext(
                new Transitions(db, audit, jobs, clock),
                audit,
                clock,
                dev.keysmith.testing.TestDatabase.leases(db, clock)),
            () -> String.format("OB-%06d", ids.incrementAndGet()));
    iam.refusesDeleteWithDependents = true;
    iam.groups.add("developers");
    iam.createUser("alice", "/keysmith/", Map.of(UserTags.OWNER, OWNER), Optional.empty());
    iam.createUser("legacy", "/", Map.of(), Optional.empty());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  // --- unhappy paths first ---------------------------------------------------------------------

  @Test
  void plan_bySomeoneNeitherOwnerNorApprover_isRefused() {
    Refusal r = assertThrows(Refusal.class, () -> service.plan("alice", STRANGER));

    assertEquals(Reason.NOT_YOURS_TO_DELETE, r.reason());
  }

  @Test
  void plan_ofAUserWithoutOwnerTag_isRefusedEvenToAnApprover() {
    Refusal r = assertThrows(Refusal.class, () -> service.plan("legacy", APPROVER));

    assertEquals(Reason.NOT_MANAGED_USER, r.reason());
  }

  @Test
  void delete_ofAnUnknownUser_isRefusedAndStoresNothing() {
    Refusal r = assertThrows(Refusal.class, () -> service.delete("nobody", OWNER));

    assertEquals(Reason.NO_SUCH_IAM_USER, r.reason());
    assertTrue(store.findByState(OffboardState.PLANNED).isEmpty());
    assertTrue(notifier.calls.isEmpty());
  }

  @Test
  void delete_whenIamRefusesAStepForGood_failsTellsAndAuditsTheStep() {
    everything(iam.users.get("alice"));
    iam.failNext("DetachUserPolicy", "AccessDenied");

    Offboarding o = service.delete("alice", OWNER);

    assertEquals(OffboardState.FAILED, o.state());
    assertEquals(OffboardStep.ATTACHED_POLICIES, o.failedStep());
    assertEquals(o, store.find(o.id()).orElseThrow());
    assertEquals(List.of("started " + o.id(), "failed " + o.id()), notifier.calls);
    AuditEvent failed = events(o, AuditAction.OFFBOARD_FAILED).get(0);
    assertEquals("ATTACHED_POLICIES", failed.details().get("step"));
    assertEquals("AccessDenied", failed.details().get("errorCode"));
    assertTrue(jobs.pending(o.id()).isEmpty(), "nothing left to retry");
    assertTrue(iam.users.containsKey("alice"));
    assertTrue(iam.users.get("alice").keys.isEmpty(), "what went before stays removed");
  }

  @Test
  void delete_whileOneIsUnderWay_isRefusedNotDoubled() {
    iam.failNext("ListAccessKeys", "ServiceUnavailable");
    Offboarding first = service.delete("alice", OWNER);
    assertEquals(OffboardState.RUNNING, first.state());

    Refusal r = assertThrows(Refusal.class, () -> service.delete("alice", APPROVER));

    assertEquals(Reason.OFFBOARD_UNDER_WAY, r.reason());
    assertEquals(OWNER, r.arg("startedBy"));
    assertEquals(1, store.findByState(OffboardState.RUNNING).size());
  }

  @Test
  void delete_whenIamFailsTransiently_retriesFromTheJobWithBackoffAndFinishes() throws Exception {
    everything(iam.users.get("alice"));
    iam.failNext("ListGroupsForUser", "ServiceUnavailable");

    Offboarding held = service.delete("alice", OWNER);

    assertEquals(OffboardState.RUNNING, held.state());
    assertTrue(held.stepsDone().contains(OffboardStep.MFA_DEVICES));
    assertFalse(held.stepsDone().contains(OffboardStep.GROUPS));
    Job retry = jobs.pending(held.id()).get(0);
    assertEquals(OffboardService.JOB, retry.kind());
    assertEquals(clock.instant().plus(Duration.ofSeconds(5)), retry.dueAt());

    iam.calls.clear();
    clock.advance(Duration.ofSeconds(5));
    service.job().run(jobs.claimNext(clock.instant()).orElseThrow());

    Offboarding done = store.find(held.id()).orElseThrow();
    assertEquals(OffboardState.DONE, done.state());
    assertFalse(iam.users.containsKey("alice"));
    assertTrue(
        iam.calls.stream().noneMatch(c -> c.startsWith("ListAccessKeys")),
        "finished steps are not run again: " + iam.calls);
    assertEquals(List.of("started " + held.id(), "done " + held.id() + " false"), notifier.calls);
  }

  // --- what people do --------------------------------------------------------------------------

  @Test
  void plan_listsEverythingTheUserHas() {
    everything(iam.users.get("alice"));

    OffboardPlan p = service.plan("alice", OWNER);

    assertEquals(Optional.of(OWNER), p.owner());
    assertEquals(2, p.accessKeys().size());
    assertTrue(p.loginProfile());
    assertEquals(List.of("CERT1"), p.signingCertificates());
    assertEquals(List.of("APKA1"), p.sshPublicKeys());
    assertEquals(
        List.of(new ServiceCredential("ACCA1", "codecommit.amazonaws.com")),
        p.serviceCredentials());
    assertEquals(List.of(MFA), p.mfaDevices());
    assertEquals(List.of("developers"), p.groups());
    assertEquals(List.of(POLICY), p.attachedPolicies());
    assertEquals(List.of("inline"), p.inlinePolicies());
    assertFalse(iam.calls.stream().anyMatch(c -> c.startsWith("Delete")), "a plan changes nothing");
  }

  @Test
  void delete_byOwner_removesEverythingInTheOrderIamRequiresThenTheUser() {
    FakeUser alice = iam.users.get("alice");
    everything(alice);
    String key1 = alice.keys.get(0).id;
    assertEquals(List.of("alice"), directory.usersOwnedBy(OWNER));
    iam.calls.clear();

    Offboarding o = service.delete("alice", OWNER);

    assertEquals(OffboardState.DONE, o.state());
    assertEquals(OffboardCause.OWNER, o.cause());
    assertEquals(List.of(OffboardStep.values()), o.stepsDone());
    assertFalse(iam.users.containsKey("alice"));
    assertFalse(iam.virtualMfaDevices.contains(MFA));
    assertEquals(List.of(), directory.usersOwnedBy(OWNER));
    assertFalse(directory.userNameTaken("alice"));
    List<String> changes =
        iam.calls.stream()
            .filter(c -> !c.startsWith("List") && !c.startsWith("Get"))
            .map(c -> c.substring(0, c.indexOf(' ')))
            .toList();
    assertEquals(
        List.of(
            "DeleteAccessKey",
            "DeleteAccessKey",
            "DeleteLoginProfile",
            "DeleteSigningCertificate",
            "DeleteSSHPublicKey",
            "DeleteServiceSpecificCredential",
            "DeactivateMFADevice",
            "DeleteVirtualMFADevice",
            "RemoveUserFromGroup",
            "DetachUserPolicy",
            "DeleteUserPolicy",
            "DeleteUser"),
        changes);
    List<AuditEvent> removed = events(o, AuditAction.OFFBOARD_REMOVED);
    assertEquals(11, removed.size(), removed.toString());
    assertEquals(key1, removed.get(0).details().get("id"));
    assertEquals("USER", removed.get(10).details().get("step"));
    assertEquals(1, events(o, AuditAction.OFFBOARD_STARTED).size());
    assertEquals(1, events(o, AuditAction.OFFBOARD_DONE).size());
    assertEquals(List.of("started " + o.id(), "done " + o.id() + " true"), notifier.calls);
    assertTrue(jobs.pending(o.id()).isEmpty());
  }

  @Test
  void delete_byApprover_ofSomeoneElsesUser_isAnApproversOffboarding() {
    Offboarding o = service.delete("alice", APPROVER);

    assertEquals(OffboardState.DONE, o.state());
    assertEquals(OffboardCause.APPROVER, o.cause());
    assertEquals(OWNER, o.ownerId());
    assertEquals(APPROVER, o.startedBy());
  }

  @Test
  void job_ofAFinishedOffboarding_doesNothing() throws Exception {
    Offboarding o = service.delete("alice", OWNER);
    iam.calls.clear();

    service.job().run(new Job(1, OffboardService.JOB, o.id(), Map.of(), clock.instant(), 1));

    assertTrue(iam.calls.isEmpty(), iam.calls.toString());
  }

  @Test
  void teardown_ofAUserAlreadyGone_isFine() {
    new Teardown(iam)
        .removeAll(
            "nobody",
            (step, thing) -> {
              throw new AssertionError("nothing to remove, but " + step + " " + thing);
            });

    assertTrue(iam.calls.stream().noneMatch(c -> c.startsWith("Delete")), iam.calls.toString());
  }

  // --- helpers ---------------------------------------------------------------------------------

  private void everything(FakeUser u) {
    iam.createAccessKey(u.name);
    iam.createAccessKey(u.name);
    u.loginProfile = true;
    u.signingCertificates.add("CERT1");
    u.sshPublicKeys.add("APKA1");
    u.serviceCredentials.add(new ServiceCredential("ACCA1", "codecommit.amazonaws.com"));
    u.mfaDevices.add(MFA);
    iam.virtualMfaDevices.add(MFA);
    u.groups.add("developers");
    u.attachedPolicies.add(POLICY);
    u.inlinePolicies.add("inline");
  }

  private List<AuditEvent> events(Offboarding o, AuditAction action) {
    return audit.forRequest(o.id()).stream().filter(e -> e.action() == action).toList();
  }

  private static final class RecordingNotifier implements OffboardNotifier {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void started(Offboarding o) {
      calls.add("started " + o.id());
    }

    @Override
    public void done(Offboarding o, boolean starterTold) {
      calls.add("done " + o.id() + " " + starterTold);
    }

    @Override
    public void failed(Offboarding o) {
      calls.add("failed " + o.id());
    }
  }
}
