package dev.keysmith.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.core.Refusal;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.PasswordGenerator;
import dev.keysmith.jobs.Replica;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestPorts;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestWorkflow;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlLeases;
import dev.keysmith.store.SqlRequestStore;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class CredentialDeliveryTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final String OWNER = "U0OWNER";
  private static final Duration VISIBLE = Duration.ofMinutes(2);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final FakeIamGateway iam = new FakeIamGateway();
  private final List<String> shown = new ArrayList<>();
  private final List<String> wiped = new ArrayList<>();
  private final List<String> told = new ArrayList<>();
  private int failWipes;
  private @Nullable Runnable whileShowing;
  private Database db;
  private SqlRequestStore store;
  private CredentialDelivery delivery;
  private SecretReveal reveal;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dir);
    db = testDb.open();
    store = new SqlRequestStore(db);
    SecretChannel channel =
        new SecretChannel() {
          @Override
          public void offerReveal(String responseUrl, AccessRequest request) {}

          @Override
          public void show(String url, String subject, Credentials c, Instant wipeAt) {
            if (url.equals("broken")) {
              throw new IllegalStateException("slack said no");
            }
            Runnable hook = whileShowing;
            whileShowing = null;
            if (hook != null) {
              hook.run();
            }
            shown.add(url + " " + c.accessKeyId().orElse("") + " " + wipeAt);
          }

          @Override
          public void wipe(String url) {
            if (failWipes > 0) {
              failWipes--;
              throw new IllegalStateException("slack is down");
            }
            wiped.add(url);
          }

          @Override
          public void tell(String url, String text) {}
        };
    Notifier notifier =
        (Notifier)
            java.lang.reflect.Proxy.newProxyInstance(
                Notifier.class.getClassLoader(),
                new Class<?>[] {Notifier.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("undoRefused")) {
                    told.add("undoRefused " + ((AccessRequest) args[0]).id() + " " + args[1]);
                  }
                  return null;
                });
    SqlAuditTrail audit = new SqlAuditTrail(db);
    WorkflowContext workflow =
        new WorkflowContext(
            new Transitions(db, audit, new SqlJobStore(db, clock), clock),
            audit,
            clock,
            TestDatabase.leases(db, clock));
    reveal = new SecretReveal(new SqlWipeStore(db), channel, workflow, VISIBLE);
    delivery =
        new CredentialDelivery(
            new RequestPorts(
                store,
                new dev.keysmith.request.Policies(
                    java.util.List.of(),
                    new dev.keysmith.request.GroupPolicy.Audience(
                        java.util.Set.of("U0APPROVER"), java.util.Optional.empty()),
                    dev.keysmith.testing.NoUserGroups.INSTANCE),
                notifier),
            workflow,
            new CredentialMinter(
                iam,
                new IamDirectory(iam, List.of(), Runnable::run, Ticker.systemTicker()),
                new PasswordGenerator(new SecureRandom()),
                workflow),
            channel,
            reveal);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private AccessRequest offered(AccessType type) {
    iam.createUser("alice", "/keysmith/", Map.of(), Optional.empty());
    AccessRequest r =
        AccessRequest.pending(
                "KS-ABC123",
                new RequestForm("alice", "developers", type, OWNER, "reports"),
                "U0REQ",
                clock.instant())
            .withApprovalMessage("C0APPROVALS", "1.2");
    AccessRequest provisioned =
        RequestWorkflow.provisioned(
            RequestWorkflow.approve(r, "U0APPR", true, clock.instant()),
            Duration.ofDays(7),
            clock.instant());
    store.insert(provisioned);
    return provisioned;
  }

  @Test
  void reveal_whenLoginProfileFailsAfterTheKey_deletesTheKeyAndKeepsTheOffer() {
    offered(AccessType.BOTH);
    iam.failNext("CreateLoginProfile", "PasswordPolicyViolation");
    Refusal r = assertThrows(Refusal.class, () -> delivery.reveal("KS-ABC123", OWNER, "url-1"));
    assertEquals(Refusal.Reason.CREDENTIALS_NOT_MINTED, r.reason());
    assertTrue(r.arg("iamError").contains("PasswordPolicyViolation"), r.arg("iamError"));
    assertTrue(iam.users.get("alice").keys.isEmpty());
    assertFalse(iam.users.get("alice").loginProfile);
    assertEquals(RequestState.PROVISIONED, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(shown.isEmpty());
  }

  @Test
  void reveal_whenMintAndUndoFailOnAnOutage_refusesWithTheMintError_andAJobUndoesItLater()
      throws Exception {
    offered(AccessType.BOTH);
    iam.failNext("CreateLoginProfile", "ServiceFailure");
    iam.failNext("ListAccessKeys", "ServiceUnavailable");

    Refusal r = assertThrows(Refusal.class, () -> delivery.reveal("KS-ABC123", OWNER, "url-1"));

    assertEquals(Refusal.Reason.CREDENTIALS_NOT_MINTED, r.reason());
    assertTrue(r.arg("iamError").contains("CreateLoginProfile"), r.arg("iamError"));
    assertEquals(1, iam.users.get("alice").keys.size(), "IAM could not undo it yet");
    assertEquals(RequestState.REVEALING, store.find("KS-ABC123").orElseThrow().state());
    SqlJobStore jobs = new SqlJobStore(db, clock);
    dev.keysmith.jobs.Job undo = jobs.pending("KS-ABC123").get(0);
    assertEquals(CredentialDelivery.UNDO_REVEAL, undo.kind());
    assertEquals(clock.instant().plusSeconds(5), undo.dueAt());

    delivery.undoRevealJob().run(undo);

    assertTrue(iam.users.get("alice").keys.isEmpty());
    assertEquals(RequestState.PROVISIONED, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(jobs.pending("KS-ABC123").isEmpty());
  }

  @Test
  void undoJob_whenIamRefusesTheDeletion_tellsTheApproversOnceAndTriesEveryHour() throws Exception {
    offered(AccessType.PROGRAMMATIC);
    iam.failNext("ListAccessKeys", "ServiceUnavailable");
    assertThrows(Refusal.class, () -> delivery.reveal("KS-ABC123", OWNER, "broken"));
    SqlJobStore jobs = new SqlJobStore(db, clock);

    iam.failNext("ListAccessKeys", "AccessDenied");
    delivery.undoRevealJob().run(jobs.pending("KS-ABC123").get(0));
    iam.failNext("ListAccessKeys", "AccessDenied");
    delivery.undoRevealJob().run(jobs.pending("KS-ABC123").get(0));

    assertEquals(RequestState.REVEALING, store.find("KS-ABC123").orElseThrow().state());
    dev.keysmith.jobs.Job next = jobs.pending("KS-ABC123").get(0);
    assertEquals(clock.instant().plus(Duration.ofHours(1)), next.dueAt(), "not given up");
    assertEquals(List.of("undoRefused KS-ABC123 AccessDenied"), told, "told once");

    delivery.undoRevealJob().run(next);

    assertTrue(iam.users.get("alice").keys.isEmpty());
    assertEquals(RequestState.PROVISIONED, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(jobs.pending("KS-ABC123").isEmpty());
  }

  @Test
  void reveal_whenShowingFails_deletesWhatWasMinted() {
    offered(AccessType.BOTH);
    Refusal r = assertThrows(Refusal.class, () -> delivery.reveal("KS-ABC123", OWNER, "broken"));
    assertEquals(Refusal.Reason.CREDENTIALS_NOT_SHOWN, r.reason());
    assertTrue(iam.users.get("alice").keys.isEmpty());
    assertFalse(iam.users.get("alice").loginProfile);
    assertEquals(RequestState.PROVISIONED, store.find("KS-ABC123").orElseThrow().state());
  }

  @Test
  void recoverInterrupted_whileARevealIsUnderWay_leavesItAlone() {
    offered(AccessType.PROGRAMMATIC);
    // A sweep for the work of stopped replicas runs while this one shows the key.
    whileShowing = delivery::recoverInterrupted;

    delivery.reveal("KS-ABC123", OWNER, "url");

    assertEquals(1, iam.users.get("alice").keys.size(), "the key shown was not deleted");
    assertEquals(1, shown.size());
    assertEquals(RequestState.REVEALED, store.find("KS-ABC123").orElseThrow().state());
  }

  @Test
  void recoverInterrupted_aRevealWhoseReplicaStopped_isUndoneOnceItsLeaseRunsOut() {
    offered(AccessType.PROGRAMMATIC);
    // A reveal stops after minting; the lease it leaves is another replica's, which stopped.
    whileShowing =
        () -> {
          throw new Error("the replica stops here");
        };
    assertThrows(Error.class, () -> delivery.reveal("KS-ABC123", OWNER, "url"));
    SqlLeases stopped = new SqlLeases(db, clock, new Replica("stopped", Replica.LEASE_TERM));
    assertTrue(stopped.tryHold("reveal:KS-ABC123"));
    assertEquals(RequestState.REVEALING, store.find("KS-ABC123").orElseThrow().state());

    delivery.recoverInterrupted();
    assertEquals(1, iam.users.get("alice").keys.size(), "its lease still runs");

    clock.advance(Replica.LEASE_TERM.plusSeconds(1));
    delivery.recoverInterrupted();

    assertTrue(iam.users.get("alice").keys.isEmpty(), "the unseen key is deleted");
    assertEquals(RequestState.PROVISIONED, store.find("KS-ABC123").orElseThrow().state());
  }

  @Test
  void reveal_twiceConcurrently_mintsOnce() throws Exception {
    offered(AccessType.PROGRAMMATIC);
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(4);
    for (int i = 0; i < 4; i++) {
      String url = "url-" + i;
      Thread t =
          new Thread(
              () -> {
                try {
                  barrier.await();
                  delivery.reveal("KS-ABC123", OWNER, url);
                } catch (Refusal expected) {
                  // the losers of the race are refused
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(1, iam.users.get("alice").keys.size());
    assertEquals(1, shown.size());
    assertEquals(RequestState.REVEALED, store.find("KS-ABC123").orElseThrow().state());
  }

  @Test
  void wipeDue_wipesAtItsTimeOnly() {
    offered(AccessType.PROGRAMMATIC);
    delivery.reveal("KS-ABC123", OWNER, "url-1");
    clock.advance(VISIBLE.minusMillis(1));
    reveal.wipeDue();
    assertTrue(wiped.isEmpty());
    clock.advance(Duration.ofMillis(1));
    reveal.wipeDue();
    reveal.wipeDue();
    assertEquals(List.of("url-1"), wiped);
  }

  @Test
  void wipeDue_whenSlackFailsForAWhile_triesAgainUntilTheResponseUrlExpires() {
    offered(AccessType.PROGRAMMATIC);
    delivery.reveal("KS-ABC123", OWNER, "url-1");
    failWipes = 2;
    clock.advance(VISIBLE);
    reveal.wipeDue();
    reveal.wipeDue();
    assertTrue(wiped.isEmpty());
    reveal.wipeDue();
    assertEquals(List.of("url-1"), wiped);
  }

  @Test
  void wipeDue_failingPastTheResponseUrlLifetime_givesUp() {
    offered(AccessType.PROGRAMMATIC);
    delivery.reveal("KS-ABC123", OWNER, "url-1");
    failWipes = 1000;
    clock.advance(Duration.ofMinutes(30));
    reveal.wipeDue();
    failWipes = 0;
    reveal.wipeDue();
    assertTrue(wiped.isEmpty(), "dropped, not retried forever");
  }

  @Test
  void hide_bySomeoneElse_isRefusedAndWipesNothing() {
    offered(AccessType.PROGRAMMATIC);
    delivery.reveal("KS-ABC123", OWNER, "url-1");
    Refusal r = assertThrows(Refusal.class, () -> reveal.hide("KS-ABC123", "U0STRANGER", "url-1"));
    assertEquals(Refusal.Reason.NOT_SECRET_OWNER, r.reason());
    assertTrue(wiped.isEmpty());
  }
}
