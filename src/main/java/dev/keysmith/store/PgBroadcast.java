package dev.keysmith.store;

import dev.keysmith.core.Broadcast;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Broadcast} over PostgreSQL's {@code LISTEN}/{@code NOTIFY}, on one channel: no cache
 * server, and a message sent inside a transaction goes out when it commits (not at all if it rolls
 * back). Each replica listens on a connection of its own, outside the pool, on a thread of its own,
 * and probes that connection every {@link #PROBE_EVERY}; when it drops, the replica connects again
 * every {@link #RECONNECT_AFTER} and then tells every listener it may have missed messages.
 */
public final class PgBroadcast implements Broadcast, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgBroadcast.class);

  static final String CHANNEL = "keysmith_broadcast";
  static final Duration RECONNECT_AFTER = Duration.ofSeconds(5);
  static final Duration PROBE_EVERY = Duration.ofSeconds(20);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final int WAIT_MILLIS = 1_000;

  private final Database db;
  private final String replicaId;
  private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private volatile boolean closed;
  // Only the listening thread reads and writes these.
  private boolean missed;
  private boolean everConnected;

  /**
   * A broadcast through {@code db}, a PostgreSQL database, for the replica {@code replicaId}; it
   * hears nothing until {@link #start()}.
   */
  public PgBroadcast(Database db, String replicaId) {
    if (db.dialect() != Database.Dialect.POSTGRESQL) {
      throw new IllegalArgumentException("LISTEN/NOTIFY needs PostgreSQL");
    }
    if (replicaId.contains(" ")) {
      throw new IllegalArgumentException("a replica id has no spaces");
    }
    this.db = db;
    this.replicaId = replicaId;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keysmith-listen");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts listening, in the background. */
  public void start() {
    thread.execute(this::listen);
  }

  @Override
  public void publish(String topic, String message) {
    checkTopic(topic);
    String payload = replicaId + " " + topic + " " + message;
    db.withConnection(
        "tell the other replicas of a change",
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload);
            return ps.execute();
          }
        });
  }

  @Override
  public void subscribe(String topic, Listener listener) {
    checkTopic(topic);
    listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
  }

  private static void checkTopic(String topic) {
    if (topic.isEmpty() || topic.contains(" ")) {
      throw new IllegalArgumentException("a topic is one word: " + topic);
    }
  }

  private void listen() {
    if (closed) {
      return;
    }
    try (Connection c = db.ownConnection("keysmith-listen " + replicaId, READ_TIMEOUT)) {
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
      }
      if (missed) {
        log.info("listening for the other replicas' changes again; reloading what they change");
        tellAll(Listener::mayHaveMissed);
      } else if (!everConnected) {
        log.debug("listening for the other replicas' changes");
      }
      everConnected = true;
      missed = false;
      PGConnection pg = c.unwrap(PGConnection.class);
      long probed = System.nanoTime();
      while (!closed) {
        PGNotification[] heard = pg.getNotifications(WAIT_MILLIS);
        if (heard != null) {
          for (PGNotification n : heard) {
            deliver(n.getParameter());
          }
        }
        if (System.nanoTime() - probed >= PROBE_EVERY.toNanos()) {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT 1"); // a silent server fails this within READ_TIMEOUT
          }
          probed = System.nanoTime();
        }
      }
    } catch (SQLException | RuntimeException e) {
      if (closed) {
        return;
      }
      missed = true;
      log.warn(
          "listening for the other replicas' changes failed ({}); trying again in {} s",
          e.toString(),
          RECONNECT_AFTER.toSeconds());
      var unused = thread.schedule(this::listen, RECONNECT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void deliver(String payload) {
    String[] parts = payload.split(" ", 3);
    if (parts.length < 3) {
      log.warn("a change notice from another replica could not be read; ignored");
      return;
    }
    if (parts[0].equals(replicaId)) {
      return; // our own, already applied here
    }
    for (Listener listener : listeners.getOrDefault(parts[1], List.of())) {
      try {
        listener.heard(parts[2]);
      } catch (RuntimeException e) {
        log.warn("applying a change from replica {} failed: {}", parts[0], e.toString());
      }
    }
  }

  private void tellAll(java.util.function.Consumer<Listener> what) {
    for (List<Listener> topic : listeners.values()) {
      for (Listener listener : topic) {
        try {
          what.accept(listener);
        } catch (RuntimeException e) {
          log.warn("reloading after missed changes failed: {}", e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(WAIT_MILLIS * 3L, TimeUnit.MILLISECONDS)) {
        log.warn("the listening thread did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
