package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The data directory and the database files are readable by Keysmith's user alone. */
class PrivateFilesTest {
  @TempDir Path tmp;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(PrivateFiles.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void open_newDataDirectory_isPrivateWithPrivateFilesIncludingWalAndShm() throws Exception {
    Path data = tmp.resolve("nested").resolve("data");

    try (Database db = Database.open(data)) {
      write(db); // WAL mode: SQLite creates -wal and -shm beside the database

      assertEquals("rwx------", mode(data));
      for (String name : List.of("keysmith.db", "keysmith.db-wal", "keysmith.db-shm")) {
        Path file = data.resolve(name);
        assertTrue(Files.exists(file), name + " exists");
        assertEquals("rw-------", mode(file), name);
      }
    }
    assertTrue(logs.list.isEmpty(), "nothing to warn about: " + logs.list);
  }

  @Test
  void open_dataReadableByOthers_isNarrowedWithAWarning() throws Exception {
    Path data = tmp.resolve("data");
    try (Database db = Database.open(data)) {
      write(db);
    }
    // As a umask of 022 or an operator's chmod would leave them.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        data.resolve("keysmith.db"), PosixFilePermissions.fromString("rw-r--r--"));
    Path wal = data.resolve("keysmith.db-wal");
    if (!Files.exists(wal)) {
      Files.createFile(wal); // a WAL left by a stop
    }
    Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("rw-rw-rw-"));

    try (Database db = Database.open(data)) {
      write(db);

      assertEquals("rwx------", mode(data));
      assertEquals("rw-------", mode(data.resolve("keysmith.db")));
      assertEquals("rw-------", mode(wal));
    }
    List<String> warnings = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(3, warnings.size(), warnings.toString());
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("rwxr-xr-x") && w.endsWith("now rwx------")),
        warnings.toString());
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("keysmith.db was rw-r--r--")),
        warnings.toString());
  }

  @Test
  void open_existingDatabase_keepsItsContentWhileNarrowing() throws Exception {
    Path data = tmp.resolve("data");
    try (Database db = Database.open(data)) {
      write(db);
    }
    Files.setPosixFilePermissions(
        data.resolve("keysmith.db"), PosixFilePermissions.fromString("rw-r-----"));

    try (Database db = Database.open(data)) {
      int rows =
          db.withConnection(
              "count",
              c -> {
                try (Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM probe")) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      assertEquals(1, rows);
    }
  }

  private static void write(Database db) {
    db.withConnection(
        "write",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS probe (x INTEGER)");
            return s.executeUpdate("INSERT INTO probe VALUES (1)");
          }
        });
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
