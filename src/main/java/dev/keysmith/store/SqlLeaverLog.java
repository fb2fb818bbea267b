package dev.keysmith.store;

import dev.keysmith.rotation.LeaverLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;

/** {@link LeaverLog} in the {@code leavers} table. */
public final class SqlLeaverLog implements LeaverLog {
  private final Database db;

  public SqlLeaverLog(Database db) {
    this.db = db;
  }

  @Override
  public boolean handled(String slackUserId) {
    return db.withConnection(
        "find a leaver",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT 1 FROM leavers WHERE slack_user_id = ?")) {
            ps.setString(1, slackUserId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  @Override
  public boolean record(String slackUserId, Instant at) {
    return db.withConnection(
        "record a leaver",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO leavers (slack_user_id, handled_at) VALUES (?, ?)"
                      + " ON CONFLICT (slack_user_id) DO NOTHING")) {
            ps.setString(1, slackUserId);
            ps.setLong(2, at.toEpochMilli());
            return ps.executeUpdate() == 1;
          }
        });
  }
}
