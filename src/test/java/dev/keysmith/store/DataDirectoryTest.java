package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up on a data directory whose database was lost or damaged. */
class DataDirectoryTest {
  @TempDir Path tmp;

  @Test
  void open_markerWithoutDatabase_isRefusedSayingWhatToDo() throws Exception {
    Path data = withOneRequest();
    Files.delete(data.resolve(Database.FILE_NAME));

    StoreException e = assertThrows(StoreException.class, () -> Database.open(data));

    assertTrue(e.getMessage().contains("keysmith.db is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("KEYSMITH_START_FRESH=true"), e.getMessage());
    assertFalse(Files.exists(data.resolve(Database.FILE_NAME)), "nothing was created");
  }

  @Test
  void open_emptyDatabaseFile_isRefused() throws Exception {
    Path data = withOneRequest();
    Files.write(data.resolve(Database.FILE_NAME), new byte[0]);

    StoreException e = assertThrows(StoreException.class, () -> Database.open(data));

    assertTrue(e.getMessage().contains("keysmith.db is empty (0 bytes)"), e.getMessage());
    assertEquals(0L, Files.size(data.resolve(Database.FILE_NAME)));
  }

  @Test
  void open_emptyDatabaseFileWithoutMarker_isRefused() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Files.write(data.resolve(Database.FILE_NAME), new byte[0]);

    StoreException e = assertThrows(StoreException.class, () -> Database.open(data));

    assertTrue(e.getMessage().contains("empty (0 bytes)"), e.getMessage());
  }

  @Test
  void open_databaseWithoutSchemaButMarker_isRefused() throws Exception {
    Path data = withOneRequest();
    Files.delete(data.resolve(Database.FILE_NAME));
    // Another SQLite file in its place: valid, but not Keysmith's.
    try (var c =
            java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + data.resolve(Database.FILE_NAME));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE other (x INTEGER)");
    }

    StoreException e = assertThrows(StoreException.class, () -> Database.open(data));

    assertTrue(e.getMessage().contains("holds no Keysmith schema"), e.getMessage());
  }

  @Test
  void open_corruptedPage_isRefused() throws Exception {
    Path data = withOneRequest();
    corruptMiddle(data.resolve(Database.FILE_NAME));

    StoreException e = assertThrows(StoreException.class, () -> Database.open(data));

    assertTrue(e.getMessage().contains("keysmith.db is damaged"), e.getMessage());
    assertTrue(e.getMessage().contains("Restore keysmith.db"), e.getMessage());
  }

  @Test
  void open_freshDirectory_startsAndWritesAPrivateMarker() throws Exception {
    Path data = tmp.resolve("new/data");

    try (Database db = Database.open(data)) {
      assertEquals(SqliteMigrations.latestVersion(), db.schemaVersion());
    }

    Path marker = data.resolve(DataDirectory.MARKER);
    assertTrue(Files.readString(marker).startsWith("keysmith database "));
    assertEquals(PrivateFiles.FILE, Files.getPosixFilePermissions(marker));
    String id = Files.readString(marker);
    try (Database again = Database.open(data)) {
      assertEquals(SqliteMigrations.latestVersion(), again.schemaVersion());
    }
    assertEquals(id, Files.readString(marker), "the marker is written once, never replaced");
  }

  @Test
  void open_existingDatabaseWithoutMarker_opensAndAddsTheMarker() throws Exception {
    Path data = withOneRequest();
    Files.delete(data.resolve(DataDirectory.MARKER));

    try (Database db = Database.open(data)) {
      assertEquals(1L, requests(db));
    }
    assertTrue(Files.exists(data.resolve(DataDirectory.MARKER)));
  }

  @Test
  void open_startFreshOnLostDatabase_movesOldFilesAsideAndStarts() throws Exception {
    Path data = withOneRequest();
    String marker = Files.readString(data.resolve(DataDirectory.MARKER));
    Files.write(data.resolve(Database.FILE_NAME), new byte[0]);

    try (Database db = Database.open(data, /* startFresh= */ true)) {
      assertEquals(0L, requests(db));
    }

    Path aside = data.resolve("aside-1");
    assertEquals(PrivateFiles.DIRECTORY, Files.getPosixFilePermissions(aside));
    assertEquals(0L, Files.size(aside.resolve(Database.FILE_NAME)));
    assertEquals(marker, Files.readString(aside.resolve(DataDirectory.MARKER)));
    assertFalse(marker.equals(Files.readString(data.resolve(DataDirectory.MARKER))));
  }

  @Test
  void open_startFreshOnDamagedDatabase_keepsTheDamagedFileAside() throws Exception {
    Path data = withOneRequest();
    Path file = data.resolve(Database.FILE_NAME);
    corruptMiddle(file);
    byte[] damaged = Files.readAllBytes(file);

    try (Database db = Database.open(data, /* startFresh= */ true)) {
      assertEquals(0L, requests(db));
    }

    assertTrue(Arrays.equals(damaged, Files.readAllBytes(data.resolve("aside-1/keysmith.db"))));
  }

  @Test
  void open_startFreshOnIntactDatabase_keepsIt() throws Exception {
    Path data = withOneRequest();

    try (Database db = Database.open(data, /* startFresh= */ true)) {
      assertEquals(1L, requests(db));
    }
    assertFalse(Files.exists(data.resolve("aside-1")));
  }

  /** A data directory whose closed database holds one request. */
  private Path withOneRequest() {
    Path data = tmp.resolve("data");
    try (Database db = Database.open(data)) {
      db.withConnection(
          "add a request",
          c -> {
            try (Statement s = c.createStatement()) {
              // Enough rows to give the table pages of its own in the middle of the file.
              s.execute("CREATE TABLE filler (x TEXT)");
              s.execute(
                  "INSERT INTO filler SELECT hex(randomblob(200)) FROM"
                      + " (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                      + " WHERE i < 500) SELECT i FROM n)");
              s.execute("CREATE TABLE kept (id INTEGER)");
              return s.execute("INSERT INTO kept (id) VALUES (1)");
            }
          });
    }
    return data;
  }

  /** Rows in the test's own table; 0 when the table is not there (a fresh database). */
  private static long requests(Database db) {
    return db.withConnection(
        "count",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet table = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'kept'")) {
            if (!table.next()) {
              return 0L;
            }
          }
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT count(*) FROM kept")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /** Writes garbage over a page in the middle of a closed database file. */
  private static void corruptMiddle(Path file) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long pages = raf.length() / 4096;
      raf.seek((pages / 2) * 4096);
      byte[] garbage = new byte[4096];
      Arrays.fill(garbage, (byte) 0x5A);
      raf.write(garbage);
    }
  }
}
