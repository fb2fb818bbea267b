package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keysmith.rotation.Rotation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 8 keeps a rotation's deactivation time on the rotation; rotations deactivated by
 * an older Keysmith get it from their last {@code keys.deactivated} audit event.
 */
class RotationDeactivatedAtMigrationTest {
  @TempDir Path tmp;

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
      SqliteRotationStore rotations = new SqliteRotationStore(db);
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
