package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keysmith.jobs.Job;
import dev.keysmith.jobs.Replica;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * A database left at schema 16, before daily runs were kept once across replicas: migrating it
 * joins the daily runs already waiting into one chain each, and leaves other jobs alone.
 */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class OnceJobsMigrationTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

  @Parameter Database.Dialect dialect;
  @TempDir Path dataDir;

  @Test
  void migration17_keepsTheFirstWaitingDailyRunOfEachKind_andCancelsTheRest() throws Exception {
    TestDatabase testDb = TestDatabase.of(dialect, dataDir);
    migrateTo16(testDb);
    try (Connection c = connect(testDb)) {
      // Two replicas of a Keysmith at 16 each scheduled the daily reminders; one leaver check
      // waits, one ran before; a rotation job waits too.
      insertJob(c, "reminders.daily", "all", "PENDING", 1_000);
      insertJob(c, "reminders.daily", "all", "PENDING", 2_000);
      insertJob(c, "people.leavers", "all", "DONE", 500);
      insertJob(c, "people.leavers", "all", "PENDING", 3_000);
      insertJob(c, "rotation.deactivate-old-key", "AKIA1", "PENDING", 1_000);
      insertJob(c, "rotation.deactivate-old-key", "AKIA1", "PENDING", 1_500);
      if (dialect == Database.Dialect.SQLITE) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA user_version = 16");
        }
      }
    }

    try (Database db = testDb.open()) {
      assertEquals(
          List.of(
              "reminders.daily PENDING 1000 reminders.daily all",
              "reminders.daily CANCELLED 2000 null",
              "people.leavers DONE 500 null",
              "people.leavers PENDING 3000 people.leavers all",
              "rotation.deactivate-old-key PENDING 1000 null",
              "rotation.deactivate-old-key PENDING 1500 null"),
          jobs(db));
      SqlJobStore store =
          new SqlJobStore(db, new MutableClock(T0), new Replica("replica-a", Replica.LEASE_TERM));
      assertFalse(
          store.scheduleOnce("reminders.daily", "all", Map.of(), T0),
          "the chain carried over holds the daily run");
      List<Job> waiting = store.pending("all");
      assertEquals(2, waiting.size(), waiting.toString());
    }
  }

  /** The schema as a Keysmith at version 16 left it. */
  private void migrateTo16(TestDatabase testDb) {
    var configure =
        Flyway.configure(Database.class.getClassLoader())
            .locations("classpath:db/migration/" + dialect.name().toLowerCase(Locale.ROOT))
            .table(Database.HISTORY)
            .target("16");
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

  private static void insertJob(Connection c, String kind, String subject, String state, long due)
      throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO jobs (kind, subject, data, due_at, state, created_at, updated_at)"
                + " VALUES (?, ?, '{}', ?, ?, 0, 0)")) {
      ps.setString(1, kind);
      ps.setString(2, subject);
      ps.setLong(3, due);
      ps.setString(4, state);
      ps.executeUpdate();
    }
  }

  private static List<String> jobs(Database db) {
    return db.withConnection(
        "read jobs",
        c -> {
          List<String> rows = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT kind, state, due_at, once_key FROM jobs ORDER BY id")) {
            while (rs.next()) {
              rows.add(
                  rs.getString(1)
                      + " "
                      + rs.getString(2)
                      + " "
                      + rs.getLong(3)
                      + " "
                      + rs.getString(4));
            }
          }
          return rows;
        });
  }
}
