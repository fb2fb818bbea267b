package dev.keysmith.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.TestPostgres.Db;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server the tests get is a real PostgreSQL, and each test's database is its own. */
class TestPostgresTest {
  private final TestPostgres postgres = TestPostgres.get();

  @Test
  void freshDatabases_areIndependent() throws SQLException {
    Db first = postgres.freshDatabase();
    Db second = postgres.freshDatabase();
    assertNotEquals(first.url(), second.url());

    try (Connection one = first.connect();
        Statement statement = one.createStatement()) {
      statement.execute("CREATE TABLE requests (id INT PRIMARY KEY)");
      statement.execute("INSERT INTO requests VALUES (1)");
    }

    try (Connection one = first.connect()) {
      assertTrue(tableExists(one, "requests"));
      assertEquals(List.of(1), ids(one, "SELECT id FROM requests"));
    }
    try (Connection two = second.connect()) {
      assertFalse(tableExists(two, "requests"));
    }
  }

  @Test
  void server_isVersion15OrLater() throws SQLException {
    try (Connection connection = postgres.freshDatabase().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW server_version_num")) {
      assertTrue(rows.next());
      int version = Integer.parseInt(rows.getString(1));
      assertTrue(version >= 150000, "server_version_num is " + version);
    }
  }

  @Test
  void skipLocked_passesOverARowAnotherTransactionHolds() throws SQLException {
    Db db = postgres.freshDatabase();
    try (Connection setup = db.connect();
        Statement statement = setup.createStatement()) {
      statement.execute("CREATE TABLE jobs (id INT PRIMARY KEY)");
      statement.execute("INSERT INTO jobs VALUES (1), (2)");
    }

    try (Connection holder = db.connect();
        Connection other = db.connect()) {
      holder.setAutoCommit(false);
      other.setAutoCommit(false);
      assertEquals(List.of(1), ids(holder, "SELECT id FROM jobs WHERE id = 1 FOR UPDATE"));

      assertEquals(
          List.of(2), ids(other, "SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED"));
      other.rollback();
      // Row 1 is skipped because it is locked, not missing: NOWAIT meets the lock.
      SQLException locked =
          assertThrows(
              SQLException.class,
              () -> ids(other, "SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT"));
      assertEquals("55P03", locked.getSQLState()); // lock_not_available
      other.rollback();

      holder.commit();
      assertEquals(
          List.of(1, 2), ids(other, "SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED"));
      other.commit();
    }
  }

  @Test
  void withDatabase_replacesOnlyTheDatabaseName() {
    assertEquals(
        "jdbc:postgresql://db.example:5433/ks_1?sslmode=require",
        TestPostgres.withDatabase("jdbc:postgresql://db.example:5433/app?sslmode=require", "ks_1"));
    assertEquals(
        "jdbc:postgresql://h1,h2/ks_1",
        TestPostgres.withDatabase("jdbc:postgresql://h1,h2", "ks_1"));
    assertEquals(
        "jdbc:postgresql://localhost/ks_1?user=a",
        TestPostgres.withDatabase("jdbc:postgresql://localhost?user=a", "ks_1"));
    assertThrows(
        IllegalArgumentException.class,
        () -> TestPostgres.withDatabase("jdbc:postgresql:app", "x"));
  }

  private static boolean tableExists(Connection connection, String table) throws SQLException {
    try (ResultSet rows =
        connection.getMetaData().getTables(null, "public", table, new String[] {"TABLE"})) {
      return rows.next();
    }
  }

  private static List<Integer> ids(Connection connection, String sql) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        ids.add(rows.getInt(1));
      }
    }
    return ids;
  }
}
