package dev.keysmith.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.Refusal;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.delivery.SecretChannel;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.KeyStatus;
import dev.keysmith.iam.UserTags;
import dev.keysmith.jobs.Job;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.RequestIds;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlRotationStore;
import dev.keysmith.store.SqlWipeStore;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class KeyRotationTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final String OWNER = "U0OWNER";
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final FakeIamGateway iam = new FakeIamGateway(clock);
  private Database db;
  private SqlRotationStore rotations;
  private SqlJobStore jobs;
  private KeyRotation rotation;
  private RotationJobs rotationJobs;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dir);
    db = testDb.open();
    rotations = new SqlRotationStore(db);
    SqlAuditTrail audit = new SqlAuditTrail(db);
    SecretChannel channel =
        new SecretChannel() {
          @Override
          public void offerReveal(String responseUrl, AccessRequest request) {}

          @Override
          public void show(String url, String subject, Credentials c, Instant wipeAt) {}

          @Override
          public void wipe(String url) {}

          @Override
          public void tell(String url, String text) {}
        };
    IamDirectory directory = new IamDirectory(iam, List.of(), Runnable::run, Ticker.systemTicker());
    KeyNotifier notifier =
        (KeyNotifier)
            java.lang.reflect.Proxy.newProxyInstance(
                KeyNotifier.class.getClassLoader(),
                new Class<?>[] {KeyNotifier.class},
                (proxy, method, args) -> null);
    jobs = new SqlJobStore(db, clock);
    WorkflowContext workflow =
        new WorkflowContext(
            new Transitions(db, audit, jobs, clock),
            audit,
            clock,
            dev.keysmith.testing.TestDatabase.leases(db, clock));
    RotationContext context =
        new RotationContext(
            iam,
            new Ownership(iam, directory, id -> false),
            rotations,
            notifier,
            KeysmithConfig.KeyCare.defaults(),
            workflow);
    RequestIds ids = new RequestIds("RT-", new SecureRandom());
    rotationJobs = new RotationJobs(context, jobs);
    rotation =
        new KeyRotation(
            context,
            new RotationApproval(context, id -> false, ids),
            rotationJobs,
            new SecretReveal(new SqlWipeStore(db), channel, workflow, Duration.ofMinutes(2)),
            ids);
    iam.createUser("alice", "/", Map.of(UserTags.OWNER, OWNER), Optional.empty());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void rotate_secondClickWhileTheFirstIsMinting_isRefusedAndMintsNothing() throws Exception {
    String old = iam.createAccessKey("alice").accessKeyId();
    CountDownLatch firstMinting = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    iam.onNextCreateAccessKey(
        () -> {
          firstMinting.countDown();
          awaitQuietly(secondDone);
        });
    CompletableFuture<Rotation> first =
        CompletableFuture.supplyAsync(() -> rotation.rotate(OWNER, "alice", old, false, "url-1"));
    assertTrue(firstMinting.await(10, TimeUnit.SECONDS));

    Refusal second =
        assertThrows(Refusal.class, () -> rotation.rotate(OWNER, "alice", old, false, "url-2"));
    secondDone.countDown();

    assertEquals(Refusal.Reason.USER_ROTATION_UNDER_WAY, second.reason());
    assertEquals(RotationState.GRACE, first.get(10, TimeUnit.SECONDS).state());
    assertEquals(2, iam.listAccessKeys("alice").size());
    assertTrue(rotations.findByState(RotationState.MINTING).isEmpty());
  }

  @Test
  void rotate_whenIamRefusesTheNewKey_leavesNoRotationMinting() {
    String old = iam.createAccessKey("alice").accessKeyId();
    iam.failNext("CreateAccessKey", "Throttling");
    Refusal refusal =
        assertThrows(Refusal.class, () -> rotation.rotate(OWNER, "alice", old, false, "url-1"));
    assertEquals(Refusal.Reason.NEW_KEY_NOT_MINTED, refusal.reason());
    assertTrue(refusal.arg("iamError").contains("Throttling"), refusal.arg("iamError"));
    assertTrue(rotations.findByState(RotationState.MINTING).isEmpty());
    assertEquals(1, iam.listAccessKeys("alice").size());
  }

  @Test
  void recoverInterrupted_rotationInItsGracePeriodWithoutItsJob_getsItsDeactivationBack() {
    String old = iam.createAccessKey("alice").accessKeyId();
    Rotation shown = rotation.rotate(OWNER, "alice", old, false, "url-1");
    // As if Keysmith stopped between writing GRACE and scheduling the job.
    jobs.cancel(RotationJobs.DEACTIVATE_OLD, shown.id());

    rotationJobs.recoverInterrupted();

    List<Job> pending = jobs.pending(shown.id());
    assertEquals(1, pending.size(), pending.toString());
    assertEquals(RotationJobs.DEACTIVATE_OLD, pending.get(0).kind());
    assertEquals(
        shown.revealedAt().plus(KeysmithConfig.KeyCare.defaults().rotationGracePeriod()),
        pending.get(0).dueAt());
    rotationJobs.recoverInterrupted();
    assertEquals(1, jobs.pending(shown.id()).size(), "recovering twice schedules once");
  }

  @Test
  void recoverInterrupted_oldKeyMarkedDeactivatedButStillActive_isDeactivatedAndItsDeletionDue() {
    String old = iam.createAccessKey("alice").accessKeyId();
    Rotation shown = rotation.rotate(OWNER, "alice", old, false, "url-1");
    // As if Keysmith stopped right after "deactivate now" wrote its state, before IAM was called.
    jobs.cancel(RotationJobs.DEACTIVATE_OLD, shown.id());
    assertTrue(
        rotations.compareAndSet(
            RotationState.GRACE, shown.moved(RotationState.OLD_DEACTIVATED, clock.instant())));

    rotationJobs.recoverInterrupted();

    assertEquals(clock.instant(), rotations.find(shown.id()).orElseThrow().deactivatedAt());
    assertEquals(
        KeyStatus.INACTIVE,
        iam.listAccessKeys("alice").stream()
            .filter(k -> k.accessKeyId().equals(old))
            .findFirst()
            .orElseThrow()
            .status());
    assertEquals(
        List.of(RotationJobs.DELETE_OLD),
        jobs.pending(shown.id()).stream().map(Job::kind).toList());
  }

  @Test
  void recoverInterrupted_deactivatedOldKeyItsOwnerReactivated_isKeptAndItsDeletionJobDecides() {
    String old = iam.createAccessKey("alice").accessKeyId();
    Rotation shown = rotation.rotate(OWNER, "alice", old, false, "url-1");
    rotationJobs.deactivateOldNow(shown.id(), OWNER);
    Instant deactivatedAt = clock.instant();
    assertEquals(
        deactivatedAt,
        rotations.find(shown.id()).orElseThrow().deactivatedAt(),
        "the rotation itself says when its old key was deactivated");
    // As if the deletion job had been lost, and the owner then turned the old key back on.
    jobs.cancel(RotationJobs.DELETE_OLD, shown.id());
    iam.setAccessKeyStatus("alice", old, /* active= */ true);
    clock.advance(Duration.ofHours(3)); // Keysmith comes back later

    rotationJobs.recoverInterrupted();

    assertEquals(
        KeyStatus.ACTIVE,
        iam.listAccessKeys("alice").stream()
            .filter(k -> k.accessKeyId().equals(old))
            .findFirst()
            .orElseThrow()
            .status(),
        "a key its owner reactivated is not turned off again");
    List<Job> pending = jobs.pending(shown.id());
    assertEquals(List.of(RotationJobs.DELETE_OLD), pending.stream().map(Job::kind).toList());
    assertEquals(
        deactivatedAt.plus(KeysmithConfig.KeyCare.defaults().deleteAfterDeactivation()),
        pending.get(0).dueAt(),
        "due from the deactivation, not from the restart");
  }

  @Test
  void recoverInterrupted_whenIamRefusesTheDeactivation_failsSoItIsTriedAgain_thenFinishes() {
    String old = iam.createAccessKey("alice").accessKeyId();
    Rotation shown = rotation.rotate(OWNER, "alice", old, false, "url-1");
    jobs.cancel(RotationJobs.DEACTIVATE_OLD, shown.id());
    assertTrue(
        rotations.compareAndSet(
            RotationState.GRACE, shown.moved(RotationState.OLD_DEACTIVATED, clock.instant())));
    Instant startedAt = clock.instant();
    iam.failNext("UpdateAccessKey", "ServiceFailure");

    assertThrows(IamException.class, () -> rotationJobs.recoverInterrupted(startedAt));
    assertTrue(jobs.pending(shown.id()).isEmpty(), "nothing half-done");

    clock.advance(Duration.ofMinutes(1));
    rotationJobs.recoverInterrupted(startedAt); // as jobs.Recovery runs it again

    assertEquals(
        List.of(RotationJobs.DELETE_OLD),
        jobs.pending(shown.id()).stream().map(Job::kind).toList());
  }

  @Test
  void recoverInterrupted_runAgainLater_leavesARotationChangedSinceTheStartAlone() {
    String old = iam.createAccessKey("alice").accessKeyId();
    Instant startedAt = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    Rotation shown = rotation.rotate(OWNER, "alice", old, false, "url-1");
    // Live, between "deactivate now" writing its state and IAM being called.
    jobs.cancel(RotationJobs.DEACTIVATE_OLD, shown.id());
    assertTrue(
        rotations.compareAndSet(
            RotationState.GRACE, shown.moved(RotationState.OLD_DEACTIVATED, clock.instant())));

    rotationJobs.recoverInterrupted(startedAt);

    assertEquals(KeyStatus.ACTIVE, statusOf(old), "the live step is the one to deactivate it");
    assertTrue(jobs.pending(shown.id()).isEmpty());
  }

  private KeyStatus statusOf(String keyId) {
    return iam.listAccessKeys("alice").stream()
        .filter(k -> k.accessKeyId().equals(keyId))
        .findFirst()
        .orElseThrow()
        .status();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
