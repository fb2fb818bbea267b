package dev.keysmith.outbox;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to Slack, one message at a time, oldest first.
 *
 * <ul>
 *   <li>A 429 pauses the method it answered ({@code chat.update} for the whole workspace, {@code
 *       chat.postMessage} for that channel) for its {@code Retry-After}; other messages go on.
 *   <li>5xx, timeouts and dropped connections are retried after 2 s, doubling up to 5 minutes, for
 *       as long as it takes: a Slack outage delays messages and loses none. Such a failure also
 *       holds every other delivery as long (at most 30 s), so an outage is probed by one call at a
 *       time, not by one timeout per waiting message.
 *   <li>An error retrying cannot fix ({@link DeliveryFailure.Kind#PERMANENT}) gives the message up:
 *       logged, audited as {@link AuditAction#SLACK_UNDELIVERABLE}, and handed to the {@link
 *       Receipt} of its purpose, which tells whoever can act.
 * </ul>
 *
 * A message Slack took but that was not recorded as delivered before a crash is sent again after
 * the restart: delivery is at least once.
 */
public final class Courier {
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** The longest every delivery waits after one failed for a reason that may pass. */
  static final Duration MAX_HOLD = Duration.ofSeconds(30);

  static final int BATCH = 100;
  static final int MAX_PER_RUN = 10_000;

  private static final Logger log = LoggerFactory.getLogger(Courier.class);
  private static final String SYSTEM = "keysmith";

  private final OutboxStore store;
  private final SlackPoster slack;
  private final AuditTrail audit;
  private final Clock clock;
  private final Map<String, Receipt> receipts;
  private final Receipt otherwise;
  private final Executor executor;
  private final AtomicInteger wakes = new AtomicInteger();
  private final Map<String, Instant> pausedUntil = new HashMap<>();
  private Instant slackPausedUntil = Instant.MIN;
  private volatile @Nullable ScheduledExecutorService alarm;
  private @Nullable ScheduledFuture<?> alarmSet;
  private @Nullable Instant alarmAt;

  /**
   * A courier delivering {@code store} through {@code slack}. {@code receipts} are found by a
   * message's purpose; {@code otherwise} takes the undeliverable messages of every other purpose.
   * {@link #wake()} runs deliveries on {@code executor}.
   */
  public Courier(
      OutboxStore store,
      SlackPoster slack,
      AuditTrail audit,
      Clock clock,
      Map<String, Receipt> receipts,
      Receipt otherwise,
      Executor executor) {
    this.store = store;
    this.slack = slack;
    this.audit = audit;
    this.clock = clock;
    this.receipts = Map.copyOf(receipts);
    this.otherwise = otherwise;
    this.executor = executor;
  }

  /**
   * From now on, also wakes itself when the next waiting message falls due (a retry, the end of a
   * rate-limit pause), on {@code timer}; without it, only {@link #wake()} and the housekeeping's
   * {@link #deliverDue()} deliver.
   */
  public void wakeWith(ScheduledExecutorService timer) {
    this.alarm = timer;
  }

  /**
   * Delivers what is due, soon, on the executor; calls while a delivery runs make it look again
   * when it finishes, so a message left just after its last look is not left waiting.
   */
  public void wake() {
    if (wakes.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException stopping) {
        // Shutting down: what waits is delivered after the next start.
        wakes.set(0);
      }
    }
  }

  private void drain() {
    int seen;
    do {
      seen = wakes.get();
      try {
        deliverDue();
      } catch (RuntimeException e) {
        log.error("outbox: delivery stopped: {}", e.toString());
      }
    } while (!wakes.compareAndSet(seen, 0));
  }

  /** Keeps one alarm, at the next due message: an earlier one replaces it, a later one waits. */
  private synchronized void setAlarm() {
    ScheduledExecutorService timer = alarm;
    if (timer == null) {
      return;
    }
    Optional<Instant> next = store.nextDue();
    if (next.isEmpty()) {
      return;
    }
    Instant due = next.get().isBefore(slackPausedUntil) ? slackPausedUntil : next.get();
    Instant now = clock.instant();
    ScheduledFuture<?> set = alarmSet;
    // An alarm whose time has come is firing or has fired (its future may not say done yet, as
    // its wake may still be returning): only one still to come can stand for a later message.
    if (set != null
        && !set.isDone()
        && alarmAt != null
        && alarmAt.isAfter(now)
        && !due.isBefore(alarmAt)) {
      return;
    }
    if (set != null) {
      set.cancel(false);
    }
    // In nanoseconds: an alarm rounded down to the millisecond rings before its message is due.
    long delay = Math.max(0, Duration.between(now, due).toNanos());
    try {
      alarmSet = timer.schedule(this::wake, delay, TimeUnit.NANOSECONDS);
      alarmAt = due;
    } catch (RejectedExecutionException stopping) {
      // Shutting down: what waits is delivered after the next start.
      alarmSet = null;
    }
  }

  /**
   * Delivers every message due now that no rate limit holds back, then sets the alarm for the next
   * one (see {@link #wakeWith}); returns how many Slack took. One call at a time: a second caller
   * waits for the first.
   */
  public synchronized int deliverDue() {
    int delivered = deliverDueNow();
    // Also when the housekeeping calls it: a rate limit or a retry met here needs an alarm too.
    setAlarm();
    return delivered;
  }

  private int deliverDueNow() {
    Instant start = clock.instant();
    if (start.isBefore(slackPausedUntil)) {
      return 0;
    }
    pausedUntil.values().removeIf(until -> !start.isBefore(until));
    // Slack's limits are per app: what another replica learned from a 429 holds here too.
    store.pauses(start).forEach((limit, until) -> pausedUntil.merge(limit, until, Courier::later));
    int delivered = 0;
    int tried = 0;
    while (tried < MAX_PER_RUN && !Thread.currentThread().isInterrupted()) {
      List<Parcel> due = store.claim(clock.instant(), BATCH);
      if (due.isEmpty()) {
        break;
      }
      for (int i = 0; i < due.size(); i++) {
        tried++;
        if (deliver(due.get(i))) {
          delivered++;
        } else if (clock.instant().isBefore(slackPausedUntil)) {
          // Slack failed in a way that may pass: everything holds, and what this replica claimed
          // is free for whichever replica tries first once the hold is over.
          store.release(due.subList(i + 1, due.size()));
          return delivered;
        }
      }
    }
    return delivered;
  }

  private boolean deliver(Parcel parcel) {
    Message m = parcel.message();
    String limit = limitKey(parcel);
    Instant now = clock.instant();
    Instant paused = pausedUntil.get(limit);
    if (paused != null && now.isBefore(paused)) {
      store.retryAt(parcel, paused, "waiting for Slack's rate limit", false);
      return false;
    }
    Posted where;
    try {
      Posted posted = parcel.posted();
      Posted thread = parcel.thread();
      if (posted == null && thread != null) {
        where = slack.reply(thread, m.text(), m.blocks());
      } else if (posted == null) {
        where = slack.post(m.channel(), m.text(), m.blocks());
      } else {
        slack.update(posted, m.text(), m.blocks());
        where = posted;
      }
    } catch (DeliveryFailure f) {
      failed(parcel, limit, f);
      return false;
    }
    store.delivered(parcel, where);
    log.debug("outbox: {} about {} delivered to {}", m.purpose(), m.about(), m.channel());
    try {
      receiptFor(m).posted(m, where);
    } catch (RuntimeException e) {
      log.error("outbox: {} about {}: after delivery: {}", m.purpose(), m.about(), e.toString());
    }
    return true;
  }

  private void failed(Parcel parcel, String limit, DeliveryFailure f) {
    Message m = parcel.message();
    Instant now = clock.instant();
    switch (f.kind()) {
      case RATE_LIMITED -> {
        Duration wait =
            f.retryAfter().compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : f.retryAfter();
        Instant until = now.plus(wait);
        pausedUntil.put(limit, until);
        store.pause(limit, until);
        log.info("outbox: Slack rate-limits {}; waiting {} s", limit, wait.toSeconds());
        store.retryAt(parcel, until, f.error(), false);
      }
      case TRANSIENT -> {
        int attempt = parcel.attempts() + 1;
        Instant retry = now.plus(backoff(attempt));
        log.warn(
            "outbox: {} about {} to {} failed on attempt {} ({}); retrying at {}",
            m.purpose(),
            m.about(),
            m.channel(),
            attempt,
            f.error(),
            retry);
        store.retryAt(parcel, retry, f.error(), true);
        // A 5xx or a timeout is rarely about one message: hold every delivery a little, so an
        // outage costs one call per pause rather than one timeout per waiting message.
        Duration hold = backoff(attempt);
        slackPausedUntil = now.plus(hold.compareTo(MAX_HOLD) > 0 ? MAX_HOLD : hold);
      }
      case PERMANENT -> undeliverable(parcel, f);
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private void undeliverable(Parcel parcel, DeliveryFailure f) {
    Message m = parcel.message();
    log.error(
        "outbox: Slack refused {} about {} to {} for good ({}); {}",
        m.purpose(),
        m.about(),
        m.channel(),
        f.error(),
        f.authentication()
            ? "the bot token is refused: check SLACK_BOT_TOKEN and the app's installation"
            : "not retried");
    store.undeliverable(parcel, f.error());
    audit.record(
        clock.instant(),
        m.about(),
        SYSTEM,
        AuditAction.SLACK_UNDELIVERABLE,
        Map.of("purpose", m.purpose(), "channel", m.channel(), "error", f.error()));
    if (f.authentication()) {
      return; // nothing else Keysmith posts can get through either
    }
    try {
      receiptFor(m).undeliverable(m, f.error());
    } catch (RuntimeException e) {
      log.error(
          "outbox: {} about {}: after giving it up: {}", m.purpose(), m.about(), e.toString());
    }
  }

  private Receipt receiptFor(Message m) {
    Receipt receipt = receipts.get(m.purpose());
    return receipt != null ? receipt : otherwise;
  }

  /** {@code chat.update} is limited per workspace; {@code chat.postMessage} per channel. */
  private static String limitKey(Parcel parcel) {
    return parcel.posted() == null
        ? "chat.postMessage to " + parcel.message().channel()
        : "chat.update";
  }

  /** 2 s after the first failure, doubling, at most 5 minutes. */
  static Duration backoff(int attempt) {
    int doublings = Math.min(Math.max(attempt, 1) - 1, 20);
    Duration wait = FIRST_BACKOFF.multipliedBy(1L << doublings);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }

  /** When the next undelivered message falls due, for the health check and tests. */
  public Optional<Instant> nextDue() {
    return store.nextDue();
  }
}
