package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keysmith audit verify} and {@code export} as an operator runs them, on the database the
 * bot wrote: intact, then broken by editing a row and by deleting one, and the break reported.
 */
class AuditCommandIT {
  @TempDir Path dir;
  private Path dataDir;
  private final Map<String, String> env = new HashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Instant now = Clock.systemUTC().instant();

  @BeforeEach
  void setUp() throws Exception {
    dataDir = dir.resolve("data");
    Path config = dir.resolve("keysmith.yml");
    Files.writeString(
        config,
        "approvers:\n  users: [U0APPROVER1]\napprovalsChannel: C0APPROVALS\n"
            + "groups: [developers]\niam:\n  path: /keysmith/\ndataDir: "
            + dataDir
            + "\n");
    env.put("SLACK_BOT_TOKEN", "xoxb-1-audit-botsecret");
    env.put("SLACK_SIGNING_SECRET", "audit-signing-secret");
    env.put("KEYSMITH_CONFIG", config.toString());
    try (Database db = Database.open(dataDir)) {
      SqlAuditTrail trail = new SqlAuditTrail(db);
      // Two months ago, then today: the export's --since sees only the recent ones.
      trail.record(
          event(now.minusSeconds(60L * 86_400), "KS-OLD001", AuditAction.REQUEST_SUBMITTED));
      trail.record(event(now.minusSeconds(120), "KS-AAAAAA", AuditAction.REQUEST_SUBMITTED));
      trail.record(event(now.minusSeconds(60), "KS-AAAAAA", AuditAction.REQUEST_APPROVED));
      trail.record(event(now.minusSeconds(30), "KS-AAAAAA", AuditAction.REQUEST_PROVISIONED));
    }
  }

  private static AuditEvent event(Instant at, String id, AuditAction action) {
    return new AuditEvent(
        at, id, "U0ALICE01", action, Map.of("justification", "=HYPERLINK(\"x\"), \"quoted\""));
  }

  private OptionalInt command(String... args) {
    out.reset();
    err.reset();
    return Keysmith.command(
        List.of(args),
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void verify_intact_thenEditedRow_reportsThatEvent_andExits1() {
    assertEquals(
        OptionalInt.of(0), command("audit", "verify"), err.toString(StandardCharsets.UTF_8));
    assertTrue(out().startsWith("audit chain intact: 4 events, from "), out());
    assertTrue(out().contains(", head 4 "), out());

    tamper("UPDATE audit SET details = '{\"justification\":\"nothing to see\"}' WHERE id = 3");

    assertEquals(OptionalInt.of(1), command("audit", "verify"));
    assertTrue(out().startsWith("audit chain BROKEN at event 3 ("), out());
    assertTrue(out().contains("request.approved): its content does not match its hash"), out());
  }

  @Test
  void verify_deletedMiddleRow_reportsTheEventAfterIt() {
    tamper("DELETE FROM audit WHERE id = 2");

    assertEquals(OptionalInt.of(1), command("audit", "verify"));
    assertTrue(out().startsWith("audit chain BROKEN at event 3 ("), out());
    assertTrue(out().contains("prev_hash does not match the event before it"), out());
  }

  @Test
  void export_jsonlSince30d_writesTheRecentEventsOnePerLine() throws Exception {
    assertEquals(OptionalInt.of(0), command("audit", "export", "--since", "30d"));

    List<String> lines = out().lines().toList();
    assertEquals(3, lines.size(), out());
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertEquals(
        List.of("at", "id", "requestId", "actor", "action", "details", "hash", "prevHash"),
        iterable(first));
    assertEquals(2, first.get("id").asLong());
    assertEquals("request.submitted", first.get("action").asText());
    assertEquals(
        "=HYPERLINK(\"x\"), \"quoted\"", first.get("details").get("justification").asText());
    JsonNode second = new ObjectMapper().readTree(lines.get(1));
    assertEquals(first.get("hash").asText(), second.get("prevHash").asText());
  }

  @Test
  void export_csvToFile_hasHeaderQuotingAndNoFormula() throws Exception {
    Path file = dir.resolve("audit.csv");

    assertEquals(
        OptionalInt.of(0),
        command(
            "audit",
            "export",
            "--since=2000-01-01",
            "--format",
            "csv",
            "--output",
            file.toString()));

    assertTrue(out().startsWith("audit export: 4 events since 2000-01-01T00:00:00Z to "), out());
    String csv = Files.readString(file);
    List<String> rows = List.of(csv.split("\r\n"));
    assertEquals("at,id,requestId,actor,action,details,hash,prevHash", rows.get(0));
    assertEquals(5, rows.size(), csv);
    assertTrue(
        rows.get(1)
            .contains(
                ",KS-OLD001,U0ALICE01,request.submitted,"
                    + "\"{\"\"justification\"\":\"\"=HYPERLINK(\\\"\"x\\\"\"), \\\"\"quoted\\\"\"\"\"}\","),
        rows.get(1));
  }

  @Test
  void export_badArguments_sayWhatIsWrong_andExit2() {
    assertEquals(OptionalInt.of(2), command("audit", "export", "--since", "a month"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--since takes a time back from now"));
    assertEquals(OptionalInt.of(2), command("audit", "export", "--format", "xml"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("--format is jsonl or csv, not 'xml'"));
    assertEquals(OptionalInt.of(2), command("audit", "export", "--since"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'--since' needs a value"));
    assertEquals(OptionalInt.of(2), command("audit", "frobnicate"));
    assertEquals(OptionalInt.of(2), command("audit"));
    assertEquals(OptionalInt.of(2), command("audit", "verify", "--all"));
    assertFalse(out().contains("audit chain"));
  }

  @Test
  void verify_noDatabaseInTheDataDirectory_saysSo_andMakesNone() throws Exception {
    Path elsewhere = dir.resolve("elsewhere");
    Files.writeString(
        Path.of(env.get("KEYSMITH_CONFIG")),
        Files.readString(Path.of(env.get("KEYSMITH_CONFIG")))
            .replace(dataDir.toString(), elsewhere.toString()));

    assertEquals(OptionalInt.of(1), command("audit", "verify"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("no database in " + elsewhere),
        err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(elsewhere.resolve("keysmith.db")));
  }

  private void tamper(String sql) {
    try (Database db = Database.open(dataDir)) {
      db.withConnection(
          "tamper",
          c -> {
            try (Statement s = c.createStatement()) {
              s.execute("DROP TRIGGER audit_no_update");
              s.execute("DROP TRIGGER audit_no_delete");
              return s.executeUpdate(sql);
            }
          });
    }
  }

  private static List<String> iterable(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
