package dev.keysmith.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keysmith.workflow.Transactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Keysmith's database: SQLite in the data directory ({@code keysmith.db}, the default), or a
 * PostgreSQL server that several Keysmith replicas share. Connections come from a pool; {@link
 * #atomically} binds one to the calling thread for its transaction, which every store call on that
 * thread joins.
 *
 * <p>SQLite has one connection, used by one thread at a time, so a read-then-write is atomic for
 * every caller in the process. PostgreSQL runs each transaction at READ COMMITTED, set on every
 * connection whatever the server's default: every state change is a compare-and-set ({@code UPDATE
 * ... WHERE state = ?}), which a concurrent transaction on the same row makes wait for the first to
 * commit and then re-checks against the committed row, so exactly one of two racing changes
 * succeeds; work is claimed with {@code FOR UPDATE SKIP LOCKED}.
 */
public final class Database implements Transactions, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  static final String FILE_NAME = "keysmith.db";

  /** What SQLite keeps beside the database in WAL mode, created with the database's permissions. */
  static final List<String> SQLITE_SIDE_FILES = List.of("-wal", "-shm");

  private static final int BUSY_TIMEOUT_MILLIS = 5_000;

  /**
   * The last schema version Keysmith recorded only in SQLite's {@code PRAGMA user_version}, before
   * it migrated with Flyway.
   */
  static final int LEGACY_VERSION = 15;

  /** Where the migrations of each dialect are, on the class path. */
  private static final String MIGRATIONS = "classpath:db/migration/";

  /** The SQL dialect of the database, for the few statements that differ. */
  public enum Dialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    private final String folder;

    Dialect(String folder) {
      this.folder = folder;
    }
  }

  /**
   * A PostgreSQL server: its JDBC URL ({@code jdbc:postgresql://host:5432/keysmith}), who to log in
   * as, and how many connections this replica keeps at most. {@link #toString()} hides the
   * password.
   */
  public record Server(String url, String user, Optional<String> password, int poolSize) {
    public Server {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("not a PostgreSQL JDBC URL");
      }
      if (poolSize < 2) {
        throw new IllegalArgumentException("a pool needs at least 2 connections");
      }
    }

    @Override
    public String toString() {
      return "Server[url="
          + url
          + ", user="
          + user
          + ", password="
          + (password.isPresent() ? "(hidden)" : "(unset)")
          + ", poolSize="
          + poolSize
          + "]";
    }
  }

  private final HikariDataSource pool;
  private final Dialect dialect;
  private final @Nullable Server server;

  // Per database, not static: one thread may work with two databases (a test's two replicas), each
  // with a transaction of its own.
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<@Nullable Transaction> current = new ThreadLocal<>();

  private volatile boolean closed;

  /** The connection a thread's transaction holds, and what waits for its commit. */
  private static final class Transaction {
    final Connection connection;
    final List<Runnable> afterCommit = new ArrayList<>();
    final Map<Object, Object> gathered = new LinkedHashMap<>();
    final List<Runnable> beforeCommit = new ArrayList<>();

    Transaction(Connection connection) {
      this.connection = connection;
    }
  }

  private Database(HikariDataSource pool, Dialect dialect, @Nullable Server server) {
    this.pool = pool;
    this.dialect = dialect;
    this.server = server;
  }

  /** Which SQL this database speaks. */
  public Dialect dialect() {
    return dialect;
  }

  /** Work done with the connection; may throw {@link SQLException}. */
  @FunctionalInterface
  public interface SqlFunction<A, T> {
    /** Does the work. */
    T apply(A argument) throws SQLException;
  }

  /** Whether {@code dataDir} holds a SQLite database ({@code keysmith.db}). */
  public static boolean existsIn(Path dataDir) {
    return Files.isRegularFile(dataDir.resolve(FILE_NAME));
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
    SQLiteDataSource sqlite = sqlite(file);
    HikariConfig config = poolConfig("keysmith-sqlite");
    config.setDataSource(sqlite);
    // One connection: SQLite writes one transaction at a time, and a second connection in this
    // process would only wait for the first. It is kept for good (no idle or age limit).
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(1);
    config.setMaxLifetime(0);
    config.setIdleTimeout(0);
    // A caller waits for the connection as long as the transaction before it takes.
    config.setConnectionTimeout(60_000);
    Database db = new Database(pool(config, "open database " + file), Dialect.SQLITE, null);
    try {
      db.configureAndCheck(data.marked());
      db.migrate(sqlite);
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

  /**
   * Connects to the PostgreSQL database of {@code server} and migrates it to the latest schema;
   * replicas starting together migrate it once (Flyway holds a lock while it migrates). Refuses
   * with a {@link StoreException} saying what to do when the server cannot be reached or refuses
   * the login.
   */
  public static Database connect(Server server) {
    HikariConfig config = poolConfig("keysmith-postgresql");
    config.setJdbcUrl(server.url());
    config.setUsername(server.user());
    server.password().ifPresent(config::setPassword);
    config.setMaximumPoolSize(server.poolSize());
    config.setMinimumIdle(Math.min(2, server.poolSize()));
    config.setConnectionTimeout(10_000);
    // Explicit, so a server whose default_transaction_isolation differs changes nothing here.
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.addDataSourceProperty("ApplicationName", "keysmith");
    config.addDataSourceProperty("connectTimeout", "10");
    // A statement stuck on a lock fails rather than holding a pooled connection for ever.
    config.addDataSourceProperty("options", "-c lock_timeout=30s -c statement_timeout=60s");
    Database db =
        new Database(pool(config, "connect to " + server.url()), Dialect.POSTGRESQL, server);
    try {
      db.migrate(db.pool);
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * A PostgreSQL connection of its own, outside the pool, for a task that holds one for as long as
   * it runs (listening for notifications). Reads time out after {@code readTimeout}, so a server
   * that went silent is noticed. The caller closes it.
   */
  Connection ownConnection(String applicationName, Duration readTimeout) throws SQLException {
    if (server == null) {
      throw new IllegalStateException("SQLite has no server to connect to");
    }
    Properties props = new Properties();
    props.setProperty("user", server.user());
    server.password().ifPresent(p -> props.setProperty("password", p));
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", Long.toString(Math.max(1, readTimeout.toSeconds())));
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(server.url(), props);
  }

  private static HikariConfig poolConfig(String name) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setAutoCommit(true);
    // Fail at start, with the database's own reason, rather than at the first click.
    config.setInitializationFailTimeout(1);
    return config;
  }

  private static HikariDataSource pool(HikariConfig config, String operation) {
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StoreException(
          operation + " failed: " + (cause.getMessage() == null ? cause : cause.getMessage()), e);
    }
  }

  private static SQLiteDataSource sqlite(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file);
    return source;
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

  /**
   * Runs {@code work} with a connection: the calling thread's transaction's, if it has one, else
   * one from the pool (in auto-commit) for the call alone; {@code operation} names it.
   */
  public <T> T withConnection(String operation, SqlFunction<Connection, T> work) {
    Transaction tx = current.get();
    if (tx != null) {
      try {
        return work.apply(tx.connection);
      } catch (SQLException e) {
        throw failure(operation, e);
      }
    }
    try (Connection c = borrow(operation)) {
      return work.apply(c);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  private Connection borrow(String operation) throws SQLException {
    if (closed) {
      throw new StoreException(operation + " failed: the database is closed");
    }
    return pool.getConnection();
  }

  /** Like {@link #withConnection}, inside one transaction: all of {@code work} or none of it. */
  <T> T inTransaction(String operation, SqlFunction<Connection, T> work) {
    return atomically(operation, () -> withConnection(operation, work));
  }

  @Override
  public <T> T atomically(String operation, Supplier<T> work) {
    if (current.get() != null) {
      return work.get();
    }
    Transaction tx;
    T result;
    try (Connection c = borrow(operation)) {
      tx = new Transaction(c);
      c.setAutoCommit(false);
      current.set(tx);
      try {
        result = work.get();
        // What the work gathered is written last, so that a lock it takes (the audit chain's) is
        // held only from here to the commit, after every row lock the work took.
        for (int i = 0; i < tx.beforeCommit.size(); i++) {
          tx.beforeCommit.get(i).run();
        }
        c.commit();
      } catch (RuntimeException | Error e) {
        rollback(c, e);
        throw e;
      } catch (SQLException e) {
        rollback(c, e);
        throw e;
      } finally {
        current.remove();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(operation, e);
    }
    // Once the connection is back in the pool: what follows a commit (such as waking the courier)
    // does not hold up the store.
    tx.afterCommit.forEach(Runnable::run);
    return result;
  }

  @Override
  public void afterCommit(Runnable action) {
    Transaction tx = current.get();
    if (tx != null) {
      tx.afterCommit.add(action);
    } else {
      action.run();
    }
  }

  /**
   * What the calling thread's transaction has gathered under {@code key}: made by {@code start} the
   * first time, and handed to {@code write} just before the transaction commits, on its connection
   * (a failure there rolls the transaction back). Only inside a transaction.
   */
  @SuppressWarnings("unchecked") // one type per key: the caller's own
  <T> T gathered(Object key, Supplier<T> start, Consumer<T> write) {
    Transaction tx = current.get();
    if (tx == null) {
      throw new IllegalStateException("nothing is gathered outside a transaction");
    }
    Object existing = tx.gathered.get(key);
    if (existing != null) {
      return (T) existing;
    }
    T made = start.get();
    tx.gathered.put(key, made);
    tx.beforeCommit.add(() -> write.accept(made));
    return made;
  }

  /** Whether the calling thread is inside a transaction of this database. */
  boolean hasTransaction() {
    return current.get() != null;
  }

  /**
   * Runs {@code statement}, taking a unique-constraint violation as nothing changed (0 rows) rather
   * than an error. Inside a transaction it runs behind a savepoint: PostgreSQL aborts the whole
   * transaction on a failed statement unless it is rolled back to one.
   */
  static int executeUnlessDuplicate(Connection c, PreparedStatement statement) throws SQLException {
    if (c.getAutoCommit()) {
      try {
        return statement.executeUpdate();
      } catch (SQLException e) {
        if (duplicate(e)) {
          return 0;
        }
        throw e;
      }
    }
    Savepoint savepoint = c.setSavepoint();
    try {
      int changed = statement.executeUpdate();
      c.releaseSavepoint(savepoint);
      return changed;
    } catch (SQLException e) {
      if (!duplicate(e)) {
        throw e;
      }
      c.rollback(savepoint);
      return 0;
    }
  }

  private static boolean duplicate(SQLException e) {
    return "23505".equals(e.getSQLState())
        || (e instanceof SQLiteException sqlite
            && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** The schema version the database is migrated to. */
  int schemaVersion() {
    return withConnection(
        "read schema version",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT version FROM "
                          + HISTORY
                          + " WHERE success AND version IS NOT NULL"
                          + " ORDER BY installed_rank DESC LIMIT 1")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : 0;
          }
        });
  }

  /** Closes the pool; later calls fail with {@link StoreException}. */
  @Override
  public void close() {
    closed = true;
    pool.close();
  }

  /** SQLite only: WAL, so a backup or an operator's sqlite3 can read while Keysmith writes. */
  private void configureAndCheck(boolean marked) {
    try {
      withConnection(
          "configure database",
          c -> {
            try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
              if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                throw new StoreException("configure database failed: WAL journal mode refused");
              }
            }
            return Boolean.TRUE;
          });
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
    if (marked && withConnection("read schema version", Database::userVersion) == 0) {
      throw new Damaged(
          FILE_NAME
              + " holds no Keysmith schema, but "
              + DataDirectory.MARKER
              + " says Keysmith made a database here",
          null);
    }
  }

  /** Flyway's record of the migrations applied. */
  static final String HISTORY = "flyway_schema_history";

  /**
   * Migrates with Flyway. A SQLite database from before Flyway records its version only in {@code
   * PRAGMA user_version}: Flyway takes it as the baseline and applies what follows. SQLite's
   * user_version then follows the schema, so a Keysmith from before Flyway refuses a newer one.
   */
  private void migrate(DataSource source) {
    int legacy = dialect == Dialect.SQLITE ? legacyVersion() : 0;
    var configure =
        Flyway.configure(Database.class.getClassLoader())
            .dataSource(source)
            .locations(MIGRATIONS + dialect.folder)
            .table(HISTORY)
            .cleanDisabled(true)
            // A migration this Keysmith does not know fails validation: see refuseNewer.
            .ignoreMigrationPatterns("")
            .validateOnMigrate(false);
    if (legacy > 0) {
      configure.baselineOnMigrate(true).baselineVersion(MigrationVersion.fromVersion("" + legacy));
    }
    Flyway flyway = configure.load();
    try {
      refuseNewer(flyway);
      var result = flyway.migrate();
      if (result.migrationsExecuted > 0) {
        log.info(
            "database migrated to schema version {} ({} migrations)",
            result.targetSchemaVersion,
            result.migrationsExecuted);
      }
    } catch (FlywayException e) {
      throw new StoreException("migrate schema failed: " + e.getMessage(), e);
    }
    if (dialect == Dialect.SQLITE) {
      int version = schemaVersion();
      withConnection(
          "record schema version",
          c -> {
            try (Statement s = c.createStatement()) {
              // PRAGMA takes no bind parameters; the version is read from Flyway's own table.
              return s.execute("PRAGMA user_version = " + version);
            }
          });
    }
  }

  /** Refuses a database migrated by a newer Keysmith, whose schema this one does not know. */
  private static void refuseNewer(Flyway flyway) {
    int known = 0;
    int applied = 0;
    for (MigrationInfo m : flyway.info().all()) {
      if (m.getVersion() == null) {
        continue;
      }
      int version = Integer.parseInt(m.getVersion().getVersion());
      if (m.getState().isApplied()) {
        applied = Math.max(applied, version);
      }
      if (m.getState().isResolved()) {
        known = Math.max(known, version);
      }
    }
    if (applied > known) {
      throw newer(applied, known);
    }
  }

  private static StoreException newer(int version, int known) {
    return new StoreException(
        "migrate schema failed: the database has schema version "
            + version
            + " but this Keysmith knows only up to "
            + known
            + "; was it written by a newer Keysmith?");
  }

  /** SQLite: the version a database from before Flyway recorded, or 0 (new, or Flyway's). */
  private int legacyVersion() {
    return withConnection(
        "read schema version",
        c -> {
          try (ResultSet rs = c.getMetaData().getTables(null, null, HISTORY, null)) {
            if (rs.next()) {
              return 0;
            }
          }
          int version = userVersion(c);
          int known = LEGACY_VERSION;
          if (version > known) {
            throw newer(version, known);
          }
          return version;
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
    // Values are always bound, so neither our message nor the database's (in the cause) quotes
    // one.
    String code =
        e instanceof SQLiteException sqlite
            ? " (" + sqlite.getResultCode().name() + ")"
            : e.getSQLState() != null ? " (SQLSTATE " + e.getSQLState() + ")" : "";
    return new StoreException(operation + " failed" + code, e);
  }
}
