package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqliteAuditTrail;
import dev.keysmith.store.SqliteRequestStore;
import dev.keysmith.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestTransitionsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dataDir;
  private Database db;
  private SqliteRequestStore store;
  private SqliteAuditTrail audit;
  private final MutableClock clock = new MutableClock(T0);
  private AccessRequest pending;

  @BeforeEach
  void setUp() {
    db = Database.open(dataDir);
    store = new SqliteRequestStore(db);
    audit = new SqliteAuditTrail(db);
    pending =
        AccessRequest.pending(
                "KS-ABC123",
                new RequestForm("alice", "developers", AccessType.PROGRAMMATIC, "U0OWNER", "why"),
                "U0REQ",
                T0)
            .withApprovalMessage("C0APPROVALS", "1.2");
    assertTrue(store.insert(pending));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void move_storesTheNextStateAndItsAuditEventTogether() {
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertTrue(
        new RequestTransitions(store, db, audit, clock)
            .move(RequestState.PENDING, approved, "U0APPR", "request.approved", Map.of()));

    assertEquals(RequestState.APPROVED, store.find("KS-ABC123").orElseThrow().state());
    assertEquals(
        List.of("request.approved"),
        audit.forRequest("KS-ABC123").stream().map(AuditEvent::action).toList());
  }

  @Test
  void move_fromAStateTheRequestIsNoLongerIn_changesAndAuditsNothing() {
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertFalse(
        new RequestTransitions(store, db, audit, clock)
            .move(RequestState.APPROVED, approved, "U0APPR", "request.approved", Map.of()));

    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
    assertTrue(audit.forRequest("KS-ABC123").isEmpty());
  }

  @Test
  void move_whoseAuditEventCannotBeWritten_leavesTheStateAsItWas() {
    AuditTrail broken =
        new AuditTrail() {
          @Override
          public void record(AuditEvent event) {
            throw new IllegalStateException("the audit table is unwritable");
          }

          @Override
          public List<AuditEvent> forRequest(String requestId) {
            return List.of();
          }
        };
    AccessRequest approved = RequestWorkflow.approve(pending, "U0APPR", true, T0);

    assertThrows(
        IllegalStateException.class,
        () ->
            new RequestTransitions(store, db, broken, clock)
                .move(RequestState.PENDING, approved, "U0APPR", "request.approved", Map.of()));

    assertEquals(RequestState.PENDING, store.find("KS-ABC123").orElseThrow().state());
  }
}
