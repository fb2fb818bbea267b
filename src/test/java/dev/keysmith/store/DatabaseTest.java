package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path tmp;

  @Test
  void open_migratedByANewerKeysmith_isRefused() {
    int newer = SqliteMigrations.latestVersion() + 1;
    try (Database db = Database.open(tmp)) {
      db.withConnection(
          "record a newer migration",
          c -> {
            try (Statement s = c.createStatement()) {
              return s.execute(
                  "INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
                      + " script, checksum, installed_by, execution_time, success) VALUES (999, '"
                      + newer
                      + "', 'from the future', 'SQL', 'V"
                      + newer
                      + "__from_the_future.sql', 0, 'test', 0, 1)");
            }
          });
    }

    StoreException e = assertThrows(StoreException.class, () -> Database.open(tmp));

    assertTrue(e.getMessage().contains("newer Keysmith"), e.getMessage());
    assertTrue(e.getMessage().contains("schema version " + newer), e.getMessage());
  }

  @Test
  void open_preFlywayDatabaseOfANewerVersion_isRefused() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(Database.FILE_NAME));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE requests (id TEXT PRIMARY KEY)");
      s.execute("PRAGMA user_version = " + (Database.LEGACY_VERSION + 1));
    }

    StoreException e = assertThrows(StoreException.class, () -> Database.open(tmp));

    assertTrue(e.getMessage().contains("newer Keysmith"), e.getMessage());
  }

  @Test
  void withConnection_sqlError_namesOperationNotValues() {
    try (Database db = Database.open(tmp)) {
      StoreException e =
          assertThrows(
              StoreException.class,
              () ->
                  db.withConnection(
                      "count widgets",
                      c -> {
                        try (Statement s = c.createStatement()) {
                          return s.executeQuery("SELECT * FROM widgets WHERE x = 'secret-value'");
                        }
                      }));

      assertTrue(e.getMessage().startsWith("count widgets failed"), e.getMessage());
      assertTrue(!e.getMessage().contains("secret-value"), e.getMessage());
    }
  }

  @Test
  void atomically_keepsAllWritesOrNone_andNestedWorkJoinsTheOuterTransaction() {
    try (Database db = Database.open(tmp)) {
      execute(db, "CREATE TABLE things (name TEXT PRIMARY KEY)");
      List<String> afterCommit = new ArrayList<>();

      db.atomically(
          "two things",
          () -> {
            execute(db, "INSERT INTO things VALUES ('a')");
            db.afterCommit(() -> afterCommit.add("a"));
            return db.atomically(
                "nested",
                () -> {
                  execute(db, "INSERT INTO things VALUES ('b')");
                  db.afterCommit(() -> afterCommit.add("b"));
                  assertTrue(afterCommit.isEmpty(), "nothing runs before the outer commit");
                  return null;
                });
          });
      assertEquals(List.of("a", "b"), afterCommit);
      assertEquals(2, count(db));

      assertThrows(
          IllegalStateException.class,
          () ->
              db.atomically(
                  "one thing, then a failure",
                  () -> {
                    execute(db, "INSERT INTO things VALUES ('c')");
                    db.afterCommit(() -> afterCommit.add("c"));
                    db.atomically(
                        "nested failure",
                        () -> {
                          throw new IllegalStateException("no");
                        });
                    return null;
                  }));
      assertEquals(2, count(db), "the whole transaction rolled back");
      assertEquals(List.of("a", "b"), afterCommit, "what waited for the commit did not run");

      db.afterCommit(() -> afterCommit.add("now"));
      assertEquals(List.of("a", "b", "now"), afterCommit, "outside a transaction: at once");
      execute(db, "INSERT INTO things VALUES ('d')");
      assertEquals(3, count(db), "back to autocommit");
    }
  }

  private static void execute(Database db, String sql) {
    db.withConnection(
        "test statement",
        c -> {
          try (Statement s = c.createStatement()) {
            return s.execute(sql);
          }
        });
  }

  private static int count(Database db) {
    return db.withConnection(
        "count things",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM things")) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  @Test
  void inTransaction_failure_rollsBack() {
    try (Database db = Database.open(tmp)) {
      assertThrows(
          StoreException.class,
          () ->
              db.inTransaction(
                  "half insert",
                  c -> {
                    try (Statement s = c.createStatement()) {
                      s.execute(
                          "INSERT INTO audit (at, actor, action, details)"
                              + " VALUES (1, 'keysmith', 'x', '{}')");
                      return s.execute("INSERT INTO nowhere VALUES (1)");
                    }
                  }));

      assertEquals(0L, count(db, "SELECT count(*) FROM audit"));
    }
  }

  @Test
  void open_missingDirectory_createsItWithWalAndForeignKeys() {
    Path dataDir = tmp.resolve("nested/data");

    try (Database db = Database.open(dataDir)) {
      assertTrue(Files.exists(dataDir.resolve(Database.FILE_NAME)));
      assertEquals("wal", text(db, "PRAGMA journal_mode"));
      assertEquals(1L, count(db, "PRAGMA foreign_keys"));
      assertEquals(5_000L, count(db, "PRAGMA busy_timeout"));
      assertEquals(SqliteMigrations.latestVersion(), db.schemaVersion());
    }
  }

  @Test
  void open_version1Database_addsJobsAndKeepsEarlierRows() throws Exception {
    // A database as version 1 of the schema left it, built with the version 1 statements alone.
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(Database.FILE_NAME));
        Statement s = c.createStatement()) {
      for (String sql : SqliteMigrations.upTo(1).get(0).statements()) {
        s.execute(sql);
      }
      s.execute("INSERT INTO audit (at, actor, action, details) VALUES (1, 'keysmith', 'x', '{}')");
      s.execute("PRAGMA user_version = 1");
    }

    try (Database db = Database.open(tmp)) {
      assertEquals(SqliteMigrations.latestVersion(), db.schemaVersion());
      assertEquals(1L, count(db, "SELECT count(*) FROM audit"));
      assertEquals(0L, count(db, "SELECT count(*) FROM jobs"));
      assertEquals(
          2L,
          count(
              db,
              "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'"
                  + " AND name IN ('jobs_by_state_due', 'jobs_by_subject')"));
    }
  }

  private static long count(Database db, String sql) {
    return Long.parseLong(text(db, sql));
  }

  private static String text(Database db, String sql) {
    return db.withConnection(
        "test query",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
          }
        });
  }
}
