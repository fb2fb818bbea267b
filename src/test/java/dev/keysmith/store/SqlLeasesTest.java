package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.jobs.Replica;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/** Leases keep what one replica is in the middle of from another, until its replica stops. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlLeasesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");
  private static final String REVEAL = "reveal:KS-ABC123";

  @Parameter Database.Dialect dialect;
  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(T0);
  private TestDatabase testDb;
  private Database db;
  private Database second;
  private SqlLeases a;
  private SqlLeases b;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    second = testDb.open();
    a = new SqlLeases(db, clock, new Replica("replica-a", Replica.LEASE_TERM));
    b = new SqlLeases(second, clock, new Replica("replica-b", Replica.LEASE_TERM));
  }

  @AfterEach
  void tearDown() {
    second.close();
    db.close();
  }

  @Test
  void tryHold_aSubjectAnotherReplicaHolds_isRefusedUntilItsLeaseRunsOut() {
    assertTrue(a.tryHold(REVEAL));
    assertFalse(a.tryHold(REVEAL), "not twice, even by the same replica");

    assertFalse(b.tryHold(REVEAL));
    clock.advance(Replica.LEASE_TERM.minusSeconds(1));
    assertFalse(b.tryHold(REVEAL), "one second left");
    clock.advance(Duration.ofSeconds(2));

    assertTrue(b.tryHold(REVEAL), "replica-a stopped renewing: its lease ran out");
    assertFalse(a.tryHold(REVEAL), "and replica-a, back, cannot take it again");
  }

  @Test
  void renewAll_keepsEveryLeaseOfItsReplicaAndNoOther() {
    assertTrue(a.tryHold(REVEAL));
    assertTrue(a.tryHold("mint:RT-ABC123"));
    assertTrue(b.tryHold("provision:KS-XYZ789"));
    clock.advance(Duration.ofSeconds(50));

    assertEquals(2, a.renewAll());
    clock.advance(Duration.ofSeconds(50)); // 100 s after b took its lease, 50 s after a renewed

    assertFalse(b.tryHold(REVEAL));
    assertFalse(b.tryHold("mint:RT-ABC123"));
    assertTrue(a.tryHold("provision:KS-XYZ789"), "b did not renew");
  }

  @Test
  void release_endsOnlyItsOwnLease() {
    assertTrue(a.tryHold(REVEAL));

    b.release(REVEAL);
    assertFalse(b.tryHold(REVEAL), "b cannot release a's lease");
    a.release(REVEAL);

    assertTrue(b.tryHold(REVEAL));
  }

  @Test
  void endAll_endsEveryReplicasLeases() {
    assertTrue(a.tryHold(REVEAL));
    assertTrue(b.tryHold("mint:RT-ABC123"));

    assertEquals(2, a.endAll());

    assertTrue(b.tryHold(REVEAL));
    assertTrue(a.tryHold("mint:RT-ABC123"));
  }

  @Test
  void handOver_endsItsOwnLeasesAndClaimsAtOnce_andNoOthers() {
    Replica replicaA = new Replica("replica-a", Replica.LEASE_TERM);
    Replica replicaB = new Replica("replica-b", Replica.LEASE_TERM);
    SqlJobStore jobsOfA = new SqlJobStore(db, clock, replicaA);
    SqlJobStore jobsOfB = new SqlJobStore(second, clock, replicaB);
    long mine = jobsOfA.schedule("request.provision", "KS-ABC123", Map.of(), T0);
    long theirs = jobsOfA.schedule("request.provision", "KS-XYZ789", Map.of(), T0);
    assertEquals(mine, jobsOfA.claimNext(T0).orElseThrow().id());
    assertEquals(theirs, jobsOfB.claimNext(T0).orElseThrow().id());
    assertTrue(a.tryHold(REVEAL));
    assertTrue(b.tryHold("mint:alice"));

    assertEquals(2, a.handOver());

    assertTrue(b.tryHold(REVEAL), "taken up at once, not a minute later");
    assertFalse(a.tryHold("mint:alice"), "b's lease stands");
    assertEquals(mine, jobsOfB.claimNext(T0).orElseThrow().id(), "a's job waits again");
    assertEquals(Optional.empty(), jobsOfA.claimNext(T0), "b's job still runs on b");
  }

  @Test
  void tryHold_twoReplicasRacingForOneSubject_exactlyOneHoldsIt() throws Exception {
    for (int round = 0; round < 20; round++) {
      String subject = "reveal:KS-RACE" + round;
      CyclicBarrier start = new CyclicBarrier(4);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (SqlLeases leases : List.of(a, b, a, b)) {
          results.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return leases.tryHold(subject);
                  }));
        }
        int aWon = 0;
        int bWon = 0;
        for (int i = 0; i < results.size(); i++) {
          if (results.get(i).get(10, TimeUnit.SECONDS)) {
            if (i % 2 == 0) {
              aWon++;
            } else {
              bWon++;
            }
          }
        }
        assertEquals(1, aWon + bWon, "round " + round + ": " + aWon + " + " + bWon + " hold it");
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
