package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.store.Database;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One replica killed (SIGKILL, its own JVM) in the middle of work, the other (in this JVM, its
 * clock in the test's hands) left: it leaves the work alone while the killed replica's lease could
 * still be renewed, then takes it up, once.
 */
class ReplicaKillIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;
  @TempDir Path childDir;
  KeysmithFixture k;
  ChildKeysmith child;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir, TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir));
    TestDatabase db = k.database;
    child =
        ChildKeysmith.start(
            childDir,
            k.slack.methodsUrl(),
            k.proxy.endpoint(),
            String.join(
                "\n",
                "approvers:",
                "  users: [" + APPROVER + "]",
                "approvalsChannel: " + APPROVALS,
                "groups: [developers, readonly]",
                "database:",
                "  url: " + db.server().url(),
                ""),
            Map.of(
                "KEYSMITH_DATABASE_USER",
                db.server().user(),
                "KEYSMITH_DATABASE_PASSWORD",
                db.server().password().orElse("")));
  }

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      child.close();
    }
    k.close();
  }

  @Test
  void killedAfterMintingARevealsKey_theOtherReplicaDeletesItOnceTheLeaseRunsOut()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.click(OWNER, "keysmith_get_credentials", id);
    k.proxy.unanswered("CreateAccessKey");
    clickOnChild(OWNER, "keysmith_reveal", id);
    k.proxy.awaitFault("CreateAccessKey unanswered", WAIT);
    assertEquals(1, keys("alice"), "IAM minted the key");
    assertEquals("REVEALING", k.requestState(id));

    child.kill();
    k.proxy.heal();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, keys("alice"), "the killed replica's lease may still be renewed");
    assertEquals("REVEALING", k.requestState(id));

    // The surviving replica's clock runs an hour behind the child's: past the child's lease.
    k.clock.advance(Duration.ofHours(1).plusMinutes(2));
    k.keysmith.housekeeping();
    k.idle();

    assertEquals(0, keys("alice"), "the unseen key is deleted");
    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(1, k.auditCount("delivery.undone"));
    k.click(OWNER, "keysmith_get_credentials", id);
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
    assertEquals("REVEALED", k.requestState(id));
    assertEquals(1, keys("alice"));
  }

  @Test
  void killedWhileProvisioning_theOtherReplicaFinishesItOnceTheLeaseRunsOut() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.proxy.unanswered("AddUserToGroup");
    clickOnChild(APPROVER, "keysmith_approve", id);
    k.proxy.awaitFault("AddUserToGroup unanswered", WAIT);
    assertTrue(k.userExists("alice"));

    child.kill();
    k.proxy.heal();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("APPROVED", k.requestState(id), "not taken while the lease may be renewed");

    k.clock.advance(Duration.ofHours(1).plusMinutes(2));
    k.keysmith.housekeeping();
    k.idle();
    k.keysmith.housekeeping(); // the job the resumed provisioning left, if any
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertEquals(
        java.util.List.of("developers"),
        k.iam.listGroupsForUser(g -> g.userName("alice")).groups().stream()
            .map(g -> g.groupName())
            .toList());
    assertEquals(1, succeeded("iam.CreateUser"), "the user was made once; the resume found it");
    assertEquals(1, succeeded("iam.AddUserToGroup"));
    assertEquals(1, k.auditCount("request.provisioned"));
  }

  private void clickOnChild(String user, String action, String id) throws Exception {
    var reply =
        child.send.blockAction(
            BlockAction.click(user, action, id)
                .onMessage(APPROVALS, "1700000000.000100")
                .withResponseUrl(k.slack.newResponseUrl()));
    assertEquals(200, reply.status(), reply.body());
  }

  /** How many {@code action} events say IAM did it (the others record a refusal). */
  private long succeeded(String action) {
    try (Database db = k.openDatabase()) {
      return db.withConnection(
          "count",
          c -> {
            try (var ps =
                c.prepareStatement(
                    "SELECT count(*) FROM audit WHERE action = ? AND details LIKE ?")) {
              ps.setString(1, action);
              ps.setString(2, "%\"result\":\"ok\"%");
              try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            }
          });
    }
  }

  private int keys(String user) {
    return k.iam.listAccessKeys(a -> a.userName(user)).accessKeyMetadata().size();
  }
}
