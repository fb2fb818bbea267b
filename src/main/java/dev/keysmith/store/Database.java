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
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * Keysmith's SQLite database ({@code keysmith.db}): one connection, used by one thread at a time,
 * so a read-then-write inside {@link #withConnection} is atomic for every caller in this process.
 */
public final class Database implements Transactions, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

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
   * The directory and the database files are made readable by this process's user alone. Refuses a
   * database that is lost or damaged; see {@link #open(Path, boolean)}.
   */
  public static Database open(Path dataDir) {
    return open(dataDir, /* startFresh= */ false);
  }

  /**
   * Opens {@code dataDir/keysmith.db} as {@link #open(Path)} does, and refuses with a {@link
   * StoreException} saying what happened and what to do when a database Keysmith made there is
   * missing or empty, or when SQLite finds the file damaged ({@code PRAGMA quick_check}). With
   * {@code startFresh}, such files are moved aside instead and an empty database is made; an intact
   * database is opened as always.
   */
  public static Database open(Path dataDir, boolean startFresh) {
    DataDirectory data = new DataDirectory(dataDir);
    @Nullable String lost;
    try {
      PrivateFiles.directory(dataDir);
      lost = data.lost();
      if (lost != null) {
        if (!startFresh) {
          throw new StoreException(data.refusal(lost));
        }
        data.moveAside(lost);
      }
    } catch (IOException e) {
      throw new StoreException("cannot prepare the data directory " + dataDir + ": " + e, e);
    }
    try {
      Database db = openChecked(dataDir, data);
      if (startFresh && lost == null) {
        log.warn(
            "{} is set, but the database is intact: it is used as it is; unset {}",
            DataDirectory.START_FRESH,
            DataDirectory.START_FRESH);
      }
      return db;
    } catch (Damaged e) {
      if (!startFresh) {
        Throwable cause = e.getCause();
        throw cause == null
            ? new StoreException(data.refusal(e.getMessage()))
            : new StoreException(data.refusal(e.getMessage()), cause);
      }
      try {
        data.moveAside(e.getMessage());
      } catch (IOException io) {
        throw new StoreException("cannot move the damaged database aside: " + io, io);
      }
      return openChecked(dataDir, data);
    }
  }

  private static Database openChecked(Path dataDir, DataDirectory data) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    try {
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
      db.configureAndCheck(data.marked());
      db.migrate();
      data.mark();
      return db;
    } catch (IOException e) {
      db.close();
      throw new StoreException("cannot write " + DataDirectory.MARKER + ": " + e, e);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** The database file is there but unusable: SQLite finds it damaged, or it holds no schema. */
  private static final class Damaged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Damaged(String message, @Nullable Throwable cause) {
      super(message, cause);
    }

    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage());
    }
  }

  private void configureAndCheck(boolean marked) {
    try {
      configure();
      String check = withConnection("check database", Database::quickCheck);
      if (!"ok".equals(check)) {
        throw new Damaged(
            FILE_NAME + " is damaged: SQLite's quick_check says \"" + check + "\"", null);
      }
    } catch (StoreException e) {
      if (e.getCause() instanceof SQLiteException sqlite && damaged(sqlite)) {
        throw new Damaged(
            FILE_NAME + " is damaged: SQLite says " + sqlite.getResultCode().name(), sqlite);
      }
      throw e;
    }
    if (marked && schemaVersion() == 0) {
      throw new Damaged(
          FILE_NAME
              + " holds no Keysmith schema, but "
              + DataDirectory.MARKER
              + " says Keysmith made a database here",
          null);
    }
  }

  private static boolean damaged(SQLiteException e) {
    String code = e.getResultCode().name();
    return code.startsWith("SQLITE_CORRUPT") || code.equals("SQLITE_NOTADB");
  }

  /** The first lines of {@code PRAGMA quick_check}: "ok", or what is wrong (names no value). */
  private static String quickCheck(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA quick_check(3)")) {
      List<String> lines = new ArrayList<>();
      while (rs.next()) {
        lines.add(rs.getString(1));
      }
      return String.join("; ", lines);
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
