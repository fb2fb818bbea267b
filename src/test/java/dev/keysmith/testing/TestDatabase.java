package dev.keysmith.testing;

import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Replica;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlLeases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * One test's database in either dialect: SQLite in the test's data directory, or a fresh database
 * of its own on the test PostgreSQL server ({@link TestPostgres}). {@link #open()} may be called
 * again, as a restart or a second replica would, and reaches the same data.
 */
public final class TestDatabase {
  /** Connections per test pool: enough for a test's threads, small beside the server's limit. */
  private static final int POOL_SIZE = 4;

  private final Database.Dialect dialect;
  private final Path dataDir;
  private final TestPostgres.Db postgres;

  private TestDatabase(Database.Dialect dialect, Path dataDir, TestPostgres.Db postgres) {
    this.dialect = dialect;
    this.dataDir = dataDir;
    this.postgres = postgres;
  }

  /** A new, empty database of {@code dialect}; SQLite's lives in {@code dataDir}. */
  public static TestDatabase of(Database.Dialect dialect, Path dataDir) {
    return new TestDatabase(
        dialect,
        dataDir,
        dialect == Database.Dialect.POSTGRESQL ? TestPostgres.get().freshDatabase() : null);
  }

  /** Which dialect this is. */
  public Database.Dialect dialect() {
    return dialect;
  }

  /** The PostgreSQL server Keysmith's config would name; only for the PostgreSQL dialect. */
  public Database.Server server() {
    if (postgres == null) {
      throw new IllegalStateException("a SQLite test database has no server");
    }
    return new Database.Server(
        postgres.url(), postgres.user(), Optional.of(postgres.password()), POOL_SIZE);
  }

  /** The PostgreSQL database itself, for a test that reads it over JDBC. */
  public TestPostgres.Db postgres() {
    if (postgres == null) {
      throw new IllegalStateException("a SQLite test database has no server");
    }
    return postgres;
  }

  /** The leases of the only replica, for a test of one service over {@code db}. */
  public static Leases leases(Database db, Clock clock) {
    return new SqlLeases(db, clock, new Replica("test-replica", Replica.LEASE_TERM));
  }

  /** Opens (migrating, the first time) the database; the caller closes it. */
  public Database open() {
    return dialect == Database.Dialect.POSTGRESQL
        ? Database.connect(server())
        : Database.open(dataDir);
  }
}
