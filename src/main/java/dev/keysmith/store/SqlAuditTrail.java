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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AuditTrail} in the {@code audit} table, whose triggers refuse updates and deletes. Each
 * event is also logged as one JSON line at INFO on the logger {@code keysmith.audit}, so it can be
 * shipped off the machine; an event written inside a transaction is logged when it commits.
 */
public final class SqlAuditTrail implements AuditTrail {
  private static final Logger AUDIT_LOG = LoggerFactory.getLogger("keysmith.audit");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {};

  private final Database db;

  /** An audit trail in {@code db}, which must be open. */
  public SqlAuditTrail(Database db) {
    this.db = db;
  }

  @Override
  public void record(AuditEvent event) {
    // The table keeps milliseconds; the log line says the same instant as the row.
    Instant at = event.at().truncatedTo(ChronoUnit.MILLIS);
    String detailsJson = detailsJson(new TreeMap<>(event.details()));
    db.withConnection(
        "append audit event",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO audit (at, request_id, actor, action, details)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, at.toEpochMilli());
            ps.setString(2, event.requestId());
            ps.setString(3, event.actor());
            ps.setString(4, event.action().code());
            ps.setString(5, detailsJson);
            return ps.executeUpdate();
          }
        });
    if (AUDIT_LOG.isInfoEnabled()) {
      // Inside a transaction, only once the row is committed: the log never says more than the
      // table.
      String line = logLine(at, event, detailsJson);
      db.afterCommit(() -> AUDIT_LOG.info("{}", line));
    }
  }

  @Override
  public List<AuditEvent> forRequest(String requestId) {
    return db.withConnection(
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
              return List.copyOf(events);
            }
          }
        });
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

  private static String logLine(Instant at, AuditEvent event, String detailsJson) {
    // Jackson escapes newlines inside strings, so user text cannot forge a second line.
    return write(
        "log line",
        g -> {
          g.writeStartObject();
          g.writeStringField("at", at.toString());
          g.writeStringField("requestId", event.requestId());
          g.writeStringField("actor", event.actor());
          g.writeStringField("action", event.action().code());
          g.writeFieldName("details");
          g.writeRawValue(detailsJson);
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
