package dev.keysmith.store;

import dev.keysmith.rotation.ReminderLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** {@link ReminderLog} in the database. */
public final class SqlReminderLog implements ReminderLog {
  private final Database db;

  public SqlReminderLog(Database db) {
    this.db = db;
  }

  @Override
  public Optional<Instant> lastSent(String accessKeyId, String kind) {
    return db.withConnection(
        "read reminder log",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT sent_at FROM key_reminders WHERE access_key_id = ? AND kind = ?")) {
            ps.setString(1, accessKeyId);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(Instant.ofEpochMilli(rs.getLong(1)))
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  @Override
  public void sent(String accessKeyId, String kind, Instant at) {
    db.withConnection(
        "write reminder log",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO key_reminders (access_key_id, kind, sent_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (access_key_id, kind) DO UPDATE SET sent_at = excluded.sent_at")) {
            ps.setString(1, accessKeyId);
            ps.setString(2, kind);
            ps.setLong(3, at.toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }
}
