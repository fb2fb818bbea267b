package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A database left at schema 18, whose audit rows carry no hash: the first event after the migration
 * anchors them, so a later edit of one of them shows.
 */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class AuditChainMigrationTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

  @Parameter Database.Dialect dialect;
  @TempDir Path dataDir;

  @Test
  void migration19_legacyRows_areAnchoredByTheFirstChainedEvent() throws Exception {
    TestDatabase testDb = TestDatabase.of(dialect, dataDir);
    migrateTo18(testDb);
    try (Connection c = connect(testDb)) {
      insertLegacy(c, "KS-OLD001", "request.submitted", "{\"group\":\"devs\"}");
      insertLegacy(c, "KS-OLD001", "request.approved", "{}");
      insertLegacy(c, null, "keys.linked", "{}");
      if (dialect == Database.Dialect.SQLITE) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA user_version = 18");
        }
      }
    }

    try (Database db = testDb.open()) {
      SqlAuditChain chain = new SqlAuditChain(db);
      assertTrue(chain.verify().intact(), "rows before the chain, not yet anchored");
      new SqlAuditTrail(db)
          .record(
              new AuditEvent(
                  T0, "KS-NEW001", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));

      SqlAuditChain.Verdict verdict = chain.verify();
      assertTrue(verdict.intact(), String.valueOf(verdict.broken()));
      assertEquals(4, verdict.events());
      assertEquals(3, verdict.unchained());
      List<SqlAuditChain.Row> rows = new ArrayList<>();
      chain.since(Instant.EPOCH, rows::add);
      assertEquals("KS-NEW001", rows.get(3).requestId());

      db.withConnection(
          "tamper with a row from before the chain",
          c -> {
            try (Statement s = c.createStatement()) {
              s.execute(
                  dialect == Database.Dialect.POSTGRESQL
                      ? "DROP TRIGGER audit_no_update_or_delete ON audit"
                      : "DROP TRIGGER audit_no_update");
              return s.executeUpdate(
                  "UPDATE audit SET actor = 'U0MALLORY' WHERE id = " + rows.get(1).id());
            }
          });
      SqlAuditChain.Verdict tampered = chain.verify();
      assertEquals(rows.get(3).id(), tampered.broken().row().id());
      assertTrue(
          tampered.broken().reason().contains("3 events before the chain began"),
          tampered.broken().reason());
    }
  }

  /** The schema as a Keysmith at version 18 left it. */
  private void migrateTo18(TestDatabase testDb) {
    var configure =
        Flyway.configure(Database.class.getClassLoader())
            .locations("classpath:db/migration/" + dialect.name().toLowerCase(Locale.ROOT))
            .table(Database.HISTORY)
            .target("18");
    if (dialect == Database.Dialect.POSTGRESQL) {
      Database.Server server = testDb.server();
      configure.dataSource(server.url(), server.user(), server.password().orElseThrow());
    } else {
      configure.dataSource("jdbc:sqlite:" + dataDir.resolve(Database.FILE_NAME), null, null);
    }
    configure.load().migrate();
  }

  private Connection connect(TestDatabase testDb) throws Exception {
    if (dialect == Database.Dialect.POSTGRESQL) {
      Database.Server server = testDb.server();
      return DriverManager.getConnection(
          server.url(), server.user(), server.password().orElseThrow());
    }
    return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Database.FILE_NAME));
  }

  private static void insertLegacy(
      Connection c,
      @org.jspecify.annotations.Nullable String requestId,
      String action,
      String details)
      throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO audit (at, request_id, actor, action, details) VALUES (?, ?, ?, ?, ?)")) {
      ps.setLong(1, T0.minusSeconds(60).toEpochMilli());
      ps.setString(2, requestId);
      ps.setString(3, "U0ALICE01");
      ps.setString(4, action);
      ps.setString(5, details);
      ps.executeUpdate();
    }
  }
}
