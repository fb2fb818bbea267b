package dev.keysmith.store;

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
import java.util.List;
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

  /** An outbox whose edits settle for {@link #EDIT_SETTLE}. */
  public SqlOutbox(Database db, Clock clock) {
    this(db, clock, EDIT_SETTLE);
  }

  /** An outbox whose edits of a posted message wait {@code editSettle} for newer states. */
  public SqlOutbox(Database db, Clock clock, Duration editSettle) {
    this.db = db;
    this.clock = clock;
    this.editSettle = editSettle;
  }

  @Override
  public void send(Message m) {
    long now = clock.millis();
    db.inTransaction(
        "keep a Slack message",
        c -> {
          String slot = m.slot();
          if (slot != null) {
            // A newer state of the slot's message replaces one not sent yet, keeping its place.
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE outbox SET purpose = ?, about = ?, channel = ?, text = ?, blocks = ?,"
                        + " version = version + 1, updated_at = ? WHERE slot = ? AND state = '"
                        + PENDING
                        + "'")) {
              ps.setString(1, m.purpose());
              ps.setString(2, m.about());
              ps.setString(3, m.channel());
              ps.setString(4, m.text());
              ps.setString(5, m.blocks());
              ps.setLong(6, now);
              ps.setString(7, slot);
              if (ps.executeUpdate() > 0) {
                return Boolean.TRUE;
              }
            }
          }
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
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO outbox (purpose, about, channel, slot, lane, text, blocks, state,"
                      + " due_at, created_at, updated_at, thread_of) VALUES (?, ?, ?, ?, ?, ?, ?, '"
                      + PENDING
                      + "', ?, ?, ?, ?)")) {
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
  public List<Parcel> due(Instant now, int limit) {
    return db.withConnection(
        "find due Slack messages",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT o.id, o.version, o.attempts, o.purpose, o.about, o.channel, o.slot,"
                      + " o.text, o.blocks, o.thread_of, s.channel AS posted_channel,"
                      + " s.ts AS posted_ts, t.channel AS thread_channel, t.ts AS thread_ts"
                      + " FROM outbox o LEFT JOIN outbox_slots s ON s.slot = o.slot"
                      + " LEFT JOIN outbox_slots t ON t.slot = o.thread_of"
                      + " WHERE o.state = '"
                      + PENDING
                      + "' AND o.due_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox e"
                      + " WHERE e.state = '"
                      + PENDING
                      + "' AND e.lane = o.lane AND e.id < o.id)"
                      + " ORDER BY o.id LIMIT ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setInt(2, limit);
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
                      // A message waiting behind an earlier one of its lane is not due before it.
                      "SELECT min(o.due_at) FROM outbox o WHERE o.state = '"
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
                      + "', text = '', blocks = '', last_error = NULL, updated_at = ?"
                      + " WHERE id = ? AND version = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, parcel.id());
            ps.setInt(3, parcel.version());
            if (ps.executeUpdate() == 0) {
              try (PreparedStatement again =
                  c.prepareStatement(
                      "UPDATE outbox SET due_at = ?, updated_at = ? WHERE id = ? AND state = '"
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
                      + " updated_at = ? WHERE id = ? AND state = '"
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
                      + "', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, clip(error));
            ps.setLong(2, clock.millis());
            ps.setLong(3, parcel.id());
            return ps.executeUpdate();
          }
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
