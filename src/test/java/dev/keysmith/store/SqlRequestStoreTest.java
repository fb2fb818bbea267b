package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestState;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlRequestStoreTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2025-03-01T10:15:30.123Z");

  @TempDir Path dataDir;
  private Database db;
  private SqlRequestStore store;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlRequestStore(db);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void insert_duplicateId_returnsFalseAndKeepsFirst() {
    AccessRequest first = pending("KS-AAAAAA", "alice");
    AccessRequest second = pending("KS-AAAAAA", "bob");

    assertTrue(store.insert(first));
    assertFalse(store.insert(second));

    assertEquals(Optional.of(first), store.find("KS-AAAAAA"));
  }

  @Test
  void compareAndSet_wrongState_returnsFalseAndChangesNothing() {
    AccessRequest request = pending("KS-AAAAAA", "alice");
    store.insert(request);

    boolean moved =
        store.compareAndSet(
            RequestState.APPROVED, request.withState(RequestState.PROVISIONED, T0.plusSeconds(1)));

    assertFalse(moved);
    assertEquals(Optional.of(request), store.find("KS-AAAAAA"));
  }

  @Test
  void compareAndSet_unknownId_returnsFalse() {
    assertFalse(store.compareAndSet(RequestState.PENDING, pending("KS-NOPE00", "alice")));
    assertEquals(Optional.empty(), store.find("KS-NOPE00"));
  }

  @Test
  void find_unknownId_isEmpty() {
    assertEquals(Optional.empty(), store.find("KS-NOPE00"));
  }

  @Test
  void operations_afterClose_throwStoreException() {
    db.close();

    StoreException e = assertThrows(StoreException.class, () -> store.find("KS-AAAAAA"));
    assertTrue(e.getMessage().startsWith("find request"), e.getMessage());
  }

  @Test
  void insert_pendingWithNulls_roundTrips() {
    AccessRequest request = pending("KS-AAAAAA", "alice");

    assertTrue(store.insert(request));

    assertEquals(Optional.of(request), store.find("KS-AAAAAA"));
  }

  @Test
  void insert_everyFieldSet_roundTrips() {
    AccessRequest request =
        new AccessRequest(
            "KS-4F7Q2M",
            RequestState.REVEALED,
            "Alice.Smith",
            "developers",
            AccessType.BOTH,
            "U0OWNER01",
            "U0REQST01",
            "needs prod read <!channel> & more",
            T0,
            T0.plusSeconds(60),
            "C0APPROVE",
            "1700000000.000100",
            "W0APPROVR",
            T0.plusSeconds(30),
            "approved for the Q3 migration",
            List.of("Created IAM user `Alice.Smith`", "Added it to group `developers`"),
            T0.plusSeconds(7 * 24 * 3600),
            T0.plusSeconds(90),
            "D0OWNER01",
            "1700000000.000200",
            2,
            List.of(
                new AccessRequest.Approval("U0APPROV1", T0.plusSeconds(20)),
                new AccessRequest.Approval("W0APPROVR", T0.plusSeconds(30))),
            Duration.ofHours(8),
            "KS-ROOT00");

    assertTrue(store.insert(request));

    assertEquals(Optional.of(request), store.find("KS-4F7Q2M"));
  }

  @Test
  void insert_subMillisecondInstant_isKeptToTheMillisecond() {
    Instant precise = Instant.parse("2025-03-01T10:15:30.123456789Z");
    AccessRequest request = pending("KS-AAAAAA", "alice", precise);

    store.insert(request);

    assertEquals(
        Instant.parse("2025-03-01T10:15:30.123Z"), store.find("KS-AAAAAA").get().createdAt());
  }

  @Test
  void compareAndSet_expectedState_replacesEveryColumn() {
    AccessRequest request = pending("KS-AAAAAA", "alice");
    store.insert(request);
    AccessRequest next =
        request
            .withApprovalMessage("C0APPROVE", "1700000000.000100")
            .withDecision(RequestState.APPROVED, "U0APPROVR", "ok", T0.plusSeconds(5));

    assertTrue(store.compareAndSet(RequestState.PENDING, next));

    assertEquals(Optional.of(next), store.find("KS-AAAAAA"));
  }

  @Test
  void compareAndSet_eightThreadsRacing_exactlyOneWins() throws Exception {
    AccessRequest request = pending("KS-AAAAAA", "alice");
    store.insert(request);
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String approver = "U0APPROV" + i;
        Callable<Boolean> click =
            () -> {
              start.await(10, TimeUnit.SECONDS);
              return store.compareAndSet(
                  RequestState.PENDING,
                  request.withDecision(RequestState.APPROVED, approver, null, T0.plusSeconds(1)));
            };
        results.add(pool.submit(click));
      }
      List<String> winners = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        if (results.get(i).get(10, TimeUnit.SECONDS)) {
          winners.add("U0APPROV" + i);
        }
      }

      assertEquals(1, winners.size(), "winners: " + winners);
      AccessRequest stored = store.find("KS-AAAAAA").orElseThrow();
      assertEquals(RequestState.APPROVED, stored.state());
      assertEquals(winners.get(0), stored.decidedBy());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void findByState_mixedStates_returnsOnlyThatStateOldestFirst() {
    AccessRequest newer = pending("KS-BBBBBB", "bob", T0.plusSeconds(10));
    AccessRequest older = pending("KS-CCCCCC", "carol", T0);
    AccessRequest denied =
        pending("KS-DDDDDD", "dave").withDecision(RequestState.DENIED, "U0APPROVR", "no", T0);
    store.insert(newer);
    store.insert(older);
    store.insert(denied);

    assertEquals(List.of(older, newer), store.findByState(RequestState.PENDING));
    assertEquals(List.of(denied), store.findByState(RequestState.DENIED));
    assertEquals(List.of(), store.findByState(RequestState.EXPIRED));
  }

  @Test
  void findClaiming_otherCaseAndStates_returnsOnlyTheOpenRequest() {
    AccessRequest pending = pending("KS-AAAAAA", "Alice", T0);
    assertTrue(store.insert(pending));
    int i = 0;
    for (RequestState state : RequestState.values()) {
      if (!state.claimsUserName()) {
        assertTrue(store.insert(pending("KS-X0000" + i++, "alice").withState(state, T0)));
      }
    }
    store.insert(pending("KS-OTHER0", "alicia"));

    assertEquals(List.of(pending), store.findClaiming("aLiCe"));
    assertEquals(List.of(), store.findClaiming("bob"));
  }

  @Test
  void insert_aSecondOpenRequestForTheSameName_isRefusedUntilTheFirstCloses() {
    AccessRequest pending = pending("KS-AAAAAA", "Alice", T0);
    AccessRequest approved =
        pending("KS-BBBBBB", "ALICE", T0.plusSeconds(1))
            .withDecision(RequestState.APPROVED, "U0APPROVR", null, T0.plusSeconds(2));
    assertTrue(store.insert(pending));

    assertFalse(store.insert(approved));
    assertFalse(store.insert(pending("KS-CCCCCC", "alice", T0.plusSeconds(3))));

    assertTrue(
        store.compareAndSet(
            RequestState.PENDING,
            pending.withDecision(RequestState.DENIED, "U0APPROVR", "no", T0.plusSeconds(4))));
    assertTrue(store.insert(approved));
    assertEquals(List.of(approved), store.findClaiming("alice"));
  }

  @Test
  void open_again_keepsDataWithoutRerunningMigrations() {
    AccessRequest request = pending("KS-AAAAAA", "alice");
    store.insert(request);
    db.close();

    // V1 creates its tables without IF NOT EXISTS, so running it twice would fail here.
    db = testDb.open();
    store = new SqlRequestStore(db);

    assertEquals(SqliteMigrations.latestVersion(), db.schemaVersion());
    assertEquals(Optional.of(request), store.find("KS-AAAAAA"));
  }

  private static AccessRequest pending(String id, String userName) {
    return pending(id, userName, T0);
  }

  private static AccessRequest pending(String id, String userName, Instant createdAt) {
    return AccessRequest.pending(
        id,
        new RequestForm(userName, "developers", AccessType.PROGRAMMATIC, "U0OWNER01", "CI deploys"),
        "U0REQST01",
        createdAt);
  }
}
