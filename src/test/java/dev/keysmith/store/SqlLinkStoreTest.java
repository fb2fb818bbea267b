package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.rotation.LinkRequest;
import dev.keysmith.rotation.LinkState;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlLinkStoreTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-12-01T10:15:30.123Z");

  @TempDir Path dataDir;
  private Database db;
  private SqlLinkStore store;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlLinkStore(db);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void insert_secondPendingLinkOfTheSameUserIgnoringCase_isRefused() {
    assertTrue(store.insert(link("LK-AAAAAA", "Legacy", LinkState.PENDING)));

    assertFalse(store.insert(link("LK-BBBBBB", "legacy", LinkState.PENDING)));

    assertEquals("LK-AAAAAA", store.findPending("LEGACY").orElseThrow().id());
  }

  @Test
  void insert_takenId_isRefusedAndKeepsTheFirst() {
    LinkRequest first = link("LK-AAAAAA", "legacy", LinkState.PENDING);
    store.insert(first);

    assertFalse(store.insert(link("LK-AAAAAA", "other", LinkState.PENDING)));

    assertEquals(Optional.of(first), store.find("LK-AAAAAA"));
  }

  @Test
  void compareAndSet_wrongState_changesNothing() {
    LinkRequest pending = link("LK-AAAAAA", "legacy", LinkState.PENDING);
    store.insert(pending);

    assertFalse(store.compareAndSet(LinkState.APPROVED, with(pending, LinkState.LINKED)));

    assertEquals(Optional.of(pending), store.find("LK-AAAAAA"));
  }

  @Test
  void roundTrip_keepsEveryField_andAnEndedLinkFreesTheUser() {
    LinkRequest pending = link("LK-AAAAAA", "legacy", LinkState.PENDING);
    store.insert(pending);
    LinkRequest denied = with(pending, LinkState.DENIED);

    assertTrue(store.compareAndSet(LinkState.PENDING, denied));

    assertEquals(Optional.of(denied), store.find("LK-AAAAAA"));
    assertEquals(List.of(denied), store.findByState(LinkState.DENIED));
    assertEquals(Optional.empty(), store.findPending("legacy"));
    assertTrue(store.insert(link("LK-BBBBBB", "legacy", LinkState.PENDING)));
  }

  @Test
  void roundTrip_noPreviousOwnerAndNoGroups() {
    LinkRequest bare =
        new LinkRequest(
            "LK-CCCCCC",
            LinkState.PENDING,
            "bare",
            "U0OWNER",
            null,
            List.of(),
            "U0REQ",
            T0,
            T0.plusSeconds(60),
            T0,
            null,
            null,
            null,
            null);
    store.insert(bare);

    assertEquals(Optional.of(bare), store.find("LK-CCCCCC"));
  }

  private static LinkRequest link(String id, String iamUser, LinkState state) {
    return new LinkRequest(
        id,
        state,
        iamUser,
        "U0OWNER",
        "U0PREVIOUS",
        List.of("developers", "read,only"),
        "U0REQUESTER",
        T0,
        T0.plusSeconds(7 * 24 * 3600),
        T0,
        "C0APPROVALS",
        "1700000000.000100",
        null,
        null);
  }

  private static LinkRequest with(LinkRequest r, LinkState state) {
    return new LinkRequest(
        r.id(),
        state,
        r.iamUser(),
        r.ownerId(),
        r.previousOwnerId(),
        r.groups(),
        r.requesterId(),
        r.createdAt(),
        r.expiresAt(),
        r.updatedAt().plusSeconds(1),
        r.approvalChannel(),
        r.approvalTs(),
        "U0APPROVER",
        "why");
  }
}
