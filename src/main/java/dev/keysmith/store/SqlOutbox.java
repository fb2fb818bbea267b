package dev.keysmith.store;

import dev.keysmith.jobs.Replica;
import dev.keysmith.outbox.Message;
import dev.keysmith.outbox.OutboxBacklog;
import dev.keysmith.outbox.OutboxStore;
import dev.keysmith.outbox.Parcel;
import dev.keysmith.outbox.Posted;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@link OutboxStore} in the {@code outbox} and {@code outbox_slots} tables. A delivered message
 * keeps its row (purpose, subject, channel, times) as a record, without its content.
 */
public final class SqlOutbox implements OutboxStore {
  static final int MAX_ERROR_CHARS = 1_000;
  private static final Duration UNDELIVERABLE_REPORTED_FOR = Duration.ofDays(1);

  private static final String PENDING = "PENDING";
  private static final String SENT = "SENT";
  private static final String UNDELIVERABLE = "UNDELIVERABLE";

  /**
   * How long an edit of a message already in Slack waits before it is sent, so the states a change
   * passes through in quick succession (approved, user created, added to its group, provisioned)
   * reach Slack as one edit: each edit costs one of {@code chat.update}'s 50 a minute.
   */
  public static final Duration EDIT_SETTLE = Duration.ofSeconds(1);

  private final Database db;
  private final Clock clock;
  private final Duration editSettle;
  private final Replica replica;

  /** The only replica's outbox, whose edits settle for {@link #EDIT_SETTLE}. */
  public SqlOutbox(Database db, Clock clock) {
    this(db, clock, EDIT_SETTLE, new Replica("local", Replica.LEASE_TERM));
  }

  /**
   * An outbox whose edits of a posted message wait {@code editSettle} for newer states, delivered
   * by {@code replica}.
   */
  public SqlOutbox(Database db, Clock clock, Duration editSettle, Replica replica) {
    this.db = db;
    this.clock = clock;
    this.editSettle = editSettle;
    this.replica = replica;
  }

  @Override
  public void send(Message m) {
    long now = clock.millis();
    db.inTransaction(
        "keep a Slack message",
        c -> {
          String slot = m.slot();
          long due = now;
          if (slot != null && !editSettle.isZero()) {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT 1 FROM outbox_slots WHERE slot = ?")) {
              ps.setString(1, slot);
              try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  due = now + editSettle.toMillis(); // an edit: let the next states catch up
                }
              }
            }
          }
          // A newer state of the slot's message replaces one not sent yet, keeping its place and
          // its due time: one statement, so two replicas telling the same slot at once keep one.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO outbox (purpose, about, channel, slot, lane, text, blocks, state,"
                      + " due_at, created_at, updated_at, thread_of) VALUES (?, ?, ?, ?, ?, ?, ?, '"
                      + PENDING
                      + "', ?, ?, ?, ?) ON CONFLICT (slot) WHERE state = '"
                      + PENDING
                      + "' AND slot IS NOT NULL DO UPDATE SET purpose = excluded.purpose,"
                      + " about = excluded.about, channel = excluded.channel,"
                      + " text = excluded.text, blocks = excluded.blocks,"
                      + " version = outbox.version + 1, updated_at = excluded.updated_at")) {
            ps.setString(1, m.purpose());
            ps.setString(2, m.about());
            ps.setString(3, m.channel());
            ps.setString(4, slot);
            ps.setString(5, m.lane());
            ps.setString(6, m.text());
            ps.setString(7, m.blocks());
            ps.setLong(8, due);
            ps.setLong(9, now);
            ps.setLong(10, now);
            ps.setString(11, m.threadOf());
            ps.executeUpdate();
          }
          return Boolean.TRUE;
        });
  }

  @Override
  public List<Parcel> claim(Instant now, int limit) {
    long at = now.toEpochMilli();
    return db.inTransaction(
        "claim due Slack messages",
        c -> {
          List<Long> ids = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT o.id FROM outbox o WHERE o.state = '"
                      + PENDING
                      + "' AND o.due_at <= ? AND (o.lease_until IS NULL OR o.lease_until < ?)"
                      + " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = '"
                      + PENDING
                      + "' AND e.lane = o.lane AND e.id < o.id)"
                      + " ORDER BY o.id LIMIT ?"
                      // Another replica claiming at this moment keeps its rows; this one skips
                      // them rather than waiting to find them claimed.
                      + (db.dialect() == Database.Dialect.POSTGRESQL
                          ? " FOR UPDATE OF o SKIP LOCKED"
                          : ""))) {
            ps.setLong(1, at);
            ps.setLong(2, clock.millis());
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getLong(1));
              }
            }
          }
          if (ids.isEmpty()) {
            return List.<Parcel>of();
          }
          String in = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE outbox SET claimed_by = ?, lease_until = ? WHERE id IN (" + in + ")")) {
            ps.setString(1, replica.id());
            ps.setLong(2, replica.leaseEnd(clock.instant()).toEpochMilli());
            bindIds(ps, 3, ids);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT o.id, o.version, o.attempts, o.purpose, o.about, o.channel, o.slot,"
                      + " o.text, o.blocks, o.thread_of, s.channel AS posted_channel,"
                      + " s.ts AS posted_ts, t.channel AS thread_channel, t.ts AS thread_ts"
                      + " FROM outbox o LEFT JOIN outbox_slots s ON s.slot = o.slot"
                      + " LEFT JOIN outbox_slots t ON t.slot = o.thread_of"
                      + " WHERE o.id IN ("
                      + in
                      + ") ORDER BY o.id")) {
            bindIds(ps, 1, ids);
            try (ResultSet rs = ps.executeQuery()) {
              List<Parcel> due = new ArrayList<>();
              while (rs.next()) {
                due.add(read(rs));
              }
              return List.copyOf(due);
            }
          }
        });
  }

  @Override
  public void release(List<Parcel> parcels) {
    if (parcels.isEmpty()) {
      return;
    }
    List<Long> ids = parcels.stream().map(Parcel::id).toList();
    db.withConnection(
        "release Slack messages",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?"
                      + " AND id IN ("
                      + String.join(", ", java.util.Collections.nCopies(ids.size(), "?"))
                      + ")")) {
            ps.setString(1, replica.id());
            bindIds(ps, 2, ids);
            return ps.executeUpdate();
          }
        });
  }

  private static void bindIds(PreparedStatement ps, int first, List<Long> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      ps.setLong(first + i, ids.get(i));
    }
  }

  private static Parcel read(ResultSet rs) throws SQLException {
    Message m =
        new Message(
            rs.getString("purpose"),
            rs.getString("about"),
            rs.getString("channel"),
            rs.getString("slot"),
            rs.getString("text"),
            rs.getString("blocks"),
            rs.getString("thread_of"));
    String postedTs = rs.getString("posted_ts");
    @Nullable Posted posted =
        postedTs == null ? null : new Posted(rs.getString("posted_channel"), postedTs);
    String threadTs = rs.getString("thread_ts");
    @Nullable Posted thread =
        threadTs == null ? null : new Posted(rs.getString("thread_channel"), threadTs);
    return new Parcel(
        rs.getLong("id"), rs.getInt("version"), rs.getInt("attempts"), m, posted, thread);
  }

  @Override
  public Optional<Instant> nextDue() {
    return db.withConnection(
        "find the next due Slack message",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      // A message waiting behind an earlier one of its lane is not due before it;
                      // one another replica claimed is not due before its claim runs out.
                      "SELECT min(CASE WHEN o.lease_until > o.due_at THEN o.lease_until"
                          + " ELSE o.due_at END) FROM outbox o WHERE o.state = '"
                          + PENDING
                          + "' AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = '"
                          + PENDING
                          + "' AND e.lane = o.lane AND e.id < o.id)");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            long due = rs.getLong(1);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(due));
          }
        });
  }

  @Override
  public void delivered(Parcel parcel, Posted where) {
    long now = clock.millis();
    db.inTransaction(
        "record a delivered Slack message",
        c -> {
          String slot = parcel.message().slot();
          if (slot != null) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO outbox_slots (slot, channel, ts) VALUES (?, ?, ?)"
                        + " ON CONFLICT (slot) DO UPDATE SET channel = excluded.channel,"
                        + " ts = excluded.ts")) {
              ps.setString(1, slot);
              ps.setString(2, where.channel());
              ps.setString(3, where.ts());
              ps.executeUpdate();
            }
          }
          // Sent only if nothing newer replaced the content meanwhile; else the newer content
          // stays, due now, and goes out as an edit of the message just posted.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE outbox SET state = '"
                      + SENT
                      + "', text = '', blocks = '', last_error = NULL, updated_at = ?,"
                      + " claimed_by = NULL, lease_until = NULL"
                      + " WHERE id = ? AND version = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, parcel.id());
            ps.setInt(3, parcel.version());
            if (ps.executeUpdate() == 0) {
              try (PreparedStatement again =
                  c.prepareStatement(
                      "UPDATE outbox SET due_at = ?, updated_at = ?, claimed_by = NULL,"
                          + " lease_until = NULL WHERE id = ? AND state = '"
                          + PENDING
                          + "'")) {
                again.setLong(1, now);
                again.setLong(2, now);
                again.setLong(3, parcel.id());
                again.executeUpdate();
              }
            }
          }
          return Boolean.TRUE;
        });
  }

  @Override
  public void retryAt(Parcel parcel, Instant dueAt, String error, boolean failed) {
    db.withConnection(
        "retry a Slack message",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE outbox SET due_at = ?, attempts = attempts + ?, last_error = ?,"
                      + " updated_at = ?, claimed_by = NULL, lease_until = NULL WHERE id = ?"
                      + " AND state = '"
                      + PENDING
                      + "'")) {
            ps.setLong(1, dueAt.toEpochMilli());
            ps.setInt(2, failed ? 1 : 0);
            ps.setString(3, clip(error));
            ps.setLong(4, clock.millis());
            ps.setLong(5, parcel.id());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public void undeliverable(Parcel parcel, String error) {
    db.withConnection(
        "give up a Slack message",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE outbox SET state = '"
                      + UNDELIVERABLE
                      + "', attempts = attempts + 1, last_error = ?, updated_at = ?,"
                      + " claimed_by = NULL, lease_until = NULL WHERE id = ?")) {
            ps.setString(1, clip(error));
            ps.setLong(2, clock.millis());
            ps.setLong(3, parcel.id());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public void pause(String limit, Instant until) {
    db.withConnection(
        "record a rate limit",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO outbox_pauses (limit_key, until) VALUES (?, ?)"
                      + " ON CONFLICT (limit_key) DO UPDATE SET until = excluded.until"
                      + " WHERE outbox_pauses.until < excluded.until")) {
            ps.setString(1, limit);
            ps.setLong(2, until.toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public Map<String, Instant> pauses(Instant now) {
    return db.withConnection(
        "read rate limits",
        c -> {
          Map<String, Instant> running = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT limit_key, until FROM outbox_pauses WHERE until > ?")) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                running.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
              }
            }
          }
          return Map.copyOf(running);
        });
  }

  @Override
  public OutboxBacklog backlog(Instant now) {
    return db.withConnection(
        "count undelivered Slack messages",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT coalesce(sum(CASE WHEN state = '"
                      + PENDING
                      + "' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN state = '"
                      + PENDING
                      + "' AND due_at <= ? THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN state = '"
                      + UNDELIVERABLE
                      + "' AND updated_at >= ? THEN 1 ELSE 0 END), 0) FROM outbox WHERE state IN ('"
                      + PENDING
                      + "', '"
                      + UNDELIVERABLE
                      + "')")) {
            ps.setLong(1, now.minus(OVERDUE_AFTER).toEpochMilli());
            ps.setLong(2, now.minus(UNDELIVERABLE_REPORTED_FOR).toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new OutboxBacklog(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
          }
        });
  }

  private static String clip(String error) {
    return error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS);
  }
}
