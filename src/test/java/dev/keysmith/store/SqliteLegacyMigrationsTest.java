package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keysmith.rotation.Rotation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite databases an older Keysmith left, at their version then, migrated to the latest schema:
 * the migrations that move data carry it over.
 */
class SqliteLegacyMigrationsTest {
  @TempDir Path tmp;

  @Test
  void migration3_carriesAVersion2WipeOverWithItsOwner() throws Exception {
    Path old = tmp.resolve("v2");
    java.nio.file.Files.createDirectories(old);
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("keysmith.db"));
        Statement st = c.createStatement()) {
      for (SqliteMigrations.Migration m : SqliteMigrations.upTo(2)) {
        for (String sql : m.statements()) {
          st.execute(sql);
        }
      }
      st.execute(
          "INSERT INTO requests (id, state, iam_user_name, iam_user_name_lower, group_name,"
              + " access_type, owner_id, requester_id, justification, created_at, updated_at)"
              + " VALUES ('KS-AAAAAA', 'REVEALED', 'alice', 'alice', 'devs', 'BOTH', 'U0OWNER',"
              + " 'U0REQ', 'x', 0, 0)");
      st.execute(
          "INSERT INTO wipes (request_id, response_url, due_at) VALUES ('KS-AAAAAA', 'u', 5)");
      st.execute("PRAGMA user_version = 2");
    }
    try (Database db = Database.open(old)) {
      assertEquals(
          List.of(
              new dev.keysmith.delivery.WipeStore.Wipe(
                  "KS-AAAAAA", "U0OWNER", "u", Instant.ofEpochMilli(5))),
          new SqlWipeStore(db).due(Instant.ofEpochMilli(5)));
    }
  }

  /**
   * Schema version 8 keeps a rotation's deactivation time on the rotation; rotations deactivated by
   * an older Keysmith get it from their last {@code keys.deactivated} audit event.
   */
  @Test
  void migration8_backfillsDeactivatedAtFromTheAuditTrail() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(Database.FILE_NAME));
        Statement s = c.createStatement()) {
      for (SqliteMigrations.Migration m : SqliteMigrations.upTo(7)) {
        if (m.version() <= 7) {
          for (String sql : m.statements()) {
            s.execute(sql);
          }
        }
      }
      s.execute("PRAGMA user_version = 7");
      s.execute(rotation("RT-AAAAAA", "OLD_DEACTIVATED"));
      s.execute(rotation("RT-BBBBBB", "GRACE"));
      s.execute(audit("RT-AAAAAA", 1_000L, "keys.deactivated"));
      s.execute(audit("RT-AAAAAA", 2_000L, "keys.deactivated"));
      s.execute(audit("RT-AAAAAA", 3_000L, "rotation.postponed"));
    }

    try (Database db = Database.open(tmp)) {
      SqlRotationStore rotations = new SqlRotationStore(db);
      Rotation deactivated = rotations.find("RT-AAAAAA").orElseThrow();
      assertEquals(Instant.ofEpochMilli(2_000L), deactivated.deactivatedAt(), "the last one");
      assertNull(rotations.find("RT-BBBBBB").orElseThrow().deactivatedAt());
      assertEquals(SqliteMigrations.latestVersion(), db.schemaVersion());
    }
  }

  private static String rotation(String id, String state) {
    return "INSERT INTO rotations (id, iam_user, owner_id, old_key_id, new_key_id, lost, state,"
        + " started_at, revealed_at, postponed, updated_at) VALUES ('"
        + id
        + "', 'alice', 'U0OWNER', 'AKIAOLD', 'AKIANEW', 0, '"
        + state
        + "', 0, 500, 0, 500)";
  }

  private static String audit(String subject, long at, String action) {
    return "INSERT INTO audit (at, request_id, actor, action, details) VALUES ("
        + at
        + ", '"
        + subject
        + "', 'keysmith', '"
        + action
        + "', '{}')";
  }
}
