package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit trail as a hash chain: written linked, verified, and broken by editing a row. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class AuditChainTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123Z");

  @Parameter Database.Dialect dialect;
  @TempDir Path dataDir;
  private TestDatabase testDb;
  private Database db;
  private SqlAuditTrail trail;
  private SqlAuditChain chain;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    trail = new SqlAuditTrail(db);
    chain = new SqlAuditChain(db);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void verify_emptyTable_isIntactWithNothing() {
    SqlAuditChain.Verdict verdict = chain.verify();

    assertTrue(verdict.intact());
    assertEquals(0, verdict.events());
    assertNull(verdict.last());
  }

  @Test
  void verify_eventsInAndOutsideTransactions_isIntactAndLinked() {
    recordFive();

    SqlAuditChain.Verdict verdict = chain.verify();

    assertTrue(verdict.intact(), String.valueOf(verdict.broken()));
    assertEquals(5, verdict.events());
    List<SqlAuditChain.Row> rows = rows();
    assertEquals(5, rows.size());
    for (int i = 1; i < rows.size(); i++) {
      assertEquals(rows.get(i - 1).hash(), rows.get(i).prevHash(), "row " + i);
      assertTrue(rows.get(i - 1).id() < rows.get(i).id());
    }
    assertEquals(rows.get(4), verdict.last());
    assertEquals(64, rows.get(4).hash().length());
  }

  @Test
  void verify_editedDetails_reportsThatEvent() {
    recordFive();
    long edited = rows().get(2).id();
    dropTriggers();
    execute("UPDATE audit SET details = '{\"group\":\"admins\"}' WHERE id = " + edited);

    SqlAuditChain.Verdict verdict = chain.verify();

    assertFalse(verdict.intact());
    assertEquals(edited, verdict.broken().row().id());
    assertTrue(verdict.broken().reason().contains("edited"), verdict.broken().reason());
  }

  @Test
  void verify_editedRowWithItsHashRecomputed_reportsTheEventAfterIt() {
    recordFive();
    List<SqlAuditChain.Row> rows = rows();
    SqlAuditChain.Row row = rows.get(1);
    String forged =
        AuditChain.hash(
            row.id(),
            row.at().toEpochMilli(),
            row.requestId(),
            "U0MALLORY",
            row.action(),
            row.details(),
            row.prevHash());
    dropTriggers();
    execute("UPDATE audit SET actor = 'U0MALLORY', hash = '" + forged + "' WHERE id = " + row.id());

    SqlAuditChain.Verdict verdict = chain.verify();

    assertEquals(rows.get(2).id(), verdict.broken().row().id());
    assertTrue(verdict.broken().reason().contains("prev_hash"), verdict.broken().reason());
  }

  @Test
  void verify_deletedMiddleRow_reportsTheEventAfterTheGap() {
    recordFive();
    List<SqlAuditChain.Row> rows = rows();
    dropTriggers();
    execute("DELETE FROM audit WHERE id = " + rows.get(2).id());

    SqlAuditChain.Verdict verdict = chain.verify();

    assertEquals(rows.get(3).id(), verdict.broken().row().id());
    assertEquals(rows.get(3).action(), verdict.broken().row().action());
  }

  @Test
  void verify_rowInsertedWithoutHashInTheMiddle_isReported() {
    recordFive();
    List<SqlAuditChain.Row> rows = rows();
    dropTriggers();
    // Room for a row between the second and the third, as an attacker would make it.
    execute("DELETE FROM audit WHERE id = " + rows.get(2).id());
    execute(
        "INSERT INTO audit (id, at, request_id, actor, action, details)"
            + (dialect == Database.Dialect.POSTGRESQL ? " OVERRIDING SYSTEM VALUE" : "")
            + " VALUES ("
            + rows.get(2).id()
            + ", 1, NULL, 'keysmith', 'keys.linked', '{}')");

    SqlAuditChain.Verdict verdict = chain.verify();

    assertEquals(rows.get(3).id(), verdict.broken().row().id());
    assertTrue(verdict.broken().reason().contains("without a hash"), verdict.broken().reason());
  }

  @Test
  void record_afterRowsAnOlderReplicaWroteWithoutHash_coversThem() {
    recordFive();
    // A replica still on the schema before the chain, during a rolling deploy.
    execute(
        "INSERT INTO audit (at, request_id, actor, action, details)"
            + " VALUES (1, NULL, 'keysmith', 'keys.linked', '{}')");
    SqlAuditChain.Verdict before = chain.verify();
    assertTrue(before.intact(), String.valueOf(before.broken()));
    assertEquals(1, before.uncovered());

    trail.record(event("KS-CCCCCC", AuditAction.REQUEST_SUBMITTED));

    SqlAuditChain.Verdict verdict = chain.verify();
    assertTrue(verdict.intact(), String.valueOf(verdict.broken()));
    assertEquals(7, verdict.events());
    assertEquals(1, verdict.between());
    assertEquals(0, verdict.uncovered());
    assertEquals("KS-CCCCCC", verdict.head().requestId());

    dropTriggers();
    execute("UPDATE audit SET actor = 'U0MALLORY' WHERE hash IS NULL");
    assertEquals(verdict.head().id(), chain.verify().broken().row().id());
  }

  @Test
  void record_rolledBackTransaction_leavesTheChainWhole() {
    trail.record(event("KS-AAAAAA", AuditAction.REQUEST_SUBMITTED));
    try {
      db.atomically(
          "fails",
          () -> {
            trail.record(event("KS-AAAAAA", AuditAction.REQUEST_APPROVED));
            throw new IllegalStateException("the change could not be written");
          });
    } catch (IllegalStateException expected) {
      // the audit event goes with it
    }
    trail.record(event("KS-AAAAAA", AuditAction.REQUEST_CANCELLED));

    SqlAuditChain.Verdict verdict = chain.verify();

    assertTrue(verdict.intact(), String.valueOf(verdict.broken()));
    assertEquals(2, verdict.events());
  }

  @Test
  void forRequest_insideTheTransactionThatRecorded_seesTheEventBeforeItIsWritten() {
    int seen =
        db.atomically(
            "submit",
            () -> {
              trail.record(event("KS-AAAAAA", AuditAction.REQUEST_SUBMITTED));
              return trail.forRequest("KS-AAAAAA").size();
            });

    assertEquals(1, seen);
    assertEquals(1, trail.forRequest("KS-AAAAAA").size());
  }

  @Test
  void since_streamsRowsFromThatTimeOn() {
    recordFive();
    List<SqlAuditChain.Row> got = new ArrayList<>();

    long count = chain.since(T0.plusSeconds(3), got::add);

    assertEquals(2, count);
    assertEquals(
        List.of("request.denied", "keys.linked"), got.stream().map(r -> r.action()).toList());
  }

  @Test
  void concurrentAppends_fromTwoConnectionsOrReplicas_stayOneLinearChain() throws Exception {
    // On PostgreSQL a second replica with a pool of its own; SQLite has one writer, in-process.
    Database other = dialect == Database.Dialect.POSTGRESQL ? testDb.open() : db;
    try {
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (Database each : List.of(db, other, db, other)) {
        SqlAuditTrail writer = new SqlAuditTrail(each);
        Thread t =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < 25; i++) {
                      int n = i;
                      each.atomically(
                          "two events",
                          () -> {
                            writer.record(event("KS-" + n, AuditAction.REQUEST_SUBMITTED));
                            writer.record(event("KS-" + n, AuditAction.REQUEST_APPROVED));
                            return null;
                          });
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(List.of(), failures);
    } finally {
      if (other != db) {
        other.close();
      }
    }

    SqlAuditChain.Verdict verdict = chain.verify();

    assertTrue(verdict.intact(), String.valueOf(verdict.broken()));
    assertEquals(200, verdict.events());
  }

  private void recordFive() {
    trail.record(event("KS-AAAAAA", AuditAction.REQUEST_SUBMITTED, T0, Map.of("group", "devs")));
    db.atomically(
        "two at once",
        () -> {
          trail.record(
              event("KS-AAAAAA", AuditAction.REQUEST_APPROVED, T0.plusSeconds(1), Map.of()));
          trail.record(
              event("KS-AAAAAA", AuditAction.IAM_CREATE_USER, T0.plusSeconds(2), Map.of("a", "b")));
          return null;
        });
    trail.record(event("KS-BBBBBB", AuditAction.REQUEST_DENIED, T0.plusSeconds(3), Map.of()));
    trail.record(
        new AuditEvent(
            T0.plusSeconds(4), null, AuditEvent.SYSTEM, AuditAction.KEYS_LINKED, Map.of()));
  }

  private static AuditEvent event(String requestId, AuditAction action) {
    return event(requestId, action, T0, Map.of());
  }

  private static AuditEvent event(
      String requestId, AuditAction action, Instant at, Map<String, String> details) {
    return new AuditEvent(at, requestId, "U0ALICE01", action, details);
  }

  private List<SqlAuditChain.Row> rows() {
    List<SqlAuditChain.Row> rows = new ArrayList<>();
    chain.since(Instant.EPOCH, rows::add);
    rows.forEach(r -> assertNotNull(r.hash()));
    return rows;
  }

  private void dropTriggers() {
    if (dialect == Database.Dialect.POSTGRESQL) {
      execute("DROP TRIGGER audit_no_update_or_delete ON audit");
    } else {
      execute("DROP TRIGGER audit_no_update");
      execute("DROP TRIGGER audit_no_delete");
    }
  }

  private void execute(String sql) {
    db.withConnection(
        "test statement",
        c -> {
          try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
          }
        });
  }
}
