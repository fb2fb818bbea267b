package dev.keysmith.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysmith.store.Database;
import dev.keysmith.store.StoreException;
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
 * {@link AuditTrail} in the SQLite {@code audit} table, whose triggers refuse updates and deletes.
 * Each event is also logged as one JSON line at INFO on the logger {@code keysmith.audit}, so it
 * can be shipped off the machine.
 */
public final class SqliteAuditTrail implements AuditTrail {
  private static final Logger AUDIT_LOG = LoggerFactory.getLogger("keysmith.audit");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {};

  private final Database db;

  /** An audit trail in {@code db}, which must be open. */
  public SqliteAuditTrail(Database db) {
    this.db = db;
  }

  @Override
  public void record(AuditEvent event) {
    // The table keeps milliseconds; the log line says the same instant as the row.
    Instant at = event.at().truncatedTo(ChronoUnit.MILLIS);
    Map<String, String> details = new TreeMap<>(event.details());
    String detailsJson = write(JSON.valueToTree(details), "details");
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
            ps.setString(4, event.action());
            ps.setString(5, detailsJson);
            return ps.executeUpdate();
          }
        });
    AUDIT_LOG.info("{}", logLine(at, event, details));
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
                        rs.getString(4),
                        read(rs.getString(5))));
              }
              return List.copyOf(events);
            }
          }
        });
  }

  private static String logLine(Instant at, AuditEvent event, Map<String, String> details) {
    ObjectNode line = JSON.createObjectNode();
    line.put("at", at.toString());
    line.put("requestId", event.requestId());
    line.put("actor", event.actor());
    line.put("action", event.action());
    line.set("details", JSON.valueToTree(details));
    // Jackson escapes newlines inside strings, so user text cannot forge a second line.
    return write(line, "log line");
  }

  private static String write(Object node, String what) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new StoreException("append audit event failed: cannot write the " + what, e);
    }
  }

  private static Map<String, String> read(String details) {
    try {
      return JSON.readValue(details, DETAILS);
    } catch (JsonProcessingException e) {
      throw new StoreException("read audit events failed: details are not a JSON object", e);
    }
  }
}
