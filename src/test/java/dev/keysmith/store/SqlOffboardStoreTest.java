package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.offboard.OffboardCause;
import dev.keysmith.offboard.OffboardState;
import dev.keysmith.offboard.OffboardStep;
import dev.keysmith.offboard.Offboarding;
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
class SqlOffboardStoreTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-12-01T10:15:30.123Z");

  @TempDir Path dataDir;
  private Database db;
  private SqlOffboardStore store;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlOffboardStore(db);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void insert_secondOffboardingOfAUserUnderWayIgnoringCase_isRefused() {
    assertTrue(store.insert(offboarding("OB-AAAAAA", "Alice", OffboardState.PLANNED)));

    assertFalse(store.insert(offboarding("OB-BBBBBB", "alice", OffboardState.PLANNED)));

    assertEquals("OB-AAAAAA", store.findUnderWay("ALICE").orElseThrow().id());
  }

  @Test
  void insert_takenId_isRefusedAndKeepsTheFirst() {
    Offboarding first = offboarding("OB-AAAAAA", "alice", OffboardState.PLANNED);
    store.insert(first);

    assertFalse(store.insert(offboarding("OB-AAAAAA", "bob", OffboardState.PLANNED)));

    assertEquals(Optional.of(first), store.find("OB-AAAAAA"));
  }

  @Test
  void compareAndSet_wrongState_changesNothing() {
    Offboarding planned = offboarding("OB-AAAAAA", "alice", OffboardState.PLANNED);
    store.insert(planned);

    assertFalse(
        store.compareAndSet(OffboardState.RUNNING, with(planned, OffboardState.DONE, List.of())));

    assertEquals(Optional.of(planned), store.find("OB-AAAAAA"));
  }

  @Test
  void roundTrip_keepsEveryField_andAFinishedOffboardingFreesTheUser() {
    Offboarding planned = offboarding("OB-AAAAAA", "alice", OffboardState.PLANNED);
    store.insert(planned);
    Offboarding running =
        with(
            planned,
            OffboardState.RUNNING,
            List.of(OffboardStep.ACCESS_KEYS, OffboardStep.LOGIN_PROFILE));
    assertTrue(store.compareAndSet(OffboardState.PLANNED, running));
    assertEquals(Optional.of(running), store.find("OB-AAAAAA"));
    assertEquals(List.of(running), store.findByState(OffboardState.RUNNING));
    Offboarding failed =
        new Offboarding(
            "OB-AAAAAA",
            OffboardState.FAILED,
            "alice",
            null,
            "keysmith",
            OffboardCause.EXPIRED,
            running.stepsDone(),
            T0,
            T0.plusSeconds(9),
            OffboardStep.GROUPS,
            "IAM refused (AccessDenied).");

    assertTrue(store.compareAndSet(OffboardState.RUNNING, failed));

    assertEquals(Optional.of(failed), store.find("OB-AAAAAA"));
    assertEquals(Optional.empty(), store.findUnderWay("alice"));
    assertTrue(store.insert(offboarding("OB-BBBBBB", "alice", OffboardState.PLANNED)));
  }

  private static Offboarding offboarding(String id, String user, OffboardState state) {
    return new Offboarding(
        id,
        state,
        user,
        "U0OWNER",
        "U0APPROVER",
        OffboardCause.APPROVER,
        List.of(),
        T0,
        T0,
        null,
        null);
  }

  private static Offboarding with(Offboarding o, OffboardState state, List<OffboardStep> done) {
    return new Offboarding(
        o.id(),
        state,
        o.iamUser(),
        o.ownerId(),
        o.startedBy(),
        o.cause(),
        done,
        o.createdAt(),
        o.updatedAt().plusMillis(1),
        null,
        null);
  }
}
