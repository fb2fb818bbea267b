package dev.keysmith.slack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps slow or greedy clients from starving the HTTP edge: caps on open connections, in all
 * and per client address, checked when a connection is accepted; and deadlines for a request's head
 * and body, which cut off a client that trickles or stalls however active it looks.
 *
 * <p>A connection is always in one phase: waiting for a request, from when it opened or from its
 * last answer until Jetty hands the next request over (its head complete and, if it has a body, the
 * body's first bytes in); reading the body; or being answered (no deadline here: Bolt answers
 * within Slack's 3 seconds, and the connector's idle timeout covers a client that stops reading).
 */
final class ConnectionGuard extends AbstractLifeCycle
    implements SelectorManager.AcceptListener, Connection.Listener {
  private static final Logger log = LoggerFactory.getLogger(SlackHttpServer.class);
  // Under attack a line per connection would flood the log: one summary per interval instead.
  private static final long SUMMARY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private enum Phase {
    HEAD,
    BODY,
    ANSWERING
  }

  /** A connection's phase and, unless it is being answered, when that phase must end. */
  private static final class Watch {
    volatile Phase phase = Phase.HEAD;
    volatile long deadlineNanos;
    // Bytes received when the phase began: a connection waiting for a request that has received
    // none since is merely idle (a kept-alive one, say), not slow.
    volatile long bytesInAtStart;

    Watch(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final SlackHttpServer.Limits limits;
  private final Scheduler scheduler;
  private final long sweepMillis;
  private final ConcurrentHashMap<Connection, Watch> watches = new ConcurrentHashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<SelectableChannel, InetAddress> admitted = new HashMap<>();
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();

  private final AtomicInteger refusedTotal = new AtomicInteger();
  private final AtomicInteger refusedPerAddress = new AtomicInteger();
  private final AtomicInteger cutHead = new AtomicInteger();
  private final AtomicInteger cutBody = new AtomicInteger();
  private volatile String lastOffender = "";
  private long lastSummaryNanos = System.nanoTime() - SUMMARY_INTERVAL_NANOS;
  private volatile Scheduler.@Nullable Task sweep;

  ConnectionGuard(SlackHttpServer.Limits limits, Scheduler scheduler) {
    this.limits = limits;
    this.scheduler = scheduler;
    // A tenth of the shorter deadline (within 20-500 ms): a stalled connection outlives its
    // deadline by about that much at most.
    long shorter = Math.min(limits.headerTimeout().toMillis(), limits.bodyTimeout().toMillis());
    this.sweepMillis = Math.max(20, Math.min(500, shorter / 10));
  }

  // ---- Caps, on the acceptor thread before Jetty builds anything for the connection

  @Override
  public void onAccepting(SelectableChannel channel) {
    InetAddress address = remoteAddress(channel);
    if (address == null || !admit(channel, address)) {
      lastOffender = address == null ? "unknown" : address.getHostAddress();
      refuse(channel);
    }
  }

  /** Counts the connection in, unless it is over a cap. */
  private boolean admit(SelectableChannel channel, InetAddress address) {
    lock.lock();
    try {
      if (admitted.size() >= limits.maxConnections()) {
        refusedTotal.incrementAndGet();
        return false;
      }
      int fromAddress = perAddress.getOrDefault(address, 0);
      if (fromAddress >= limits.maxConnectionsPerAddress()) {
        refusedPerAddress.incrementAndGet();
        return false;
      }
      admitted.put(channel, address);
      perAddress.put(address, fromAddress + 1);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes at once with a reset (SO_LINGER 0): no HTTP answer, no endpoint, no TIME_WAIT. Jetty
   * then fails to register the closed channel and calls {@link #onAcceptFailed}, which is all.
   */
  private static void refuse(SelectableChannel channel) {
    try {
      ((SocketChannel) channel).setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException e) {
      // Closing without the reset is still a refusal.
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  private static @Nullable InetAddress remoteAddress(SelectableChannel channel) {
    try {
      SocketAddress remote = ((SocketChannel) channel).getRemoteAddress();
      return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    release(channel);
  }

  @Override
  public void onClosed(SelectableChannel channel) {
    release(channel);
  }

  private void release(SelectableChannel channel) {
    lock.lock();
    try {
      InetAddress address = admitted.remove(channel);
      if (address != null) {
        perAddress.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Connections counted in now. */
  int openConnections() {
    lock.lock();
    try {
      return admitted.size();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the number of open connections satisfies {@code until}; false on time-out. */
  boolean awaitOpenConnections(IntPredicate until, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!until.test(admitted.size())) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ---- Deadlines

  @Override
  public void onOpened(Connection connection) {
    watches.put(connection, new Watch(System.nanoTime() + limits.headerTimeout().toNanos()));
  }

  @Override
  public void onClosed(Connection connection) {
    watches.remove(connection);
  }

  /** The request was handed over: the rest of its body has {@code bodyTimeout} from now. */
  void readingBody(Connection connection) {
    move(connection, Phase.BODY, limits.bodyTimeout());
  }

  /** The request is complete and being answered: no deadline of ours. */
  void answering(Connection connection) {
    move(connection, Phase.ANSWERING, Duration.ZERO);
  }

  /** The answer went out: the next request has {@code headerTimeout} from now. */
  void answered(Connection connection) {
    move(connection, Phase.HEAD, limits.headerTimeout());
  }

  private void move(Connection connection, Phase phase, Duration timeout) {
    Watch watch = watches.get(connection);
    if (watch != null) {
      watch.deadlineNanos = System.nanoTime() + timeout.toNanos();
      watch.bytesInAtStart = connection.getBytesIn();
      watch.phase = phase;
    }
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    Scheduler.Task task = sweep;
    if (task != null) {
      task.cancel();
    }
  }

  private void schedule() {
    if (isStarting() || isRunning()) {
      sweep = scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      watches.forEach(
          (connection, watch) -> {
            Phase phase = watch.phase;
            if (phase != Phase.ANSWERING && now - watch.deadlineNanos > 0) {
              cut(connection, phase, watch);
            }
          });
      summarise(now);
    } catch (RuntimeException e) {
      log.warn("HTTP connection sweep failed: {}", e.toString());
    } finally {
      schedule();
    }
  }

  private void cut(Connection connection, Phase phase, Watch watch) {
    watches.remove(connection);
    boolean idle = phase == Phase.HEAD && connection.getBytesIn() == watch.bytesInAtStart;
    if (!idle) {
      (phase == Phase.HEAD ? cutHead : cutBody).incrementAndGet();
      SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
      if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
        lastOffender = inet.getAddress().getHostAddress();
      }
    }
    Duration timeout = phase == Phase.HEAD ? limits.headerTimeout() : limits.bodyTimeout();
    connection
        .getEndPoint()
        .close(
            new TimeoutException(
                (idle
                        ? "idle for "
                        : phase == Phase.HEAD ? "no request within " : "no body within ")
                    + timeout.toMillis()
                    + " ms"));
  }

  /** At most one line per interval, and only when something was refused or cut. */
  private void summarise(long now) {
    if (now - lastSummaryNanos < SUMMARY_INTERVAL_NANOS) {
      return;
    }
    int total = refusedTotal.getAndSet(0);
    int address = refusedPerAddress.getAndSet(0);
    int head = cutHead.getAndSet(0);
    int body = cutBody.getAndSet(0);
    if (total + address + head + body == 0) {
      return;
    }
    lastSummaryNanos = now;
    log.info(
        "Slow or greedy HTTP clients: closed {} connections that sent part of a request but not all"
            + " of it within {} ms and {} that sent no whole body within {} ms; refused {} over the"
            + " cap of {} connections and {} over the cap of {} per address (last from {})",
        head,
        limits.headerTimeout().toMillis(),
        body,
        limits.bodyTimeout().toMillis(),
        total,
        limits.maxConnections(),
        address,
        limits.maxConnectionsPerAddress(),
        LogSafe.value(lastOffender));
  }
}
