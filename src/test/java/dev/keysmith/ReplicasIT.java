package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.jobs.Replica;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlLeases;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Keysmith replicas on one PostgreSQL database, with one Slack and one IAM: Slack's requests
 * land on either, and what one does the other neither repeats nor undoes.
 */
class ReplicasIT {
  @TempDir Path dataDir;
  KeysmithFixture k;
  KeysmithFixture.Replica second;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir, TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir));
    second = k.startReplica();
  }

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void everyClickOnTheOtherReplica_createsTheUserOnce_andShowsItsKeyOnce() throws Exception {
    k.via(null);
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.via(second);
    k.click(APPROVER, "keysmith_approve", id);
    k.via(null);
    k.click(OWNER, "keysmith_get_credentials", id);
    k.via(second);
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    k.via(null);
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl()); // a second try

    assertTrue(k.userExists("alice"));
    assertEquals(1, k.iam.listAccessKeys(r -> r.userName("alice")).accessKeyMetadata().size());
    assertEquals("REVEALED", k.requestState(id));
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(1, k.auditCount("request.provisioned"));
    assertEquals(1, k.auditCount("iam.CreateAccessKey"));
    long shown =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.raw().contains("Credentials for"))
            .count();
    assertEquals(1, shown, "the key is shown once");
    assertEquals(
        1,
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .count(),
        "one approvals message, edited since");
    assertEquals(List.of(), undelivered());
  }

  @Test
  void twoApproversClickingAtOnceOnDifferentReplicas_provisionOnce() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");

    List<Integer> statuses =
        atOnce(
            List.of(
                () -> clickOn(k.send, APPROVER, "keysmith_approve", id),
                () -> clickOn(second.send, APPROVER_2, "keysmith_approve", id)));
    k.idle();

    assertEquals(List.of(200, 200), statuses);
    assertTrue(k.userExists("alice"));
    assertEquals(1, k.auditCount("request.approved"));
    assertEquals(1, k.auditCount("iam.CreateUser"));
    assertEquals(1, k.auditCount("request.provisioned"));
    assertEquals("PROVISIONED", k.requestState(id));
  }

  @Test
  void theOwnerRevealingOnBothReplicasAtOnce_mintsOneKey() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.click(OWNER, "keysmith_get_credentials", id);

    List<Integer> statuses =
        atOnce(
            List.of(
                () -> revealOn(k.send, id),
                () -> revealOn(second.send, id),
                () -> revealOn(k.send, id),
                () -> revealOn(second.send, id)));
    assertEquals(List.of(200, 200, 200, 200), statuses);
    k.idle();

    assertEquals(1, k.iam.listAccessKeys(r -> r.userName("alice")).accessKeyMetadata().size());
    assertEquals(1, k.auditCount("iam.CreateAccessKey"));
    assertEquals("REVEALED", k.requestState(id));
    long shown =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.raw().contains("Credentials for"))
            .count();
    assertEquals(1, shown);
  }

  @Test
  void aUserCreatedOnOneReplica_isListedOnTheOtherWithinSeconds() throws Exception {
    k.via(second);
    String before = k.command(OWNER, "keys"); // the second replica now caches who owns what
    assertFalse(before.contains("alice"), before);
    k.via(null);
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    assertEquals("PROVISIONED", k.requestState(id));
    String key = k.iam.createAccessKey(a -> a.userName("alice")).accessKey().accessKeyId();

    // Its cache of owners reloads every 15 minutes; the first replica tells it at once.
    k.via(second);
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String after = k.command(OWNER, "keys");
    while (!after.contains(key) && System.nanoTime() < giveUp) {
      after = k.command(OWNER, "keys");
    }
    assertTrue(after.contains(key), after);
  }

  @Test
  void rotateAndDeactivateClicksOnBothReplicasAtOnce_mintOneKey_andDeactivateOnce()
      throws Exception {
    String old = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    String value = "alice|" + old + "|rotate";

    List<Integer> rotations =
        atOnce(
            List.of(
                () -> ephemeralClickOn(k.send, OWNER, "keysmith_rotate", value),
                () -> ephemeralClickOn(second.send, OWNER, "keysmith_rotate", value),
                () -> ephemeralClickOn(k.send, OWNER, "keysmith_rotate", value),
                () -> ephemeralClickOn(second.send, OWNER, "keysmith_rotate", value)));
    k.idle();

    assertEquals(List.of(200, 200, 200, 200), rotations);
    assertEquals(2, k.iam.listAccessKeys(r -> r.userName("alice")).accessKeyMetadata().size());
    assertEquals(1, k.auditCount("iam.CreateAccessKey"));
    assertEquals(1, k.auditCount("keys.rotated"));

    List<Integer> deactivations =
        atOnce(
            List.of(
                () -> clickOn(k.send, OWNER, "keysmith_deactivate_key", old),
                () -> clickOn(second.send, APPROVER, "keysmith_deactivate_key", old),
                () -> clickOn(second.send, OWNER, "keysmith_deactivate_key", old)));
    k.idle();

    assertEquals(List.of(200, 200, 200), deactivations);
    assertEquals("Inactive", k.status("alice", old));
    assertEquals(1, k.auditCount("keys.deactivated"), "one deactivation, audited once");
  }

  private int ephemeralClickOn(SlackRequests send, String user, String action, String value)
      throws Exception {
    return send.blockAction(
            BlockAction.click(user, action, value)
                .onEphemeral()
                .withResponseUrl(k.slack.newResponseUrl()))
        .status();
  }

  @Test
  void theProvisioningJob_whileAnotherReplicaHoldsTheWork_comesBackLater_andFinishesOnceFree()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    try (Database db = k.openDatabase()) {
      // A third replica is provisioning this request (it holds the work) when the approval lands.
      SqlLeases elsewhere =
          new SqlLeases(db, k.clock, new Replica("replica-elsewhere", Replica.LEASE_TERM));
      assertTrue(elsewhere.tryHold("provision:" + id));
      k.click(APPROVER, "keysmith_approve", id);
      assertEquals("APPROVED", k.requestState(id), "left to the replica that holds it");

      // The stored job falls due on both replicas while the holder still renews its lease.
      k.clock.advance(Duration.ofSeconds(61));
      elsewhere.renewAll();
      k.keysmith.housekeeping();
      second.keysmith.housekeeping();
      k.idle();
      assertEquals("APPROVED", k.requestState(id));
      assertFalse(k.userExists("alice"));

      // The holder stops; the job comes back and finds the work free.
      k.clock.advance(Replica.LEASE_TERM.plusSeconds(1));
      second.keysmith.housekeeping();
      k.idle();
      k.keysmith.housekeeping();
      k.idle();
    }

    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(1, k.auditCount("iam.CreateUser"));
    assertTrue(
        k.slack.calls("chat.update").stream()
            .noneMatch(c -> c.param("blocks").contains("restarted")),
        "a live replica's work is not reported as a restart");
  }

  private int clickOn(SlackRequests send, String user, String action, String id) throws Exception {
    return send.blockAction(
            BlockAction.click(user, action, id)
                .onMessage(APPROVALS, "1700000000.000100")
                .withResponseUrl(k.slack.newResponseUrl()))
        .status();
  }

  private int revealOn(SlackRequests send, String id) throws Exception {
    return send.blockAction(
            BlockAction.click(OWNER, "keysmith_reveal", id)
                .onEphemeral()
                .withResponseUrl(k.slack.newResponseUrl()))
        .status();
  }

  /** Runs every click from a thread of its own, all released together; their HTTP statuses. */
  private static List<Integer> atOnce(List<java.util.concurrent.Callable<Integer>> clicks)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(clicks.size());
    ExecutorService pool = Executors.newFixedThreadPool(clicks.size());
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (var click : clicks) {
        results.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return click.call();
                }));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : results) {
        statuses.add(f.get(30, TimeUnit.SECONDS));
      }
      return statuses;
    } finally {
      pool.shutdownNow();
    }
  }

  private List<String> undelivered() {
    try (Database db = k.openDatabase()) {
      return db.withConnection(
          "undelivered",
          c -> {
            List<String> rows = new ArrayList<>();
            try (var ps =
                    c.prepareStatement(
                        "SELECT purpose || ' ' || state FROM outbox WHERE state <> 'SENT'");
                var rs = ps.executeQuery()) {
              while (rs.next()) {
                rows.add(rs.getString(1));
              }
            }
            return rows;
          });
    }
  }
}
