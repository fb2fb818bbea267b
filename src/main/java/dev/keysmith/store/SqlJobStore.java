package dev.keysmith.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.jobs.Job;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.jobs.JobStore;
import dev.keysmith.jobs.Replica;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * {@link JobStore} in the {@code jobs} table. Due times are kept to the millisecond. A claim is one
 * {@code UPDATE ... RETURNING} statement that names the claiming replica and its lease: on
 * PostgreSQL the job is picked {@code FOR UPDATE SKIP LOCKED}, so replicas claiming at once take
 * different jobs without waiting on each other; SQLite takes its write lock before it reads.
 */
public final class SqlJobStore implements JobStore {
  static final int MAX_DATA_CHARS = 4_000;
  static final int MAX_ERROR_CHARS = 1_000;

  private static final String PENDING = "PENDING";
  private static final String RUNNING = "RUNNING";
  private static final String DONE = "DONE";
  private static final String FAILED = "FAILED";
  private static final String CANCELLED = "CANCELLED";
  private static final String COLUMNS = "id, kind, subject, data, due_at, attempts";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {};

  private final Database db;
  private final Clock clock;
  private final Replica replica;

  /** A store of the only replica, for tests and tools. */
  public SqlJobStore(Database db, Clock clock) {
    this(db, clock, new Replica("local", Replica.LEASE_TERM));
  }

  /**
   * A store over {@code db}, which must be open, whose claims are {@code replica}'s; {@code clock}
   * stamps created and updated, and times leases.
   */
  public SqlJobStore(Database db, Clock clock, Replica replica) {
    this.db = db;
    this.clock = clock;
    this.replica = replica;
  }

  @Override
  public long schedule(String kind, String subject, Map<String, String> data, Instant dueAt) {
    requireText(kind, "kind");
    requireText(subject, "subject");
    Objects.requireNonNull(dueAt, "dueAt");
    String json = write(data);
    long now = clock.millis();
    return db.withConnection(
        "schedule job",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO jobs (kind, subject, data, due_at, state, attempts, created_at,"
                      + " updated_at) VALUES (?, ?, ?, ?, '"
                      + PENDING
                      + "', 0, ?, ?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, kind);
            ps.setString(2, subject);
            ps.setString(3, json);
            ps.setLong(4, dueAt.toEpochMilli());
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              keys.next();
              return keys.getLong(1);
            }
          }
        });
  }

  @Override
  public boolean scheduleOnce(
      String kind, String subject, Map<String, String> data, Instant dueAt) {
    return insertOnce(kind, subject, data, dueAt, /* unlessRunning= */ true);
  }

  @Override
  public boolean scheduleNext(
      String kind, String subject, Map<String, String> data, Instant dueAt) {
    return insertOnce(kind, subject, data, dueAt, /* unlessRunning= */ false);
  }

  private boolean insertOnce(
      String kind, String subject, Map<String, String> data, Instant dueAt, boolean unlessRunning) {
    requireText(kind, "kind");
    requireText(subject, "subject");
    Objects.requireNonNull(dueAt, "dueAt");
    String json = write(data);
    String once = kind + " " + subject;
    long now = clock.millis();
    // One statement: the unique index on waiting once_keys settles two replicas racing.
    String sql =
        "INSERT INTO jobs (kind, subject, data, due_at, state, attempts, created_at, updated_at,"
            + " once_key) SELECT ?, ?, ?, ?, '"
            + PENDING
            + "', 0, ?, ?, ? WHERE "
            + (unlessRunning
                ? "NOT EXISTS (SELECT 1 FROM jobs WHERE once_key = ? AND state = '" + RUNNING + "')"
                : "? IS NOT NULL")
            + " ON CONFLICT (once_key) WHERE state = '"
            + PENDING
            + "' AND once_key IS NOT NULL DO NOTHING";
    return db.withConnection(
        "schedule job once",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, kind);
            ps.setString(2, subject);
            ps.setString(3, json);
            ps.setLong(4, dueAt.toEpochMilli());
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.setString(7, once);
            ps.setString(8, once);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Job> claimNext(Instant now) {
    // One statement. SQLite takes the write lock before it reads, so the row it picks cannot be
    // claimed by another connection in between; PostgreSQL locks the row it picks and skips rows
    // another replica is claiming, and the outer state check re-reads the row once locked.
    String sql =
        "UPDATE jobs SET state = '"
            + RUNNING
            + "', attempts = attempts + 1, updated_at = ?, claimed_by = ?, lease_until = ?"
            + " WHERE id = (SELECT id FROM jobs WHERE state = '"
            + PENDING
            + "' AND due_at <= ? ORDER BY due_at, id LIMIT 1"
            + (db.dialect() == Database.Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "")
            + ") AND state = '"
            + PENDING
            + "' RETURNING "
            + COLUMNS;
    return db.withConnection(
        "claim job",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, clock.millis());
            ps.setString(2, replica.id());
            ps.setLong(3, replica.leaseEnd(clock.instant()).toEpochMilli());
            ps.setLong(4, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public void complete(long id) {
    finish("complete job", id, DONE, null, null, false);
  }

  @Override
  public void retryAt(long id, Instant dueAt, String error) {
    Objects.requireNonNull(dueAt, "dueAt");
    finish("retry job", id, PENDING, dueAt, Objects.requireNonNull(error, "error"), false);
  }

  @Override
  public void postpone(long id, Instant dueAt, String why) {
    Objects.requireNonNull(dueAt, "dueAt");
    finish("postpone job", id, PENDING, dueAt, Objects.requireNonNull(why, "why"), true);
  }

  @Override
  public void fail(long id, String error) {
    finish("fail job", id, FAILED, null, Objects.requireNonNull(error, "error"), false);
  }

  @Override
  public int cancel(String kind, String subject) {
    return db.withConnection(
        "cancel jobs",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE jobs SET state = '"
                      + CANCELLED
                      + "', updated_at = ? WHERE kind = ? AND subject = ? AND state = '"
                      + PENDING
                      + "'")) {
            ps.setLong(1, clock.millis());
            ps.setString(2, kind);
            ps.setString(3, subject);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public List<Job> pending(String subject) {
    return db.withConnection(
        "find pending jobs",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM jobs WHERE subject = ? AND state = '"
                      + PENDING
                      + "' ORDER BY due_at, id")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
              List<Job> jobs = new ArrayList<>();
              while (rs.next()) {
                jobs.add(read(rs));
              }
              return List.copyOf(jobs);
            }
          }
        });
  }

  @Override
  public JobBacklog backlog(Instant now) {
    return db.withConnection(
        "count unfinished jobs",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*), coalesce(sum(CASE WHEN state = '"
                      + PENDING
                      + "' AND due_at <= ? THEN 1 ELSE 0 END), 0) FROM jobs WHERE state IN ('"
                      + PENDING
                      + "', '"
                      + RUNNING
                      + "')")) {
            ps.setLong(1, now.minus(OVERDUE_AFTER).toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new JobBacklog(rs.getLong(1), rs.getLong(2));
            }
          }
        });
  }

  @Override
  public int requeueInterrupted() {
    // Every claim, whatever its lease: the sole replica knows none of them is alive.
    return requeue("requeue interrupted jobs", Long.MAX_VALUE);
  }

  @Override
  public int requeueExpired(Instant now) {
    return requeue("requeue jobs whose claim ran out", now.toEpochMilli());
  }

  /** Puts back to PENDING the RUNNING jobs whose lease ends before {@code before} (or has none). */
  private int requeue(String operation, long before) {
    return db.withConnection(
        operation,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE jobs SET state = '"
                      + PENDING
                      + "', claimed_by = NULL, lease_until = NULL, updated_at = ? WHERE state = '"
                      + RUNNING
                      + "' AND (lease_until IS NULL OR lease_until < ?)")) {
            ps.setLong(1, clock.millis());
            ps.setLong(2, before);
            return ps.executeUpdate();
          }
        });
  }

  /**
   * Moves RUNNING job {@code id} to {@code state}; a null {@code dueAt} keeps the due time; an
   * {@code uncounted} run gives back the attempt its claim counted.
   */
  private void finish(
      String operation,
      long id,
      String state,
      @Nullable Instant dueAt,
      @Nullable String error,
      boolean uncounted) {
    int updated =
        db.withConnection(
            operation,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE jobs SET state = ?, due_at = coalesce(?, due_at),"
                          + " last_error = coalesce(?, last_error), updated_at = ?,"
                          + " attempts = attempts - ?,"
                          + " claimed_by = NULL, lease_until = NULL"
                          + " WHERE id = ? AND state = '"
                          + RUNNING
                          + "' AND claimed_by = ?")) {
                ps.setString(1, state);
                if (dueAt == null) {
                  ps.setNull(2, Types.BIGINT);
                } else {
                  ps.setLong(2, dueAt.toEpochMilli());
                }
                ps.setString(3, error == null ? null : truncate(error));
                ps.setLong(4, clock.millis());
                ps.setInt(5, uncounted ? 1 : 0);
                ps.setLong(6, id);
                ps.setString(7, replica.id());
                return ps.executeUpdate();
              }
            });
    if (updated != 1) {
      throw new StoreException(
          operation
              + " failed: job "
              + id
              + " is not running, or not as this replica's (its claim ran out)");
    }
  }

  private static Job read(ResultSet rs) throws SQLException {
    return new Job(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getString("subject"),
        parse(rs.getString("data")),
        Instant.ofEpochMilli(rs.getLong("due_at")),
        rs.getInt("attempts"));
  }

  private static String write(Map<String, String> data) {
    Objects.requireNonNull(data, "data");
    Map<String, String> sorted = new TreeMap<>();
    data.forEach(
        (key, value) -> {
          if (key == null || value == null) {
            throw new IllegalArgumentException("job data must not hold null keys or values");
          }
          sorted.put(key, value);
        });
    String json;
    try {
      json = JSON.writeValueAsString(sorted);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("job data cannot be written as JSON", e);
    }
    if (json.length() > MAX_DATA_CHARS) {
      throw new IllegalArgumentException(
          "job data is " + json.length() + " characters as JSON; at most " + MAX_DATA_CHARS);
    }
    return json;
  }

  private static Map<String, String> parse(String json) {
    try {
      return JSON.readValue(json, DATA);
    } catch (JsonProcessingException e) {
      throw new StoreException("read job failed: data is not a JSON object of strings", e);
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("job " + name + " must not be blank");
    }
  }

  private static String truncate(String error) {
    return error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error;
  }
}
