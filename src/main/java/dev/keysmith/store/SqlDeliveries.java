package dev.keysmith.store;

import dev.keysmith.core.Deliveries;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Deliveries} in the {@code deliveries} table. Taking in is one insert that does nothing on
 * a key already there: on PostgreSQL, a replica inserting the same key at the same moment waits for
 * the first's row and finds it.
 */
public final class SqlDeliveries implements Deliveries {
  private final Database db;
  private final Clock clock;

  public SqlDeliveries(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public boolean takeIn(String key) {
    Objects.requireNonNull(key, "key");
    return db.withConnection(
        "take a delivery in",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO deliveries (id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, key);
            ps.setLong(2, clock.millis());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void answered(String key, String answer) {
    db.withConnection(
        "record a delivery's answer",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE deliveries SET answer = ? WHERE id = ?")) {
            ps.setString(1, answer);
            ps.setString(2, key);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public Optional<String> answerOf(String key) {
    return db.withConnection(
        "read a delivery's answer",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT answer FROM deliveries WHERE id = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  @Override
  public int forgetBefore(Instant cutoff) {
    return db.withConnection(
        "forget old deliveries",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM deliveries WHERE seen_at < ?")) {
            ps.setLong(1, cutoff.toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }
}
