package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Broadcast;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas on one PostgreSQL database hear each other's changes through LISTEN/NOTIFY. */
class PgBroadcastTest {
  @TempDir Path dataDir;
  private Database one;
  private Database two;
  private PgBroadcast a;
  private PgBroadcast b;
  private final BlockingQueue<String> heardByA = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> heardByB = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    TestDatabase postgres = TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir);
    one = postgres.open();
    two = postgres.open();
    a = new PgBroadcast(one, "replica-a");
    b = new PgBroadcast(two, "replica-b");
    a.subscribe("users", into(heardByA, ""));
    b.subscribe("users", into(heardByB, ""));
    b.subscribe("other", into(heardByB, "other: "));
    a.start();
    b.start();
    awaitHearing();
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
    two.close();
    one.close();
  }

  private static Broadcast.Listener into(BlockingQueue<String> heard, String topicLabel) {
    return new Broadcast.Listener() {
      @Override
      public void heard(String message) {
        heard.add(topicLabel + message);
      }

      @Override
      public void mayHaveMissed() {
        heard.add(topicLabel + "(may have missed)");
      }
    };
  }

  @Test
  void publish_reachesTheOtherReplica_onItsTopic_andNotTheSender() throws Exception {
    a.publish("users", "created alice U1");
    a.publish("other", "something else");

    assertEquals("created alice U1", heardByB.poll(10, TimeUnit.SECONDS));
    assertEquals("other: something else", heardByB.poll(10, TimeUnit.SECONDS));
    b.publish("users", "deleted alice");
    assertEquals("deleted alice", heardByA.poll(10, TimeUnit.SECONDS));
    assertNull(heardByA.poll(200, TimeUnit.MILLISECONDS), "a replica never hears itself");
  }

  @Test
  void publish_insideATransactionThatRollsBack_isNeverHeard() throws Exception {
    assertThrows(
        StoreException.class,
        () ->
            one.inTransaction(
                "a change that fails",
                c -> {
                  a.publish("users", "created ghost U1");
                  throw new SQLException("the change failed");
                }));
    a.publish("users", "created alice U1");

    assertEquals("created alice U1", heardByB.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void aDroppedListeningConnection_isMadeAgain_andItsListenersReload() throws Exception {
    assertEquals(1, terminateListener("replica-b"));

    // Listening again before it is told: nothing sent from here on is missed.
    assertEquals(
        Set.of("(may have missed)", "other: (may have missed)"),
        Set.of(heardByB.poll(30, TimeUnit.SECONDS), heardByB.poll(1, TimeUnit.SECONDS)),
        "every topic's listeners reload");
    a.publish("users", "created bob U2");
    assertEquals("created bob U2", heardByB.poll(10, TimeUnit.SECONDS));
  }

  /** Ends the listening connection of {@code replica}, as a failover or a network fault would. */
  private int terminateListener(String replica) {
    return one.withConnection(
        "terminate a listener",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE application_name = ?")) {
            ps.setString(1, "keysmith-listen " + replica);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  /** Waits until each replica hears the other, then forgets what that took. */
  private void awaitHearing() throws InterruptedException {
    awaitHeard(a, heardByB);
    awaitHeard(b, heardByA);
  }

  private static void awaitHeard(PgBroadcast from, BlockingQueue<String> heard)
      throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int n = 0; heard.poll(100, TimeUnit.MILLISECONDS) == null; n++) {
      assertTrue(System.nanoTime() < giveUp, "not heard after 30 s");
      from.publish("users", "ping " + n);
    }
    // Notices arrive in the order they were sent: every ping comes before this.
    from.publish("users", "ready");
    String next;
    do {
      next = heard.poll(10, TimeUnit.SECONDS);
    } while (next != null && !next.equals("ready"));
    assertEquals("ready", next);
  }
}
