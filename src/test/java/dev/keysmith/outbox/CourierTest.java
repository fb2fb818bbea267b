package dev.keysmith.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.jobs.Replica;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlOutbox;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The courier over the SQLite outbox, with a scripted Slack. */
@ParameterizedClass
@EnumSource(Database.Dialect.class)
class CourierTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  private static final String APPROVALS = "C0APPROVALS";
  private static final Replica REPLICA_A = new Replica("replica-a", Replica.LEASE_TERM);
  private static final Replica REPLICA_B = new Replica("replica-b", Replica.LEASE_TERM);

  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(T0);
  private final ScriptedSlack slack = new ScriptedSlack();
  private final List<String> receipts = new ArrayList<>();
  private Database db;
  private SqlOutbox outbox;
  private SqlAuditTrail audit;
  private Courier courier;

  @BeforeEach
  void setUp() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    outbox = new SqlOutbox(db, clock, Duration.ZERO, REPLICA_A);
    audit = new SqlAuditTrail(db);
    Receipt recording =
        new Receipt() {
          @Override
          public void posted(Message m, Posted where) {
            receipts.add("posted " + m.about() + " at " + where.ts());
          }

          @Override
          public void undeliverable(Message m, String error) {
            receipts.add("undeliverable " + m.about() + " " + error);
          }
        };
    courier =
        new Courier(
            outbox,
            slack,
            audit,
            clock,
            Map.of("request.approval", recording),
            recording,
            Runnable::run);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void deliverDue_postsOldestFirstAndReportsWhereTheyWent() {
    outbox.send(dm("KS-1", "U0ALICE", "first"));
    outbox.send(dm("KS-2", "U0BOB", "second"));

    assertEquals(2, courier.deliverDue());

    assertEquals(List.of("post U0ALICE first", "post U0BOB second"), slack.calls);
    assertEquals(List.of("posted KS-1 at 1.000001", "posted KS-2 at 1.000002"), receipts);
    assertEquals(new OutboxBacklog(0, 0, 0), outbox.backlog(clock.instant()));
    assertEquals(Optional.empty(), outbox.nextDue());
  }

  @Test
  void aSlotsMessage_isPostedOnceThenEditedInPlace() {
    outbox.send(approval("KS-1", "pending"));
    courier.deliverDue();
    outbox.send(approval("KS-1", "approved"));
    courier.deliverDue();

    assertEquals(
        List.of("post C0APPROVALS pending", "update C0APPROVALS 1.000001 approved"), slack.calls);
  }

  @Test
  void aReplyToASlotsMessage_goesInItsThread_orOnItsOwnWhenTheMessageWasNeverPosted() {
    outbox.send(approval("KS-1", "pending"));
    courier.deliverDue();
    outbox.send(
        new Message("request.notice", "KS-1", APPROVALS, null, "remind", "[]", "approval:KS-1"));
    outbox.send(
        new Message("request.notice", "KS-2", APPROVALS, null, "lone", "[]", "approval:KS-2"));
    courier.deliverDue();

    assertEquals(
        List.of(
            "post C0APPROVALS pending",
            "reply C0APPROVALS 1.000001 remind",
            "post C0APPROVALS lone"),
        slack.calls);
  }

  @Test
  void aReplyLeftWithItsMessage_waitsForItAndGoesInItsThread() {
    outbox.send(approval("KS-3", "pending"));
    outbox.send(
        new Message("request.notice", "KS-3", APPROVALS, null, "loud", "[]", "approval:KS-3"));
    courier.deliverDue();
    courier.deliverDue();

    assertEquals(
        List.of("post C0APPROVALS pending", "reply C0APPROVALS 1.000001 loud"), slack.calls);
  }

  @Test
  void anEditOfAPostedMessage_waitsTheSettleTimeSoTheStatesAfterItGoAsOne() {
    SqlOutbox settling = new SqlOutbox(db, clock, Duration.ofSeconds(1), REPLICA_A);
    Courier courier =
        new Courier(settling, slack, audit, clock, Map.of(), new Receipt() {}, Runnable::run);
    settling.send(approval("KS-1", "pending"));
    assertEquals(1, courier.deliverDue(), "a first post goes at once");
    settling.send(approval("KS-1", "approved"));
    settling.send(approval("KS-1", "user created"));
    settling.send(dm("KS-1", "U0ALICE", "notice"));

    assertEquals(1, courier.deliverDue(), "the notice goes; the edit settles");
    clock.advance(Duration.ofMillis(999));
    settling.send(approval("KS-1", "provisioned"));
    assertEquals(0, courier.deliverDue());
    clock.advance(Duration.ofMillis(1));
    assertEquals(1, courier.deliverDue());

    assertEquals(
        List.of(
            "post C0APPROVALS pending",
            "post U0ALICE notice",
            "update C0APPROVALS 1.000001 provisioned"),
        slack.calls);
  }

  @Test
  void newerStatesOfASlot_replaceOneNotYetSent() {
    outbox.send(approval("KS-1", "pending"));
    outbox.send(approval("KS-1", "approved"));
    outbox.send(approval("KS-1", "provisioned"));

    courier.deliverDue();

    assertEquals(List.of("post C0APPROVALS provisioned"), slack.calls);
  }

  @Test
  void aStateLeftWhileItsPredecessorIsOnTheWire_isSentAfterIt() {
    outbox.send(approval("KS-1", "pending"));
    // Slack takes the post; meanwhile the request moves on and leaves its next state.
    slack.onCall = () -> outbox.send(approval("KS-1", "approved"));

    courier.deliverDue();

    assertEquals(
        List.of("post C0APPROVALS pending", "update C0APPROVALS 1.000001 approved"), slack.calls);
    assertEquals(0, outbox.backlog(clock.instant()).pending());
  }

  @Test
  void aTransientFailure_holdsEveryDeliveryForItsBackoffThenKeepsEachChannelsOrder() {
    slack.failures.add(DeliveryFailure.transientError("HTTP 500"));
    outbox.send(dm("KS-1", "U0ALICE", "first"));
    outbox.send(dm("KS-2", "U0ALICE", "second"));
    outbox.send(dm("KS-3", "U0BOB", "other channel"));

    assertEquals(0, courier.deliverDue());

    assertEquals(List.of("post U0ALICE first"), slack.calls, "one call probes the outage");
    assertEquals(Optional.of(T0), outbox.nextDue(), "Bob's message is due; the hold keeps it");
    clock.advance(Duration.ofMillis(1_999));
    assertEquals(0, courier.deliverDue(), "not before the backoff");
    clock.advance(Duration.ofMillis(1));
    assertEquals(3, courier.deliverDue());
    assertEquals(
        List.of(
            "post U0ALICE first",
            "post U0ALICE first",
            "post U0BOB other channel",
            "post U0ALICE second"),
        slack.calls,
        "a DM's order holds through the retry");
  }

  @Test
  void holdsAfterTransientFailures_growWithTheBackoffUpToThirtySeconds() {
    for (int i = 0; i < 6; i++) {
      slack.failures.add(DeliveryFailure.transientError("timeout"));
    }
    outbox.send(dm("KS-1", "U0ALICE", "first"));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Instant before = clock.instant();
      courier.deliverDue();
      Instant next = outbox.nextDue().orElseThrow();
      waits.add(Duration.between(before, next).toSeconds());
      clock.advance(Duration.between(before, next));
    }
    assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 64L), waits, "the message's own backoff");
    outbox.send(dm("KS-2", "U0BOB", "unrelated"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(2, courier.deliverDue(), "Slack answers again: both go");
  }

  @Test
  void theHoldAfterAFailure_isAtMostThirtySeconds() {
    for (int i = 0; i < 7; i++) {
      slack.failures.add(DeliveryFailure.transientError("timeout"));
    }
    outbox.send(dm("KS-1", "U0ALICE", "first"));
    for (int i = 0; i < 7; i++) {
      courier.deliverDue();
      clock.advance(Duration.between(clock.instant(), outbox.nextDue().orElseThrow()));
    }
    // KS-1 now waits 128 s; another channel's message goes 30 s after the last failure.
    clock.advance(Duration.ofSeconds(-128));
    outbox.send(dm("KS-2", "U0BOB", "unrelated"));
    clock.advance(Duration.ofSeconds(29));
    assertEquals(0, courier.deliverDue());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, courier.deliverDue());
    assertEquals("post U0BOB unrelated", slack.calls.get(slack.calls.size() - 1));
  }

  @Test
  void backoff_doublesFromTwoSecondsUpToFiveMinutes() {
    assertEquals(Duration.ofSeconds(2), Courier.backoff(1));
    assertEquals(Duration.ofSeconds(4), Courier.backoff(2));
    assertEquals(Duration.ofSeconds(256), Courier.backoff(8));
    assertEquals(Duration.ofMinutes(5), Courier.backoff(9));
    assertEquals(Duration.ofMinutes(5), Courier.backoff(1_000));
  }

  @Test
  void aRateLimitedEdit_pausesEveryEditForRetryAfterButNotPosts() {
    outbox.send(approval("KS-1", "pending"));
    outbox.send(approval("KS-2", "pending"));
    courier.deliverDue();
    slack.calls.clear();
    slack.failures.add(DeliveryFailure.rateLimited(Duration.ofSeconds(30)));
    outbox.send(approval("KS-1", "approved"));
    outbox.send(approval("KS-2", "approved"));
    outbox.send(dm("KS-3", "U0ALICE", "hello"));

    courier.deliverDue();

    assertEquals(
        List.of("update C0APPROVALS 1.000001 approved", "post U0ALICE hello"),
        slack.calls,
        "the second edit waits without being tried; the post goes on");
    clock.advance(Duration.ofSeconds(29));
    assertEquals(0, courier.deliverDue());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(2, courier.deliverDue());
    assertEquals(0, outbox.backlog(clock.instant()).pending());
  }

  @Test
  void aPermanentRefusal_isGivenUpAuditedAndHandedToItsReceipt() {
    slack.failures.add(DeliveryFailure.permanent("not_in_channel"));
    outbox.send(approval("KS-1", "pending"));

    courier.deliverDue();

    assertEquals(List.of("undeliverable KS-1 not_in_channel"), receipts);
    List<AuditEvent> events = audit.forRequest("KS-1");
    assertEquals(1, events.size());
    assertEquals(AuditAction.SLACK_UNDELIVERABLE, events.get(0).action());
    assertEquals(
        Map.of("purpose", "request.approval", "channel", APPROVALS, "error", "not_in_channel"),
        events.get(0).details());
    assertEquals(new OutboxBacklog(0, 0, 1), outbox.backlog(clock.instant()));
    clock.advance(Duration.ofDays(1).plusSeconds(1));
    assertEquals(new OutboxBacklog(0, 0, 0), outbox.backlog(clock.instant()));
  }

  @Test
  void aRefusedToken_isAuditedButNobodyIsToldInSlack() {
    slack.failures.add(DeliveryFailure.permanent("invalid_auth"));
    outbox.send(approval("KS-1", "pending"));

    courier.deliverDue();

    assertTrue(receipts.isEmpty(), "no message can get through to tell anyone");
    assertEquals(1, audit.forRequest("KS-1").size());
  }

  @Test
  void backlog_countsWhatWaitsAndWhatIsOverdue() {
    slack.failures.add(DeliveryFailure.transientError("HTTP 503"));
    outbox.send(dm("KS-1", "U0ALICE", "first"));
    courier.deliverDue();

    assertEquals(new OutboxBacklog(1, 0, 0), outbox.backlog(clock.instant()));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(new OutboxBacklog(1, 1, 0), outbox.backlog(clock.instant()));
  }

  @Test
  void wake_deliversOnTheExecutor() {
    outbox.send(dm("KS-1", "U0ALICE", "first"));

    courier.wake();

    assertEquals(List.of("post U0ALICE first"), slack.calls);
  }

  @Test
  void deliverDue_fromTheHousekeeping_setsTheAlarmForTheEndOfARateLimit() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CountDownLatch delivered = new CountDownLatch(1);
      Receipt counting =
          new Receipt() {
            @Override
            public void posted(Message m, Posted where) {
              delivered.countDown();
            }

            @Override
            public void undeliverable(Message m, String error) {}
          };
      Courier alarmed = new Courier(outbox, slack, audit, clock, Map.of(), counting, Runnable::run);
      alarmed.wakeWith(timer);
      slack.failures.add(DeliveryFailure.rateLimited(Duration.ofSeconds(1)));
      outbox.send(dm("KS-1", "U0ALICE", "hello"));

      // The housekeeping calls deliverDue directly, not through wake(): nothing else follows it.
      assertEquals(0, alarmed.deliverDue());
      clock.advance(Duration.ofSeconds(1));

      assertTrue(
          delivered.await(10, TimeUnit.SECONDS),
          "the alarm at the end of the pause delivers it, without waiting for the next round");
    } finally {
      timer.shutdownNow();
    }
  }

  private static Message dm(String about, String user, String text) {
    return new Message("request.notice", about, user, null, text, "[]");
  }

  // ---- two replicas delivering one outbox ----

  @Test
  void whatOneReplicaIsDelivering_theOtherLeavesAlone_andEachMessageIsPostedOnce() {
    outbox.send(approval("KS-1", "one"));
    outbox.send(approval("KS-2", "two"));
    try (Database other = testDb.open()) {
      ScriptedSlack slackB = new ScriptedSlack();
      Courier courierB = courierOf(new SqlOutbox(other, clock, Duration.ZERO, REPLICA_B), slackB);
      int[] deliveredByB = {-1};
      slack.onCall = () -> deliveredByB[0] = courierB.deliverDue(); // while A is posting KS-1

      assertEquals(2, courier.deliverDue());

      assertEquals(0, deliveredByB[0], "replica-a had claimed both");
      assertEquals(List.of("post C0APPROVALS one", "post C0APPROVALS two"), slack.calls);
      assertEquals(List.of(), slackB.calls);
      assertEquals(0, courierB.deliverDue());
      assertEquals(Optional.empty(), outbox.nextDue());
    }
  }

  @Test
  void aReplicaThatStopsMidDelivery_leavesItsMessagesToAnotherOnceItsClaimRunsOut() {
    outbox.send(approval("KS-1", "pending"));
    outbox.send(approval("KS-1", "approved")); // replaces it, not posted yet
    outbox.send(approval("KS-2", "two"));
    assertEquals(2, outbox.claim(T0, 10).size(), "replica-a claims both, then stops");
    try (Database other = testDb.open()) {
      ScriptedSlack slackB = new ScriptedSlack();
      SqlOutbox outboxB = new SqlOutbox(other, clock, Duration.ZERO, REPLICA_B);
      Courier courierB = courierOf(outboxB, slackB);

      assertEquals(0, courierB.deliverDue());
      assertEquals(Optional.of(T0.plus(Replica.LEASE_TERM)), outboxB.nextDue());
      clock.advance(Replica.LEASE_TERM.plusMillis(1));

      assertEquals(2, courierB.deliverDue());
      assertEquals(List.of("post C0APPROVALS approved", "post C0APPROVALS two"), slackB.calls);
      assertEquals(List.of(), slack.calls);
      assertEquals(Optional.empty(), outboxB.nextDue());
    }
  }

  @Test
  void aRateLimitOneReplicaMeets_holdsTheOtherToo() {
    outbox.send(approval("KS-1", "pending"));
    outbox.send(approval("KS-2", "pending"));
    courier.deliverDue();
    slack.calls.clear();
    slack.failures.add(DeliveryFailure.rateLimited(Duration.ofSeconds(30)));
    outbox.send(approval("KS-1", "approved"));
    courier.deliverDue(); // replica-a's edit meets the 429
    try (Database other = dialect == Database.Dialect.POSTGRESQL ? testDb.open() : null) {
      ScriptedSlack slackB = new ScriptedSlack();
      SqlOutbox outboxB =
          new SqlOutbox(other != null ? other : db, clock, Duration.ZERO, REPLICA_B);
      Courier courierB = courierOf(outboxB, slackB);
      outboxB.send(approval("KS-2", "approved"));
      clock.advance(Duration.ofSeconds(1));

      assertEquals(0, courierB.deliverDue());
      assertEquals(List.of(), slackB.calls, "replica-b waits out replica-a's 429 untried");
      clock.advance(Duration.ofSeconds(29));
      assertEquals(2, courierB.deliverDue());
      assertEquals(
          List.of("update C0APPROVALS 1.000001 approved", "update C0APPROVALS 1.000002 approved"),
          slackB.calls);
    }
  }

  @Test
  void released_messagesAreDueForAnyReplicaAtOnce_andALaneKeepsItsOrder() {
    // Two messages to one channel without a slot: one lane, the channel's.
    outbox.send(new Message("request.note", "KS-1", APPROVALS, null, "first", "[]"));
    outbox.send(new Message("request.note", "KS-1", APPROVALS, null, "after", "[]"));
    List<Parcel> claimed = outbox.claim(T0, 10);
    assertEquals(1, claimed.size(), "the second waits behind the first of its lane");
    try (Database other = testDb.open()) {
      SqlOutbox outboxB = new SqlOutbox(other, clock, Duration.ZERO, REPLICA_B);
      assertEquals(List.of(), outboxB.claim(T0, 10), "the lane's first is claimed");

      outbox.release(claimed);

      assertEquals(
          List.of(claimed.get(0).id()), outboxB.claim(T0, 10).stream().map(Parcel::id).toList());
    }
  }

  private Courier courierOf(SqlOutbox store, ScriptedSlack poster) {
    return new Courier(store, poster, audit, clock, Map.of(), new Receipt() {}, Runnable::run);
  }

  private static Message approval(String id, String text) {
    return new Message("request.approval", id, APPROVALS, "approval:" + id, text, "[]");
  }

  /** Records calls; answers each with the next scripted failure, if any, else success. */
  private static final class ScriptedSlack implements SlackPoster {
    final List<String> calls = new ArrayList<>();
    final Deque<DeliveryFailure> failures = new ArrayDeque<>();
    @Nullable Runnable onCall;
    private int ts;

    @Override
    public Posted post(String channel, String text, String blocks) throws DeliveryFailure {
      calls.add("post " + channel + " " + text);
      answer();
      return new Posted(channel, String.format("1.%06d", ++ts));
    }

    @Override
    public Posted reply(Posted parent, String text, String blocks) throws DeliveryFailure {
      calls.add("reply " + parent.channel() + " " + parent.ts() + " " + text);
      answer();
      return new Posted(parent.channel(), String.format("1.%06d", ++ts));
    }

    @Override
    public void update(Posted where, String text, String blocks) throws DeliveryFailure {
      calls.add("update " + where.channel() + " " + where.ts() + " " + text);
      answer();
    }

    private void answer() throws DeliveryFailure {
      Runnable hook = onCall;
      onCall = null;
      if (hook != null) {
        hook.run();
      }
      DeliveryFailure f = failures.poll();
      if (f != null) {
        throw f;
      }
    }
  }
}
