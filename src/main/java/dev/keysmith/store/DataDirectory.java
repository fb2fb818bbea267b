package dev.keysmith.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Keysmith finds in its data directory at start. {@code keysmith.id}, written once Keysmith
 * has made a database there, says a database belongs in this directory: a database gone missing or
 * emptied since is lost data, never a first start. Starting fresh anyway moves the old files aside,
 * into {@code aside-N}, and deletes nothing.
 */
final class DataDirectory {
  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

  static final String MARKER = "keysmith.id";
  static final String START_FRESH = "KEYSMITH_START_FRESH";

  private final Path dir;
  private final Path database;

  DataDirectory(Path dir) {
    this.dir = dir;
    this.database = dir.resolve(Database.FILE_NAME);
  }

  /** Whether Keysmith has made a database here before. */
  boolean marked() {
    return Files.exists(dir.resolve(MARKER));
  }

  /** What is lost, when the database that belongs here is missing or empty; null when not. */
  @Nullable String lost() throws IOException {
    if (!Files.exists(database)) {
      return marked()
          ? Database.FILE_NAME + " is missing, but " + MARKER + " says Keysmith made one here"
          : null;
    }
    // A committed database in WAL mode may still sit in its -wal file; then it is not lost.
    Path wal = dir.resolve(Database.FILE_NAME + "-wal");
    if (Files.size(database) == 0 && (!Files.exists(wal) || Files.size(wal) == 0)) {
      return Database.FILE_NAME + " is empty (0 bytes)";
    }
    return null;
  }

  /** Writes the marker, readable by Keysmith alone, unless it is already there. */
  void mark() throws IOException {
    Path marker = dir.resolve(MARKER);
    if (!Files.exists(marker)) {
      PrivateFiles.file(marker);
      Files.writeString(marker, "keysmith database " + UUID.randomUUID() + "\n");
    }
  }

  /** The sentence a refusal to start says: what happened and what to do. */
  String refusal(String what) {
    return "Keysmith will not start on the data directory "
        + dir
        + ": "
        + what
        + ". Starting anyway would begin with an empty database and lose every pending request,"
        + " rotation and job. Restore "
        + Database.FILE_NAME
        + " (with its -wal file, if any) from a backup, or set "
        + START_FRESH
        + "=true to start with an empty database: the old files are moved aside, not deleted.";
  }

  /** Moves the database, its SQLite side files and the marker into a new {@code aside-N}. */
  void moveAside(String why) throws IOException {
    Path aside = dir.resolve("aside-1");
    for (int n = 2; Files.exists(aside); n++) {
      aside = dir.resolve("aside-" + n);
    }
    PrivateFiles.directory(aside);
    List<String> moved = new ArrayList<>();
    List<String> names = new ArrayList<>();
    names.add(Database.FILE_NAME);
    Database.SQLITE_SIDE_FILES.forEach(suffix -> names.add(Database.FILE_NAME + suffix));
    names.add(MARKER);
    for (String name : names) {
      Path file = dir.resolve(name);
      if (Files.exists(file)) {
        Files.move(file, aside.resolve(name));
        moved.add(name);
      }
    }
    log.warn(
        "{} is set and {}: moved {} to {} and starting with an empty database",
        START_FRESH,
        why,
        moved,
        aside);
  }
}
