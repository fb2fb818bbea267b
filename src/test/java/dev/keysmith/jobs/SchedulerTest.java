package dev.keysmith.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
class SchedulerTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String DEACTIVATE = "rotation.deactivate-old-key";
  private static final String DELETE = "rotation.delete-old-key";
  private static final String KEY = "TESTOLDKEY0000000001";

  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(T0);
  private final List<Job> ran = Collections.synchronizedList(new ArrayList<>());
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger schedulerLog = (Logger) LoggerFactory.getLogger(Scheduler.class);
  private Database db;
  private SqlJobStore store;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlJobStore(db, clock);
    logs.start();
    schedulerLog.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    schedulerLog.detachAppender(logs);
    logs.stop();
    db.close();
  }

  // ---- unhappy paths ----

  @Test
  void runDue_unknownKind_failsTheJobWithoutRetrying() {
    long id = store.schedule("rotation.no-such-kind", KEY, Map.of(), T0);

    assertEquals(1, scheduler(Map.of(DEACTIVATE, ran::add)).runDue());

    assertEquals(List.of(), ran);
    assertEquals("FAILED", column(id, "state"));
    assertEquals("no handler for kind rotation.no-such-kind", column(id, "last_error"));
    clock.advance(Duration.ofDays(365));
    assertEquals(0, scheduler(Map.of(DEACTIVATE, ran::add)).runDue());
  }

  @Test
  void runDue_handlerAlwaysThrows_retriesAtBackoffTimesThenFails() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    List<Instant> runs = new ArrayList<>();
    Scheduler scheduler =
        scheduler(
            Map.of(
                DEACTIVATE,
                job -> {
                  runs.add(clock.instant());
                  throw new KeysmithException("IAM is throttling");
                }));

    assertEquals(1, scheduler.runDue());
    for (Duration wait : Scheduler.BACKOFF) {
      clock.advance(wait.minusMillis(1));
      assertEquals(0, scheduler.runDue(), "ran before the backoff of " + wait);
      clock.advance(Duration.ofMillis(1));
      assertEquals(1, scheduler.runDue(), "did not run after the backoff of " + wait);
    }

    Instant first = T0;
    Instant second = first.plus(Duration.ofMinutes(1));
    Instant third = second.plus(Duration.ofMinutes(5));
    Instant fourth = third.plus(Duration.ofMinutes(30));
    Instant fifth = fourth.plus(Duration.ofHours(2));
    assertEquals(List.of(first, second, third, fourth, fifth), runs);
    assertEquals("FAILED", column(id, "state"));
    assertEquals("5", column(id, "attempts"));
    assertEquals("KeysmithException: IAM is throttling", column(id, "last_error"));
    clock.advance(Duration.ofDays(365));
    assertEquals(0, scheduler.runDue());
    assertEquals(5, runs.size());
  }

  @Test
  void runDue_workHeldByAnotherReplica_comesBackAfterALeaseTerm_withoutCountingAnAttempt() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    List<Integer> attempts = new ArrayList<>();
    int[] heldFor = {Scheduler.MAX_ATTEMPTS + 2}; // longer than failures are tried
    Scheduler scheduler =
        scheduler(
            Map.of(
                DEACTIVATE,
                job -> {
                  attempts.add(job.attempts());
                  if (heldFor[0]-- > 0) {
                    throw new HeldElsewhere("key " + KEY);
                  }
                }));

    for (int i = 0; i < Scheduler.MAX_ATTEMPTS + 2; i++) {
      assertEquals(1, scheduler.runDue());
      assertEquals("PENDING", column(id, "state"));
      clock.advance(Replica.LEASE_TERM.minusMillis(1));
      assertEquals(0, scheduler.runDue(), "not before the holder's lease could run out");
      clock.advance(Duration.ofMillis(1));
    }
    assertEquals(1, scheduler.runDue());

    assertEquals("DONE", column(id, "state"));
    assertEquals(Collections.nCopies(Scheduler.MAX_ATTEMPTS + 3, 1), attempts);
  }

  @Test
  void runDue_handlerThrowsOnce_succeedsOnTheSecondAttempt() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    List<Integer> attempts = new ArrayList<>();
    Scheduler scheduler =
        scheduler(
            Map.of(
                DEACTIVATE,
                job -> {
                  attempts.add(job.attempts());
                  if (job.attempts() == 1) {
                    throw new IllegalStateException("not yet");
                  }
                }));

    scheduler.runDue();
    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue();

    assertEquals(List.of(1, 2), attempts);
    assertEquals("DONE", column(id, "state"));
  }

  @Test
  void runDue_failure_logsIdKindAndSubjectButNoDataValue() {
    long id =
        store.schedule(DEACTIVATE, KEY, Map.of("user", "alice.smith", "owner", "U0OWNER99"), T0);
    Scheduler scheduler =
        scheduler(
            Map.of(
                DEACTIVATE,
                job -> {
                  throw new KeysmithException("NoSuchEntity");
                }));

    scheduler.runDue();

    assertEquals(1, logs.list.size());
    String line = logs.list.get(0).getFormattedMessage();
    assertTrue(line.contains("job " + id + " (" + DEACTIVATE + " about " + KEY + ")"), line);
    assertTrue(line.contains("attempt 1"), line);
    assertTrue(line.contains("NoSuchEntity"), line);
    assertFalse(line.contains("alice.smith"), line);
    assertFalse(line.contains("U0OWNER99"), line);
  }

  @Test
  void runDue_handlerInterrupted_givesTheJobBackDueNowAndStops() {
    long interrupted = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    store.schedule(DELETE, KEY, Map.of(), T0.plusSeconds(1));
    clock.advance(Duration.ofSeconds(5));
    Scheduler scheduler =
        scheduler(
            Map.of(
                DEACTIVATE,
                job -> {
                  throw new InterruptedException();
                },
                DELETE,
                ran::add));

    try {
      assertEquals(1, scheduler.runDue());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }

    assertEquals(List.of(), ran);
    Job givenBack =
        store.pending(KEY).stream().filter(j -> j.id() == interrupted).findFirst().orElseThrow();
    assertEquals(clock.instant(), givenBack.dueAt());
    assertEquals(0, givenBack.attempts(), "a stop is not an attempt");
    assertEquals(2, store.pending(KEY).size(), "the other due job was left for the next run");
  }

  @Test
  void runDue_notDue_runsNothing() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0.plus(Duration.ofDays(7)));
    clock.advance(Duration.ofDays(7).minusMillis(1));

    assertEquals(0, scheduler(Map.of(DEACTIVATE, ran::add)).runDue());

    assertEquals(List.of(), ran);
  }

  @Test
  void runDue_cancelled_runsNothing() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0.plus(Duration.ofDays(7)));
    assertEquals(1, store.cancel(DEACTIVATE, KEY));
    clock.advance(Duration.ofDays(8));

    assertEquals(0, scheduler(Map.of(DEACTIVATE, ran::add)).runDue());

    assertEquals(List.of(), ran);
  }

  // ---- happy paths ----

  @Test
  void runDue_due_runsOnceWithItsData() {
    Map<String, String> data = Map.of("user", "alice.smith", "newKey", "TESTNEWKEY0000000001");
    long id = store.schedule(DEACTIVATE, KEY, data, T0.plus(Duration.ofDays(7)));
    Scheduler scheduler = scheduler(Map.of(DEACTIVATE, ran::add));
    clock.advance(Duration.ofDays(7));

    assertEquals(1, scheduler.runDue());
    assertEquals(0, scheduler.runDue());

    assertEquals(List.of(new Job(id, DEACTIVATE, KEY, data, T0.plus(Duration.ofDays(7)), 1)), ran);
    assertEquals("DONE", column(id, "state"));
  }

  @Test
  void runDue_severalDue_runsThemInDueOrder() {
    store.schedule(DELETE, "third", Map.of(), T0.plusSeconds(3));
    store.schedule(DEACTIVATE, "first", Map.of(), T0.plusSeconds(1));
    store.schedule(DELETE, "second", Map.of(), T0.plusSeconds(2));
    clock.advance(Duration.ofSeconds(3));

    assertEquals(3, scheduler(Map.of(DEACTIVATE, ran::add, DELETE, ran::add)).runDue());

    assertEquals(List.of("first", "second", "third"), ran.stream().map(Job::subject).toList());
  }

  @Test
  void runDue_dueWhileDown_runsOnceWhenBackUp() {
    store.schedule(DEACTIVATE, KEY, Map.of("user", "alice"), T0.plus(Duration.ofDays(7)));
    db.close();
    // Keysmith is down for a month, past the job's due time.
    clock.advance(Duration.ofDays(30));

    db = testDb.open();
    store = new SqlJobStore(db, clock);
    assertEquals(0, store.requeueInterrupted());
    Scheduler scheduler = scheduler(Map.of(DEACTIVATE, ran::add));

    assertEquals(1, scheduler.runDue());
    assertEquals(0, scheduler.runDue());
    assertEquals(List.of(KEY), ran.stream().map(Job::subject).toList());
  }

  @Test
  void runDue_cutOffByACrash_runsAgainOnceAfterRequeue() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    // The crash: claimed, never completed.
    assertTrue(store.claimNext(T0).isPresent());
    db.close();
    clock.advance(Duration.ofHours(1));

    db = testDb.open();
    store = new SqlJobStore(db, clock);
    Scheduler scheduler = scheduler(Map.of(DEACTIVATE, ran::add));
    assertEquals(0, scheduler.runDue(), "a RUNNING job must wait for requeueInterrupted");
    assertEquals(1, store.requeueInterrupted());

    assertEquals(1, scheduler.runDue());
    assertEquals(0, scheduler.runDue());
    assertEquals(List.of(new Job(id, DEACTIVATE, KEY, Map.of(), T0, 2)), ran);
  }

  @Test
  void runDue_handlerSchedulesAFollowUp_followUpRunsWhenDue() {
    Map<String, JobHandler> handlers =
        Map.of(
            DEACTIVATE,
            job -> {
              ran.add(job);
              store.schedule(
                  DELETE, job.subject(), job.data(), clock.instant().plus(Duration.ofDays(7)));
            },
            DELETE,
            ran::add);
    store.schedule(DEACTIVATE, KEY, Map.of("user", "alice"), T0);
    Scheduler scheduler = scheduler(handlers);

    assertEquals(1, scheduler.runDue());
    assertEquals(List.of(DELETE), store.pending(KEY).stream().map(Job::kind).toList());
    clock.advance(Duration.ofDays(7));
    assertEquals(1, scheduler.runDue());

    assertEquals(List.of(DEACTIVATE, DELETE), ran.stream().map(Job::kind).toList());
    assertEquals(Map.of("user", "alice"), ran.get(1).data());
  }

  @Test
  void runDue_moreDueThanTheLimit_stopsAtTheLimit() {
    for (int i = 0; i < 5; i++) {
      store.schedule(DEACTIVATE, "key-" + i, Map.of(), T0);
    }
    Scheduler scheduler =
        new Scheduler(store, clock, Map.of(DEACTIVATE, ran::add), /* maxJobsPerRun= */ 3);

    assertEquals(3, scheduler.runDue());
    assertEquals(2, scheduler.runDue());
    assertEquals(0, scheduler.runDue());
  }

  @Test
  void runDue_twoThreadsAtOnce_runEachJobExactlyOnce() throws Exception {
    int jobs = 60;
    for (int i = 0; i < jobs; i++) {
      store.schedule(DEACTIVATE, "key-" + i, Map.of(), T0.plusMillis(i));
    }
    clock.advance(Duration.ofSeconds(1));
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    Map<String, JobHandler> handlers =
        Map.of(
            DEACTIVATE,
            job -> runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet());
    int threads = 2;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        // Each thread has its own Scheduler, as two timers would, over the one store.
        Scheduler scheduler = scheduler(handlers);
        results.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return scheduler.runDue();
                }));
      }
      int total = 0;
      for (Future<Integer> result : results) {
        total += result.get(30, TimeUnit.SECONDS);
      }

      assertEquals(jobs, total);
      assertEquals(jobs, runs.size());
      runs.forEach((id, count) -> assertEquals(1, count.get(), "job " + id + " ran " + count));
    } finally {
      pool.shutdownNow();
    }
  }

  private Scheduler scheduler(Map<String, JobHandler> handlers) {
    return new Scheduler(store, clock, handlers);
  }

  private String column(long id, String column) {
    return db.withConnection(
        "test query",
        c -> {
          // The column name is one of this test's literals.
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + column + " FROM jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              assertTrue(rs.next(), "no job " + id);
              return rs.getString(1);
            }
          }
        });
  }
}
