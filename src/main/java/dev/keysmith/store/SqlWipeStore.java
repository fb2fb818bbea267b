package dev.keysmith.store;

import dev.keysmith.delivery.WipeStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link WipeStore} in the same database as the requests. */
public final class SqlWipeStore implements WipeStore {
  private static final String SELECT =
      "SELECT subject, owner_id, response_url, due_at FROM secret_wipes";
  private final Database db;

  public SqlWipeStore(Database db) {
    this.db = db;
  }

  @Override
  public void schedule(Wipe wipe) {
    db.withConnection(
        "schedule wipe",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO secret_wipes (subject, owner_id, response_url, due_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET"
                      + " owner_id = excluded.owner_id, response_url = excluded.response_url,"
                      + " due_at = excluded.due_at")) {
            ps.setString(1, wipe.subject());
            ps.setString(2, wipe.ownerId());
            ps.setString(3, wipe.responseUrl());
            ps.setLong(4, wipe.due().toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public List<Wipe> due(Instant now) {
    return db.withConnection(
        "find due wipes",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE due_at <= ? ORDER BY due_at, subject")) {
            ps.setLong(1, now.toEpochMilli());
            return read(ps);
          }
        });
  }

  @Override
  public Optional<Wipe> find(String subject) {
    return db.withConnection(
        "find wipe",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE subject = ?")) {
            ps.setString(1, subject);
            return read(ps).stream().findFirst();
          }
        });
  }

  @Override
  public void remove(String subject) {
    db.withConnection(
        "remove wipe",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM secret_wipes WHERE subject = ?")) {
            ps.setString(1, subject);
            return ps.executeUpdate();
          }
        });
  }

  private static List<Wipe> read(PreparedStatement ps) throws SQLException {
    List<Wipe> wipes = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        wipes.add(
            new Wipe(
                rs.getString("subject"),
                rs.getString("owner_id"),
                rs.getString("response_url"),
                Instant.ofEpochMilli(rs.getLong("due_at"))));
      }
    }
    return List.copyOf(wipes);
  }
}
