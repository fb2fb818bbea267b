package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.jobs.Job;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.jobs.Replica;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
class SqlJobStoreTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123Z");
  private static final String DEACTIVATE = "rotation.deactivate-old-key";
  private static final String DELETE = "rotation.delete-old-key";
  private static final String KEY = "TESTOLDKEY0000000001";
  private static final String OTHER_KEY = "TESTOLDKEY0000000002";

  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(T0);
  private Database db;
  private SqlJobStore store;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    store = new SqlJobStore(db, clock);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  // ---- unhappy paths ----

  @Test
  void backlog_closedDatabase_fails() {
    db.close();

    assertThrows(StoreException.class, () -> store.backlog(T0));
  }

  @Test
  void backlog_countsUnfinishedJobsAndThoseOverAMinuteLate() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0.minus(Duration.ofMinutes(2))); // overdue
    store.schedule(DELETE, KEY, Map.of(), T0.minusSeconds(30)); // due, not overdue yet
    store.schedule(DELETE, OTHER_KEY, Map.of(), T0.plus(Duration.ofDays(1))); // later
    long done = store.schedule(DEACTIVATE, OTHER_KEY, Map.of(), T0.minus(Duration.ofDays(1)));
    assertEquals(done, store.claimNext(T0).orElseThrow().id());
    store.complete(done);
    long running = store.claimNext(T0).orElseThrow().id(); // the overdue one, now running

    assertEquals(new JobBacklog(3, 0), store.backlog(T0));
    store.retryAt(running, T0.minus(Duration.ofMinutes(5)), "try again");
    assertEquals(new JobBacklog(3, 1), store.backlog(T0));
  }

  @Test
  void schedule_blankKindOrSubject_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> store.schedule(" ", KEY, Map.of(), T0));
    assertThrows(
        IllegalArgumentException.class, () -> store.schedule(DEACTIVATE, "", Map.of(), T0));
    assertEquals(Optional.empty(), store.claimNext(T0));
  }

  @Test
  void schedule_nullDataValue_isRefused() {
    Map<String, String> data = new HashMap<>();
    data.put("user", null);

    assertThrows(IllegalArgumentException.class, () -> store.schedule(DEACTIVATE, KEY, data, T0));
  }

  @Test
  void schedule_tooMuchData_isRefused() {
    Map<String, String> data = Map.of("note", "x".repeat(SqlJobStore.MAX_DATA_CHARS));

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> store.schedule(DEACTIVATE, KEY, data, T0));

    assertTrue(e.getMessage().contains("at most " + SqlJobStore.MAX_DATA_CHARS), e.getMessage());
  }

  @Test
  void claimNext_nothingScheduled_isEmpty() {
    assertEquals(Optional.empty(), store.claimNext(T0));
  }

  @Test
  void claimNext_notYetDue_isEmpty() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0.plusMillis(1));

    assertEquals(Optional.empty(), store.claimNext(T0));
  }

  @Test
  void claimNext_alreadyClaimed_isNotClaimedAgain() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    assertTrue(store.claimNext(T0).isPresent());

    assertEquals(Optional.empty(), store.claimNext(T0.plus(Duration.ofDays(365))));
  }

  @Test
  void complete_pendingJob_isRefusedNamingId() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);

    StoreException e = assertThrows(StoreException.class, () -> store.complete(id));

    assertEquals(
        "complete job failed: job "
            + id
            + " is not running, or not as this replica's (its claim ran out)",
        e.getMessage());
  }

  @Test
  void retryAtAndFail_unknownJob_areRefused() {
    assertThrows(StoreException.class, () -> store.retryAt(42, T0, "boom"));
    assertThrows(StoreException.class, () -> store.fail(42, "boom"));
  }

  @Test
  void fail_running_isNeverClaimedAgain() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    assertTrue(store.claimNext(T0).isPresent());

    store.fail(id, "IamException: NoSuchEntity");

    assertEquals(Optional.empty(), store.claimNext(T0.plus(Duration.ofDays(365))));
    assertEquals(List.of(), store.pending(KEY));
    assertEquals("FAILED", column(id, "state"));
    assertEquals("IamException: NoSuchEntity", column(id, "last_error"));
  }

  @Test
  void cancel_otherKindOrSubject_leavesThemPending() {
    long otherKind = store.schedule(DELETE, KEY, Map.of(), T0);
    long otherSubject = store.schedule(DEACTIVATE, OTHER_KEY, Map.of(), T0);

    assertEquals(0, store.cancel(DEACTIVATE, KEY));

    assertEquals(List.of(otherKind), ids(store.pending(KEY)));
    assertEquals(List.of(otherSubject), ids(store.pending(OTHER_KEY)));
  }

  @Test
  void cancel_runningJob_isNotCancelled() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    assertTrue(store.claimNext(T0).isPresent());

    assertEquals(0, store.cancel(DEACTIVATE, KEY));

    store.complete(id);
    assertEquals("DONE", column(id, "state"));
  }

  @Test
  void operations_afterClose_throwStoreExceptionNamingOperation() {
    db.close();

    StoreException e = assertThrows(StoreException.class, () -> store.claimNext(T0));
    assertTrue(e.getMessage().startsWith("claim job failed"), e.getMessage());
  }

  // ---- happy paths ----

  @Test
  void schedule_data_roundTrips() {
    Map<String, String> data =
        Map.of(
            "user", "alice.smith",
            "owner", "U0OWNER01",
            "note", "quotes \" and \\ and\nnewlines, ünïcödé, <!channel>",
            "empty", "");
    long id = store.schedule(DEACTIVATE, KEY, data, T0);

    Job claimed = store.claimNext(T0).orElseThrow();

    assertEquals(new Job(id, DEACTIVATE, KEY, data, T0, 1), claimed);
  }

  @Test
  void schedule_emptyData_roundTrips() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);

    assertEquals(List.of(new Job(id, DEACTIVATE, KEY, Map.of(), T0, 0)), store.pending(KEY));
  }

  @Test
  void schedule_subMillisecondDue_isKeptToTheMillisecond() {
    store.schedule(DEACTIVATE, KEY, Map.of(), Instant.parse("2026-03-01T10:15:30.123456789Z"));

    assertEquals(T0, store.pending(KEY).get(0).dueAt());
  }

  @Test
  void claimNext_severalDue_claimsEarliestDueThenOldestFirst() {
    long later = store.schedule(DEACTIVATE, "c", Map.of(), T0.plusSeconds(20));
    long tieFirst = store.schedule(DEACTIVATE, "a", Map.of(), T0.plusSeconds(10));
    long tieSecond = store.schedule(DEACTIVATE, "b", Map.of(), T0.plusSeconds(10));
    store.schedule(DEACTIVATE, "d", Map.of(), T0.plusSeconds(21));

    Instant now = T0.plusSeconds(20);
    List<Long> claimed = new ArrayList<>();
    for (Optional<Job> job = store.claimNext(now); job.isPresent(); job = store.claimNext(now)) {
      claimed.add(job.get().id());
    }

    assertEquals(List.of(tieFirst, tieSecond, later), claimed);
  }

  @Test
  void claimNext_dueExactlyNow_isClaimedWithOneAttempt() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);

    Job job = store.claimNext(T0).orElseThrow();

    assertEquals(id, job.id());
    assertEquals(1, job.attempts());
    assertEquals("RUNNING", column(id, "state"));
    assertEquals(List.of(), store.pending(KEY));
  }

  @Test
  void complete_running_isKeptDoneAndNeverClaimedAgain() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    assertTrue(store.claimNext(T0).isPresent());
    clock.advance(Duration.ofSeconds(3));

    store.complete(id);

    assertEquals(Optional.empty(), store.claimNext(T0.plus(Duration.ofDays(365))));
    assertEquals("DONE", column(id, "state"));
    assertEquals(String.valueOf(T0.toEpochMilli()), column(id, "created_at"));
    assertEquals(String.valueOf(T0.plusSeconds(3).toEpochMilli()), column(id, "updated_at"));
  }

  @Test
  void retryAt_running_isPendingAgainAtTheNewTimeWithAttemptsKept() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of("user", "alice"), T0);
    assertTrue(store.claimNext(T0).isPresent());
    Instant retry = T0.plus(Duration.ofMinutes(5));

    store.retryAt(id, retry, "Throttling");

    assertEquals(
        List.of(new Job(id, DEACTIVATE, KEY, Map.of("user", "alice"), retry, 1)),
        store.pending(KEY));
    assertEquals(Optional.empty(), store.claimNext(retry.minusMillis(1)));
    assertEquals(2, store.claimNext(retry).orElseThrow().attempts());
    assertEquals("Throttling", column(id, "last_error"));
  }

  @Test
  void retryAt_longError_isTruncated() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    assertTrue(store.claimNext(T0).isPresent());

    store.retryAt(id, T0, "e".repeat(SqlJobStore.MAX_ERROR_CHARS + 50));

    assertEquals(SqlJobStore.MAX_ERROR_CHARS, column(id, "last_error").length());
  }

  @Test
  void cancel_pendingOfKindAndSubject_returnsHowManyAndTheyNeverRun() {
    store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    store.schedule(DEACTIVATE, KEY, Map.of(), T0.plusSeconds(60));
    long keep = store.schedule(DELETE, KEY, Map.of(), T0.plusSeconds(120));

    assertEquals(2, store.cancel(DEACTIVATE, KEY));
    assertEquals(0, store.cancel(DEACTIVATE, KEY));

    assertEquals(List.of(keep), ids(store.pending(KEY)));
    assertEquals(keep, store.claimNext(T0.plus(Duration.ofDays(1))).orElseThrow().id());
    assertEquals(Optional.empty(), store.claimNext(T0.plus(Duration.ofDays(1))));
  }

  @Test
  void pending_subject_returnsOnlyItsPendingJobsByDueTime() {
    long late = store.schedule(DELETE, KEY, Map.of(), T0.plus(Duration.ofDays(14)));
    long early = store.schedule(DEACTIVATE, KEY, Map.of(), T0.plus(Duration.ofDays(7)));
    long running = store.schedule("reminder.rotate", KEY, Map.of(), T0);
    store.schedule(DEACTIVATE, OTHER_KEY, Map.of(), T0.plus(Duration.ofDays(1)));
    assertEquals(running, store.claimNext(T0).orElseThrow().id());

    assertEquals(List.of(early, late), ids(store.pending(KEY)));
    assertEquals(List.of(), store.pending("TESTUNKNOWN000000000"));
  }

  @Test
  void requeueInterrupted_running_isClaimedAgainWithAnotherAttempt() {
    long running = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    long pending = store.schedule(DELETE, KEY, Map.of(), T0.plus(Duration.ofDays(7)));
    assertTrue(store.claimNext(T0).isPresent());

    assertEquals(1, store.requeueInterrupted());
    assertEquals(0, store.requeueInterrupted());

    assertEquals(List.of(running, pending), ids(store.pending(KEY)));
    Job again = store.claimNext(T0).orElseThrow();
    assertEquals(running, again.id());
    assertEquals(2, again.attempts());
  }

  @Test
  void open_again_keepsJobs() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of("user", "alice"), T0);
    db.close();

    db = testDb.open();
    store = new SqlJobStore(db, clock);

    assertEquals(
        List.of(new Job(id, DEACTIVATE, KEY, Map.of("user", "alice"), T0, 0)), store.pending(KEY));
    assertEquals(id, store.claimNext(T0).orElseThrow().id());
  }

  @Test
  void schedule_afterReopen_neverReusesAnId() {
    long first = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    db.close();
    db = testDb.open();
    store = new SqlJobStore(db, clock);

    assertTrue(store.schedule(DEACTIVATE, KEY, Map.of(), T0) > first);
  }

  @Test
  void claimNext_eightThreadsRacing_claimEachJobOnce() throws Exception {
    Set<Long> scheduled = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      scheduled.add(store.schedule(DEACTIVATE, "key-" + i, Map.of(), T0.plusMillis(i)));
    }

    List<Long> claimed =
        claimConcurrently(List.of(store, store, store, store, store, store, store, store));

    assertEquals(scheduled.size(), claimed.size(), "claimed: " + claimed);
    assertEquals(scheduled, new HashSet<>(claimed));
  }

  @Test
  void claimNext_twoConnectionsToTheSameFile_claimEachJobOnce() throws Exception {
    Set<Long> scheduled = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      scheduled.add(store.schedule(DEACTIVATE, "key-" + i, Map.of(), T0.plusMillis(i)));
    }
    // A second Keysmith process, by mistake, on the same data directory.
    try (Database second = testDb.open()) {
      List<Long> claimed = claimConcurrently(List.of(store, new SqlJobStore(second, clock)));

      assertEquals(scheduled.size(), claimed.size(), "claimed: " + claimed);
      assertEquals(scheduled, new HashSet<>(claimed));
    }
  }

  @Test
  void claimNext_twoReplicas_eachClaimsOnlyWhatTheOtherDidNot_andEndsOnlyItsOwn() throws Exception {
    Set<Long> scheduled = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      scheduled.add(store.schedule(DEACTIVATE, "key-" + i, Map.of(), T0.plusMillis(i)));
    }
    try (Database second = testDb.open()) {
      SqlJobStore a = new SqlJobStore(db, clock, new Replica("replica-a", Replica.LEASE_TERM));
      SqlJobStore b = new SqlJobStore(second, clock, new Replica("replica-b", Replica.LEASE_TERM));

      List<Long> claimed = claimConcurrently(List.of(a, b, a, b));

      assertEquals(scheduled.size(), claimed.size(), "claimed: " + claimed);
      assertEquals(scheduled, new HashSet<>(claimed));
      long ofA = column("SELECT count(*) FROM jobs WHERE claimed_by = 'replica-a'");
      long ofB = column("SELECT count(*) FROM jobs WHERE claimed_by = 'replica-b'");
      assertEquals(40, ofA + ofB);
      long one = claimed.get(0);
      SqlJobStore owner = column(one, "claimed_by").equals("replica-a") ? a : b;
      SqlJobStore other = owner == a ? b : a;
      StoreException e = assertThrows(StoreException.class, () -> other.complete(one));
      assertTrue(e.getMessage().contains("not as this replica's"), e.getMessage());
      owner.complete(one);
    }
  }

  @Test
  void requeueExpired_takesUpOnlyJobsWhoseClaimRanOut() {
    Replica stopped = new Replica("stopped", Replica.LEASE_TERM);
    Replica alive = new Replica("alive", Replica.LEASE_TERM);
    SqlJobStore ofStopped = new SqlJobStore(db, clock, stopped);
    SqlJobStore ofAlive = new SqlJobStore(db, clock, alive);
    long cutOff = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    long running = store.schedule(DELETE, OTHER_KEY, Map.of(), T0);
    assertEquals(cutOff, ofStopped.claimNext(T0).orElseThrow().id());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(running, ofAlive.claimNext(clock.instant()).orElseThrow().id());

    assertEquals(0, ofAlive.requeueExpired(clock.instant()), "both claims still hold");
    clock.advance(Duration.ofSeconds(45)); // the stopped replica's claim ran out 15 s ago
    new SqlLeases(db, clock, alive).renewAll(); // the live replica's heartbeat

    assertEquals(1, ofAlive.requeueExpired(clock.instant()));
    assertEquals(List.of(cutOff), ids(store.pending(KEY)));
    assertEquals(List.of(), ids(store.pending(OTHER_KEY)), "the live replica's job runs on");
    Job again = ofAlive.claimNext(clock.instant()).orElseThrow();
    assertEquals(cutOff, again.id());
    assertEquals(2, again.attempts());
    assertThrows(StoreException.class, () -> ofStopped.complete(cutOff), "no longer its job");
    ofAlive.complete(cutOff);
    ofAlive.complete(running);
  }

  @Test
  void scheduleOnce_fromTwoReplicasStarting_andWhileItRuns_keepsOneChain() throws Exception {
    try (Database second = testDb.open()) {
      SqlJobStore a = new SqlJobStore(db, clock, new Replica("replica-a", Replica.LEASE_TERM));
      SqlJobStore b = new SqlJobStore(second, clock, new Replica("replica-b", Replica.LEASE_TERM));

      assertTrue(a.scheduleOnce("reminders.daily", "all-keys", Map.of(), T0));
      assertFalse(b.scheduleOnce("reminders.daily", "all-keys", Map.of(), T0), "one waits");
      Job run = b.claimNext(T0).orElseThrow();
      assertFalse(a.scheduleOnce("reminders.daily", "all-keys", Map.of(), T0), "one runs");
      assertTrue(
          b.scheduleNext("reminders.daily", "all-keys", Map.of(), T0.plus(Duration.ofDays(1))));
      assertFalse(
          b.scheduleNext("reminders.daily", "all-keys", Map.of(), T0.plus(Duration.ofDays(1))));
      b.complete(run.id());

      assertEquals(1, a.pending("all-keys").size());
      assertEquals(T0.plus(Duration.ofDays(1)), a.pending("all-keys").get(0).dueAt());
      assertTrue(a.scheduleOnce("reminders.daily", "other", Map.of(), T0), "per subject");
    }
  }

  @Test
  void requeueExpired_aJobClaimedBeforeClaimsHadLeases_isTakenUp() {
    long id = store.schedule(DEACTIVATE, KEY, Map.of(), T0);
    db.withConnection(
        "a job an older Keysmith left running",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE jobs SET state = 'RUNNING' WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate();
          }
        });

    assertEquals(1, store.requeueExpired(T0));
    assertEquals(List.of(id), ids(store.pending(KEY)));
  }

  private long column(String sql) {
    return db.withConnection(
        "read",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /** Each store claims from its own thread, all starting together, until none is due. */
  private static List<Long> claimConcurrently(List<SqlJobStore> stores) throws Exception {
    CyclicBarrier start = new CyclicBarrier(stores.size());
    ExecutorService pool = Executors.newFixedThreadPool(stores.size());
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (SqlJobStore s : stores) {
        Callable<List<Long>> claimAll =
            () -> {
              start.await(10, TimeUnit.SECONDS);
              List<Long> mine = new ArrayList<>();
              Instant now = T0.plusSeconds(1);
              for (Optional<Job> job = s.claimNext(now); job.isPresent(); job = s.claimNext(now)) {
                mine.add(job.get().id());
              }
              return mine;
            };
        results.add(pool.submit(claimAll));
      }
      List<Long> all = Collections.synchronizedList(new ArrayList<>());
      for (Future<List<Long>> result : results) {
        all.addAll(result.get(30, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Long> ids(List<Job> jobs) {
    return jobs.stream().map(Job::id).toList();
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
