package dev.keysmith.store;

import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Replica;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Objects;

/**
 * {@link Leases} in the {@code leases} table, with the claims of the {@code jobs} and {@code
 * outbox} tables, which {@link #renewAll} and {@link #endAll} cover too. Taking a lease is one
 * upsert: on PostgreSQL, a second replica racing for the same subject waits for the first's row and
 * finds it held; on SQLite, one connection writes at a time.
 */
public final class SqlLeases implements Leases {
  private final Database db;
  private final Clock clock;
  private final Replica replica;

  public SqlLeases(Database db, Clock clock, Replica replica) {
    this.db = db;
    this.clock = clock;
    this.replica = replica;
  }

  @Override
  public boolean tryHold(String subject) {
    Objects.requireNonNull(subject, "subject");
    long now = clock.millis();
    return db.withConnection(
        "take a lease",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO leases (subject, holder, until) VALUES (?, ?, ?)"
                      + " ON CONFLICT (subject) DO UPDATE SET holder = excluded.holder,"
                      + " until = excluded.until"
                      + " WHERE leases.until < ?")) {
            ps.setString(1, subject);
            ps.setString(2, replica.id());
            ps.setLong(3, replica.leaseEnd(clock.instant()).toEpochMilli());
            ps.setLong(4, now);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void release(String subject) {
    db.withConnection(
        "give up a lease",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM leases WHERE subject = ? AND holder = ?")) {
            ps.setString(1, subject);
            ps.setString(2, replica.id());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public int renewAll() {
    long until = replica.leaseEnd(clock.instant()).toEpochMilli();
    return db.inTransaction(
        "renew leases",
        c -> {
          int renewed = 0;
          for (String sql :
              new String[] {
                "UPDATE leases SET until = ? WHERE holder = ?",
                "UPDATE jobs SET lease_until = ? WHERE claimed_by = ? AND state = 'RUNNING'",
                "UPDATE outbox SET lease_until = ? WHERE claimed_by = ? AND state = 'PENDING'"
              }) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ps.setLong(1, until);
              ps.setString(2, replica.id());
              renewed += ps.executeUpdate();
            }
          }
          return renewed;
        });
  }

  @Override
  public int endAll() {
    return db.inTransaction(
        "end every lease",
        c -> {
          int ended = 0;
          for (String sql :
              new String[] {
                "DELETE FROM leases",
                "UPDATE outbox SET claimed_by = NULL, lease_until = NULL"
                    + " WHERE claimed_by IS NOT NULL"
              }) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ended += ps.executeUpdate();
            }
          }
          return ended;
        });
  }

  @Override
  public int handOver() {
    long now = clock.millis();
    return db.inTransaction(
        "hand over this replica's leases",
        c -> {
          int ended = 0;
          for (String sql :
              new String[] {
                "DELETE FROM leases WHERE holder = ?",
                "UPDATE jobs SET state = 'PENDING', claimed_by = NULL, lease_until = NULL,"
                    + " updated_at = ? WHERE state = 'RUNNING' AND claimed_by = ?",
                "UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?"
              }) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              int i = 1;
              if (sql.startsWith("UPDATE jobs")) {
                ps.setLong(i++, now);
              }
              ps.setString(i, replica.id());
              ended += ps.executeUpdate();
            }
          }
          return ended;
        });
  }
}
