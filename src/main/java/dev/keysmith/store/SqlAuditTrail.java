package dev.keysmith.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import java.io.IOException;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AuditTrail} in the {@code audit} table, whose triggers refuse updates and deletes, as a
 * hash chain ({@link AuditChain}). A transaction's events are gathered and appended just before it
 * commits, so that the chain's lock (on PostgreSQL, which replicas share, an advisory lock held to
 * the commit) is taken after every row lock of the change and held only for the append: the chain
 * stays one line and no change waits on another's audit in the middle of its work. An event
 * recorded outside a transaction is appended in one of its own. Each event is also logged, with its
 * hash, as one JSON line at INFO on the logger {@code keysmith.audit} once it commits, so it can be
 * shipped off the machine and anchor the chain there.
 */
public final class SqlAuditTrail implements AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(SqlAuditTrail.class);
  private static final Logger AUDIT_LOG = LoggerFactory.getLogger("keysmith.audit");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {};

  /** The key of a transaction's events waiting for its commit. */
  private static final Object PENDING = new Object();

  /** The PostgreSQL advisory lock that makes appends to the chain take turns ("ks-audit"). */
  static final long CHAIN_LOCK = 0x6b732d6175646974L;

  private final Database db;

  /** An audit trail in {@code db}, which must be open. */
  public SqlAuditTrail(Database db) {
    this.db = db;
  }

  /** An event as it will be stored: its time in milliseconds, its details as JSON. */
  private record Pending(Instant at, AuditEvent event, String detailsJson) {}

  @Override
  public void record(AuditEvent event) {
    // The table keeps milliseconds; the log line says the same instant as the row.
    Pending pending =
        new Pending(
            event.at().truncatedTo(ChronoUnit.MILLIS),
            event,
            detailsJson(new TreeMap<>(event.details())));
    db.atomically(
        "append audit event",
        () -> db.<List<Pending>>gathered(PENDING, ArrayList::new, this::append).add(pending));
  }

  /** Appends a transaction's events to the chain, on its connection, just before it commits. */
  private void append(List<Pending> events) {
    if (events.isEmpty()) {
      return;
    }
    boolean postgres = db.dialect() == Database.Dialect.POSTGRESQL;
    db.withConnection(
        "append audit events",
        c -> {
          if (postgres) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
              ps.setLong(1, CHAIN_LOCK);
              ps.executeQuery().close();
            }
          }
          long id;
          String prev;
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
              ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              id = rs.getLong(1);
              String hash = rs.getString(2);
              prev = hash != null ? hash : anchor(c, id);
            } else {
              id = 0;
              prev = new AuditChain.Anchor(null).finish();
            }
          }
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO audit (id, at, request_id, actor, action, details, prev_hash, hash)"
                      + (postgres ? " OVERRIDING SYSTEM VALUE" : "")
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Pending p : events) {
              // Under the lock; on PostgreSQL the identity's sequence, so ids stay unique even
              // beside a writer that does not chain.
              id = postgres ? nextId(c) : id + 1;
              AuditEvent e = p.event();
              String hash =
                  AuditChain.hash(
                      id,
                      p.at().toEpochMilli(),
                      e.requestId(),
                      e.actor(),
                      e.action().code(),
                      p.detailsJson(),
                      prev);
              insert.setLong(1, id);
              insert.setLong(2, p.at().toEpochMilli());
              insert.setString(3, e.requestId());
              insert.setString(4, e.actor());
              insert.setString(5, e.action().code());
              insert.setString(6, p.detailsJson());
              insert.setString(7, prev);
              insert.setString(8, hash);
              insert.executeUpdate();
              prev = hash;
              if (AUDIT_LOG.isInfoEnabled()) {
                // Only once the row is committed: the log never says more than the table.
                String line = logLine(p, hash);
                db.afterCommit(() -> AUDIT_LOG.info("{}", line));
              }
            }
          }
          return events.size();
        });
  }

  private static long nextId(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT nextval(pg_get_serial_sequence('audit', 'id'))");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The prev_hash after rows without a hash up to {@code lastId}: those after the last chained row
   * (all of them, before the chain began; one an older replica wrote during a rolling deploy).
   */
  private static String anchor(Connection c, long lastId) throws SQLException {
    long chainedId = 0;
    @Nullable String chainedHash = null;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1")) {
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          chainedId = rs.getLong(1);
          chainedHash = rs.getString(2);
        }
      }
    }
    AuditChain.Anchor anchor = new AuditChain.Anchor(chainedHash);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, at, request_id, actor, action, details FROM audit"
                + " WHERE id > ? AND id <= ? ORDER BY id")) {
      ps.setLong(1, chainedId);
      ps.setLong(2, lastId);
      ps.setFetchSize(1_000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          anchor.add(
              rs.getLong(1),
              rs.getLong(2),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getString(6));
        }
      }
    }
    if (chainedHash == null) {
      log.info("audit chain begins: its first event covers {} earlier events", anchor.rows());
    } else {
      log.warn(
          "audit chain: {} events were written without a hash (by an older Keysmith?); the next"
              + " event covers them",
          anchor.rows());
    }
    return anchor.finish();
  }

  @Override
  public List<AuditEvent> forRequest(String requestId) {
    List<AuditEvent> stored =
        db.withConnection(
            "read audit events",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT at, request_id, actor, action, details FROM audit"
                          + " WHERE request_id = ? ORDER BY id")) {
                ps.setString(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                  List<AuditEvent> events = new ArrayList<>();
                  while (rs.next()) {
                    events.add(
                        new AuditEvent(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            rs.getString(2),
                            rs.getString(3),
                            AuditAction.ofCode(rs.getString(4)),
                            read(rs.getString(5))));
                  }
                  return events;
                }
              }
            });
    if (db.hasTransaction()) {
      // Events this transaction recorded wait for its commit: they are read as they will be.
      for (Pending p : db.<List<Pending>>gathered(PENDING, ArrayList::new, this::append)) {
        if (requestId.equals(p.event().requestId())) {
          stored.add(
              new AuditEvent(
                  p.at(),
                  p.event().requestId(),
                  p.event().actor(),
                  p.event().action(),
                  p.event().details()));
        }
      }
    }
    return List.copyOf(stored);
  }

  // Written with a streaming generator: the audit write runs before a Slack ack, and building
  // Jackson trees for it cost more than the insert.
  private static String detailsJson(Map<String, String> details) {
    return write(
        "details",
        g -> {
          g.writeStartObject();
          for (Map.Entry<String, String> e : details.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
        });
  }

  private static String logLine(Pending p, String hash) {
    AuditEvent event = p.event();
    // Jackson escapes newlines inside strings, so user text cannot forge a second line.
    return write(
        "log line",
        g -> {
          g.writeStartObject();
          g.writeStringField("at", p.at().toString());
          g.writeStringField("requestId", event.requestId());
          g.writeStringField("actor", event.actor());
          g.writeStringField("action", event.action().code());
          g.writeFieldName("details");
          g.writeRawValue(p.detailsJson());
          g.writeStringField("hash", hash);
          g.writeEndObject();
        });
  }

  /** What writes one JSON value. */
  @FunctionalInterface
  private interface JsonWriting {
    void writeTo(JsonGenerator generator) throws IOException;
  }

  private static String write(String what, JsonWriting writing) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      writing.writeTo(g);
    } catch (IOException e) {
      throw new StoreException("append audit event failed: cannot write the " + what, e);
    }
    return out.toString();
  }

  private static Map<String, String> read(String details) {
    try {
      return JSON.readValue(details, DETAILS);
    } catch (JsonProcessingException e) {
      throw new StoreException("read audit events failed: details are not a JSON object", e);
    }
  }
}
