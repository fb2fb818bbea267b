package dev.keysmith.store;

import dev.keysmith.workflow.Transactions;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.sqlite.SQLiteException;

/**
 * Keysmith's SQLite database ({@code keysmith.db}): one connection, used by one thread at a time,
 * so a read-then-write inside {@link #withConnection} is atomic for every caller in this process.
 */
public final class Database implements Transactions, AutoCloseable {
  static final String FILE_NAME = "keysmith.db";

  /** What SQLite keeps beside the database in WAL mode, created with the database's permissions. */
  static final List<String> SQLITE_SIDE_FILES = List.of("-wal", "-shm");

  private static final int BUSY_TIMEOUT_MILLIS = 5_000;

  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean closed;
  // Both guarded by lock: whether a transaction is open, and what waits for its commit.
  private boolean inTransaction;
  private final List<Runnable> afterCommit = new ArrayList<>();

  private Database(Connection connection) {
    this.connection = connection;
  }

  /** Work done with the connection; may throw {@link SQLException}. */
  @FunctionalInterface
  public interface SqlFunction<A, T> {
    /** Does the work. */
    T apply(A argument) throws SQLException;
  }

  /**
   * Opens (creating when missing) {@code dataDir/keysmith.db} and migrates it to the latest schema.
   * The directory and the database files are made readable by this process's user alone.
   */
  public static Database open(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    try {
      PrivateFiles.directory(dataDir);
      PrivateFiles.file(file);
      for (String suffix : SQLITE_SIDE_FILES) {
        PrivateFiles.ifExists(file.resolveSibling(FILE_NAME + suffix));
      }
    } catch (IOException e) {
      throw new StoreException("cannot make the data directory " + dataDir + " private: " + e, e);
    }
    Connection connection;
    try {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw failure("open database " + file, e);
    }
    Database db = new Database(connection);
    try {
      db.configure();
      db.migrate();
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Runs {@code work} with the connection, holding it exclusively; {@code operation} names it. */
  public <T> T withConnection(String operation, SqlFunction<Connection, T> work) {
    lock.lock();
    try {
      if (closed) {
        throw new StoreException(operation + " failed: the database is closed");
      }
      return work.apply(connection);
    } catch (SQLException e) {
      throw failure(operation, e);
    } finally {
      lock.unlock();
    }
  }

  /** Like {@link #withConnection}, for work that returns nothing. */
  private void useConnection(String operation, SqlAction work) {
    withConnection(
        operation,
        c -> {
          work.run(c);
          return Boolean.TRUE;
        });
  }

  /** Work with the connection that returns nothing; may throw {@link SQLException}. */
  @FunctionalInterface
  private interface SqlAction {
    void run(Connection connection) throws SQLException;
  }

  /** Like {@link #withConnection}, inside one transaction: all of {@code work} or none of it. */
  <T> T inTransaction(String operation, SqlFunction<Connection, T> work) {
    return atomically(operation, () -> withConnection(operation, work));
  }

  @Override
  public <T> T atomically(String operation, Supplier<T> work) {
    List<Runnable> committed;
    T result;
    lock.lock();
    try {
      if (inTransaction) {
        return work.get();
      }
      begin(operation);
      try {
        result = work.get();
        commit(operation);
        committed = List.copyOf(afterCommit);
      } catch (RuntimeException e) {
        rollback(operation, e);
        throw e;
      } finally {
        end(operation);
      }
    } finally {
      lock.unlock();
    }
    // Outside the lock: what follows a commit (such as a log line) does not hold up the store.
    committed.forEach(Runnable::run);
    return result;
  }

  @Override
  public void afterCommit(Runnable action) {
    lock.lock();
    try {
      if (inTransaction) {
        afterCommit.add(action);
        return;
      }
    } finally {
      lock.unlock();
    }
    action.run();
  }

  private void begin(String operation) {
    useConnection(
        operation,
        c -> {
          c.setAutoCommit(false);
        });
    inTransaction = true;
  }

  private void commit(String operation) {
    useConnection(
        operation,
        c -> {
          c.commit();
        });
  }

  private void rollback(String operation, RuntimeException cause) {
    try {
      useConnection(
          operation,
          c -> {
            c.rollback();
          });
    } catch (StoreException e) {
      cause.addSuppressed(e);
    }
  }

  private void end(String operation) {
    inTransaction = false;
    afterCommit.clear();
    useConnection(
        operation,
        c -> {
          c.setAutoCommit(true);
        });
  }

  /** Whether the database answers a trivial query; for the health check. */
  public boolean isHealthy() {
    try {
      return withConnection(
          "health check",
          c -> {
            try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT 1")) {
              return rs.next();
            }
          });
    } catch (StoreException e) {
      return false;
    }
  }

  /** The schema version recorded in the database file. */
  int schemaVersion() {
    return withConnection("read schema version", Database::userVersion);
  }

  /** Closes the connection; later calls fail with {@link StoreException}. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        connection.close();
      }
    } catch (SQLException e) {
      throw failure("close database", e);
    } finally {
      lock.unlock();
    }
  }

  private void configure() {
    useConnection(
        "configure database",
        c -> {
          try (Statement s = c.createStatement()) {
            // WAL lets a backup or an operator's sqlite3 read while Keysmith writes.
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
              if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                throw new StoreException("configure database failed: WAL journal mode refused");
              }
            }
            s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("PRAGMA synchronous = NORMAL");
          }
        });
  }

  private void migrate() {
    inTransaction(
        "migrate schema",
        c -> {
          int current = userVersion(c);
          if (current > Schema.latestVersion()) {
            throw new StoreException(
                "migrate schema failed: the database has schema version "
                    + current
                    + " but this Keysmith knows only up to "
                    + Schema.latestVersion()
                    + "; was it written by a newer Keysmith?");
          }
          try (Statement s = c.createStatement()) {
            for (Schema.Migration migration : Schema.MIGRATIONS) {
              if (migration.version() > current) {
                for (String sql : migration.statements()) {
                  s.execute(sql);
                }
                // PRAGMA takes no bind parameters; the version is our own constant.
                s.execute("PRAGMA user_version = " + migration.version());
              }
            }
          }
          return Schema.latestVersion();
        });
  }

  private static int userVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static StoreException failure(String operation, SQLException e) {
    // Values are always bound, so neither our message nor SQLite's (in the cause) quotes one.
    String code =
        e instanceof SQLiteException sqlite ? " (" + sqlite.getResultCode().name() + ")" : "";
    return new StoreException(operation + " failed" + code, e);
  }
}
