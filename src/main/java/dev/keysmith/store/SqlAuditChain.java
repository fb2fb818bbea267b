package dev.keysmith.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code audit} table as the chain {@link SqlAuditTrail} writes: checks it from the first
 * row to the last, and streams the rows since a time for export. Both read row by row, never the
 * whole table at once.
 */
public final class SqlAuditChain {
  private static final int FETCH = 1_000;

  private final Database db;

  /** The chain in {@code db}, which must be open. */
  public SqlAuditChain(Database db) {
    this.db = db;
  }

  /**
   * One row of the audit table as stored.
   *
   * @param action the action's code, as stored
   * @param details the details JSON object, exactly as stored
   * @param prevHash the hash of the event before, or null for a row from before the chain
   * @param hash this event's hash, or null for a row from before the chain
   */
  public record Row(
      long id,
      Instant at,
      @Nullable String requestId,
      String actor,
      String action,
      String details,
      @Nullable String prevHash,
      @Nullable String hash) {
    public Row {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(details, "details");
    }
  }

  /**
   * Where the chain breaks: the first row that does not fit it, and why.
   *
   * @param row the first row that does not fit
   * @param reason why, in words
   */
  public record Break(Row row, String reason) {}

  /**
   * What a check found.
   *
   * @param events how many rows it read (all of them, when intact)
   * @param first the first row, or null for an empty table
   * @param last the last row read, or null for an empty table
   * @param head the last chained row, or null when no row is chained yet
   * @param unchained rows from before the chain, covered by its first event
   * @param between rows written without a hash after the chain began (by an older Keysmith replica
   *     during a rolling deploy), each covered by the chained event after it
   * @param uncovered the newest rows without a hash, which no chained event covers yet
   * @param broken where the chain breaks, or null when it is intact
   */
  public record Verdict(
      long events,
      @Nullable Row first,
      @Nullable Row last,
      @Nullable Row head,
      long unchained,
      long between,
      long uncovered,
      @Nullable Break broken) {
    /** Whether every row fits the chain. */
    public boolean intact() {
      return broken == null;
    }
  }

  /** Checks every row in id order: its hash against its content, its prev_hash against the last. */
  public Verdict verify() {
    return db.inTransaction(
        "verify audit chain",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY id")) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
              return new Walk().through(rs);
            }
          }
        });
  }

  /** One pass over the rows, in id order. */
  private static final class Walk {
    private AuditChain.Anchor anchor = new AuditChain.Anchor(null);
    private long events;
    private long unchained;
    private long between;
    private long pending; // rows without a hash since the last chained row
    private @Nullable Row first;
    private @Nullable Row last;
    private @Nullable Row head;

    Verdict through(ResultSet rs) throws SQLException {
      while (rs.next()) {
        Row row = row(rs);
        events++;
        if (first == null) {
          first = row;
        }
        last = row;
        @Nullable Break broken = take(row);
        if (broken != null) {
          return verdict(broken);
        }
      }
      return verdict(null);
    }

    private @Nullable Break take(Row row) {
      String hash = row.hash();
      if (hash == null) {
        anchor.add(
            row.id(),
            row.at().toEpochMilli(),
            row.requestId(),
            row.actor(),
            row.action(),
            row.details());
        pending++;
        return null;
      }
      String prev = row.prevHash() == null ? "" : row.prevHash();
      String computed =
          AuditChain.hash(
              row.id(),
              row.at().toEpochMilli(),
              row.requestId(),
              row.actor(),
              row.action(),
              row.details(),
              prev);
      if (!hash.equals(computed)) {
        return new Break(row, "its content does not match its hash: it was edited");
      }
      String expected = head != null && pending == 0 ? head.hash() : anchor.finish();
      if (!prev.equals(expected)) {
        return new Break(row, mismatch());
      }
      if (head == null) {
        unchained = pending;
      } else {
        between += pending;
      }
      pending = 0;
      head = row;
      anchor = new AuditChain.Anchor(hash);
      return null;
    }

    private String mismatch() {
      if (head == null) {
        return "its prev_hash does not match the "
            + pending
            + " events before the chain began: one of them was edited, deleted or inserted";
      }
      if (pending > 0) {
        return "its prev_hash does not match the "
            + pending
            + " events without a hash before it and event "
            + head.id()
            + ": one was edited, deleted or inserted";
      }
      return "its prev_hash does not match the event before it: an event before it was"
          + " deleted, inserted or rewritten";
    }

    private Verdict verdict(@Nullable Break broken) {
      return head == null
          ? new Verdict(events, first, last, null, pending, 0, 0, broken)
          : new Verdict(events, first, last, head, unchained, between, pending, broken);
    }
  }

  /** What receives the rows of an export, one at a time. */
  @FunctionalInterface
  public interface RowSink {
    /** Takes one row. */
    void accept(Row row);
  }

  /** Hands every row from {@code since} on to {@code sink}, in id order; how many. */
  public long since(Instant since, RowSink sink) {
    return db.inTransaction(
        "export audit events",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE at >= ? ORDER BY id")) {
            ps.setLong(1, since.toEpochMilli());
            ps.setFetchSize(FETCH);
            long count = 0;
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                sink.accept(row(rs));
                count++;
              }
            }
            return count;
          }
        });
  }

  private static final String SELECT =
      "SELECT id, at, request_id, actor, action, details, prev_hash, hash FROM audit";

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        rs.getLong(1),
        Instant.ofEpochMilli(rs.getLong(2)),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8));
  }
}
