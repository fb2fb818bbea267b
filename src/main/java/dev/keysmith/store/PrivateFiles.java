package dev.keysmith.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data directory and the database files readable by Keysmith's own user alone: the
 * directory {@code rwx------}, the files {@code rw-------}, whatever the umask. They hold the audit
 * trail and live {@code response_url}s. What is created gets those permissions from the start; what
 * exists with more is narrowed, with a warning, at every start.
 */
final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** Creates {@code dir} (and missing parents) private, or narrows an existing one. */
  static void directory(Path dir) throws IOException {
    if (!posix(dir)) {
      Files.createDirectories(dir);
      return;
    }
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
    narrow(dir, DIRECTORY);
  }

  /**
   * Creates {@code file} empty and private if missing, or narrows an existing one. SQLite gives the
   * {@code -wal} and {@code -shm} files it creates the database file's permissions.
   */
  static void file(Path file) throws IOException {
    if (!posix(file)) {
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    } catch (FileAlreadyExistsException e) {
      // An existing file keeps its content; only its permissions change.
    }
    narrow(file, FILE);
  }

  /** Narrows {@code file} if it exists; a file SQLite has not created yet is left alone. */
  static void ifExists(Path file) throws IOException {
    if (Files.exists(file) && posix(file)) {
      narrow(file, FILE);
    }
  }

  private static void narrow(Path path, Set<PosixFilePermission> wanted) throws IOException {
    Set<PosixFilePermission> actual = Files.getPosixFilePermissions(path);
    if (!actual.equals(wanted)) {
      Files.setPosixFilePermissions(path, wanted);
      if (!wanted.containsAll(actual)) {
        log.warn(
            "{} was {}, so others could read it; it is now {}",
            path,
            PosixFilePermissions.toString(actual),
            PosixFilePermissions.toString(wanted));
      }
    }
  }

  /** Whether {@code path}, or its nearest existing ancestor, is on a POSIX file system. */
  private static boolean posix(Path path) {
    Path probe = path.toAbsolutePath();
    while (probe != null && !Files.exists(probe)) {
      probe = probe.getParent();
    }
    return probe != null && Files.getFileAttributeView(probe, PosixFileAttributeView.class) != null;
  }
}
