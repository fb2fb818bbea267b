package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

/** A delivery is taken in once across replicas, and its first answer is there for a repeat. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlDeliveriesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

  @Parameter Database.Dialect dialect;
  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(T0);
  private Database db;
  private Database second;
  private SqlDeliveries a;
  private SqlDeliveries b;

  @BeforeEach
  void setUp() {
    TestDatabase testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    second = testDb.open();
    a = new SqlDeliveries(db, clock);
    b = new SqlDeliveries(second, clock);
  }

  @AfterEach
  void tearDown() {
    second.close();
    db.close();
  }

  @Test
  void takeIn_aKeyAnotherReplicaTookIn_isARepeat() {
    assertTrue(a.takeIn("envelope:e1"));
    clock.advance(Duration.ofSeconds(2));
    assertFalse(b.takeIn("envelope:e1"));
    assertFalse(a.takeIn("envelope:e1"));
    assertTrue(b.takeIn("envelope:e2"));
  }

  @Test
  void answerOf_isEmptyUntilTheFirstDeliveryAnswered_thenItsAnswer() {
    assertTrue(a.takeIn("envelope:e1"));
    assertEquals(Optional.empty(), b.answerOf("envelope:e1"));
    assertEquals(Optional.empty(), b.answerOf("envelope:never"));

    a.answered("envelope:e1", "{\"envelope_id\":\"e1\"}");

    assertEquals(Optional.of("{\"envelope_id\":\"e1\"}"), b.answerOf("envelope:e1"));
  }

  @Test
  void takeIn_manyReplicasAtOnce_oneTakesItIn() throws Exception {
    int racers = 4;
    CyclicBarrier start = new CyclicBarrier(racers);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Future<Boolean>> outcomes = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        SqlDeliveries replica = i % 2 == 0 ? a : b;
        outcomes.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return replica.takeIn("envelope:race");
                }));
      }
      int firsts = 0;
      for (Future<Boolean> outcome : outcomes) {
        firsts += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(1, firsts);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void forgetBefore_forgetsOnlyOlderDeliveries() {
    a.takeIn("envelope:old");
    clock.advance(Duration.ofMinutes(90));
    a.takeIn("envelope:new");

    assertEquals(1, b.forgetBefore(T0.plus(Duration.ofHours(1))));

    assertTrue(a.takeIn("envelope:old"));
    assertFalse(a.takeIn("envelope:new"));
  }
}
