package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlAuditTrailTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2025-03-01T10:15:30.123Z");

  @TempDir Path dataDir;
  private Database db;
  private SqlAuditTrail trail;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger auditLogger = (Logger) LoggerFactory.getLogger("keysmith.audit");
  private Level auditLevel;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    trail = new SqlAuditTrail(db);
    appender.start();
    auditLogger.addAppender(appender);
    // The tests' logging configuration is WARN; the audit lines are INFO. Captured here, they need
    // not reach the console too.
    auditLevel = auditLogger.getLevel();
    auditLogger.setLevel(Level.INFO);
    auditLogger.setAdditive(false);
  }

  @AfterEach
  void tearDown() {
    auditLogger.setAdditive(true);
    auditLogger.setLevel(auditLevel);
    auditLogger.detachAppender(appender);
    appender.stop();
    db.close();
  }

  @Test
  void update_auditRow_isRefusedByTrigger() {
    trail.record(
        new AuditEvent(T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));

    StoreException e =
        assertThrows(StoreException.class, () -> execute("UPDATE audit SET actor = 'U0MALLORY'"));

    assertTrue(e.getCause().getMessage().contains("append-only"), e.getCause().getMessage());
    assertEquals("U0ALICE01", trail.forRequest("KS-AAAAAA").get(0).actor());
  }

  @Test
  void delete_auditRow_isRefusedByTrigger() {
    trail.record(
        new AuditEvent(T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));

    StoreException e = assertThrows(StoreException.class, () -> execute("DELETE FROM audit"));

    assertTrue(e.getCause().getMessage().contains("append-only"), e.getCause().getMessage());
    assertEquals(1, trail.forRequest("KS-AAAAAA").size());
  }

  @Test
  void forRequest_unknownRequest_isEmpty() {
    trail.record(
        new AuditEvent(T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));

    assertEquals(List.of(), trail.forRequest("KS-NOPE00"));
  }

  @Test
  void record_severalEvents_readBackInOrderPerRequest() {
    AuditEvent submitted =
        new AuditEvent(
            T0,
            "KS-AAAAAA",
            "U0ALICE01",
            AuditAction.REQUEST_SUBMITTED,
            Map.of("group", "developers"));
    AuditEvent other =
        new AuditEvent(T0, "KS-BBBBBB", "U0BOB0001", AuditAction.REQUEST_SUBMITTED, Map.of());
    AuditEvent noRequest =
        new AuditEvent(T0, null, AuditEvent.SYSTEM, AuditAction.KEYS_LINKED, Map.of());
    // Same instant as the first: order must come from insertion, not from time.
    AuditEvent approved =
        new AuditEvent(
            T0, "KS-AAAAAA", "U0APPROVR", AuditAction.REQUEST_APPROVED, Map.of("b", "2", "a", "1"));
    AuditEvent created =
        new AuditEvent(
            T0.plusSeconds(1),
            "KS-AAAAAA",
            AuditEvent.SYSTEM,
            AuditAction.IAM_CREATE_USER,
            Map.of());

    for (AuditEvent event : List.of(submitted, other, noRequest, approved, created)) {
      trail.record(event);
    }

    assertEquals(List.of(submitted, approved, created), trail.forRequest("KS-AAAAAA"));
    assertEquals(List.of(other), trail.forRequest("KS-BBBBBB"));
  }

  @Test
  void record_event_storesDetailsAsJsonObject() {
    trail.record(
        new AuditEvent(
            T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of("k", "v")));

    String stored =
        db.withConnection(
            "test query",
            c -> {
              try (PreparedStatement ps = c.prepareStatement("SELECT details FROM audit");
                  ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
              }
            });

    assertEquals("{\"k\":\"v\"}", stored);
  }

  @Test
  void record_event_logsExactlyOneJsonLineOnAuditLogger() throws Exception {
    trail.record(
        new AuditEvent(
            Instant.parse("2025-03-01T10:15:30.123456Z"),
            "KS-AAAAAA",
            "U0ALICE01",
            AuditAction.REQUEST_SUBMITTED,
            Map.of("justification", "line one\nline two <!channel>", "group", "developers")));

    assertEquals(1, appender.list.size());
    ILoggingEvent logged = appender.list.get(0);
    assertEquals(Level.INFO, logged.getLevel());
    assertEquals("keysmith.audit", logged.getLoggerName());
    String line = logged.getFormattedMessage();
    assertFalse(line.contains("\n"), line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals(
        List.of("at", "requestId", "actor", "action", "details", "hash"),
        List.copyOf(iterable(json.fieldNames())));
    assertEquals("2025-03-01T10:15:30.123Z", json.get("at").asText());
    assertEquals("KS-AAAAAA", json.get("requestId").asText());
    assertEquals("U0ALICE01", json.get("actor").asText());
    assertEquals("request.submitted", json.get("action").asText());
    assertEquals("developers", json.get("details").get("group").asText());
    assertEquals(
        "line one\nline two <!channel>", json.get("details").get("justification").asText());
    assertEquals(
        new SqlAuditChain(db).verify().last().hash(),
        json.get("hash").asText(),
        "the shipped line anchors the chain");
  }

  @Test
  void record_eventWithoutRequest_logsNullRequestId() throws Exception {
    trail.record(new AuditEvent(T0, null, AuditEvent.SYSTEM, AuditAction.KEYS_LINKED, Map.of()));

    assertEquals(1, appender.list.size());
    JsonNode json = new ObjectMapper().readTree(appender.list.get(0).getFormattedMessage());
    assertTrue(json.get("requestId").isNull());
    assertTrue(json.get("details").isObject());
    assertEquals(0, json.get("details").size());
  }

  @Test
  void record_twoEvents_logsTwoLines() {
    trail.record(
        new AuditEvent(T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));
    trail.record(
        new AuditEvent(T0, "KS-AAAAAA", "U0APPROVR", AuditAction.REQUEST_APPROVED, Map.of()));

    assertEquals(2, appender.list.size());
  }

  @Test
  void record_insideATransactionThatRollsBack_leavesNeitherRowNorLogLine() {
    assertThrows(
        IllegalStateException.class,
        () ->
            db.atomically(
                "submit",
                () -> {
                  trail.record(
                      new AuditEvent(
                          T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));
                  assertTrue(appender.list.isEmpty(), "not logged before the commit");
                  throw new IllegalStateException("the request row could not be written");
                }));

    assertTrue(trail.forRequest("KS-AAAAAA").isEmpty());
    assertTrue(appender.list.isEmpty(), "the log never says more than the table");
  }

  @Test
  void record_insideATransaction_isLoggedWhenItCommits() {
    db.atomically(
        "submit",
        () -> {
          trail.record(
              new AuditEvent(
                  T0, "KS-AAAAAA", "U0ALICE01", AuditAction.REQUEST_SUBMITTED, Map.of()));
          assertTrue(appender.list.isEmpty(), "not logged before the commit");
          return null;
        });

    assertEquals(1, trail.forRequest("KS-AAAAAA").size());
    assertEquals(1, appender.list.size());
  }

  private void execute(String sql) {
    db.withConnection(
        "test statement",
        c -> {
          try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
          }
        });
  }

  private static <T> List<T> iterable(Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
