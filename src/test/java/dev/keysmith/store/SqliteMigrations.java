package dev.keysmith.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SQLite migrations Keysmith ships, read from the class path, so a test can build a database as
 * an older Keysmith left it: a test runs {@link #upTo} by hand, as Keysmith did before Flyway
 * (statements separated by a blank line after their ';'), and records {@code PRAGMA user_version}.
 */
final class SqliteMigrations {
  private static final Pattern FILE = Pattern.compile("V([0-9]+)__.*\\.sql");

  private SqliteMigrations() {}

  /** One migration: its version and its statements, in order. */
  record Migration(int version, List<String> statements) {}

  /** Every SQLite migration, oldest first. */
  static List<Migration> all() {
    URL folder =
        Objects.requireNonNull(
            SqliteMigrations.class.getClassLoader().getResource("db/migration/sqlite"));
    try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
      return files
          .map(SqliteMigrations::read)
          .sorted(Comparator.comparingInt(Migration::version))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The version a fully migrated database has. */
  static int latestVersion() {
    List<Migration> all = all();
    return all.get(all.size() - 1).version();
  }

  /** The migrations up to and including {@code version}, as a pre-Flyway Keysmith applied them. */
  static List<Migration> upTo(int version) {
    return all().stream().filter(m -> m.version() <= version).toList();
  }

  private static Migration read(Path file) {
    Matcher m = FILE.matcher(file.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalStateException("not a migration: " + file);
    }
    try {
      String sql = Files.readString(file);
      List<String> statements =
          Arrays.stream(sql.split(";\\s*\\n\\s*\\n"))
              .map(SqliteMigrations::withoutComments)
              .filter(s -> !s.isBlank())
              .toList();
      return new Migration(Integer.parseInt(m.group(1)), statements);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String withoutComments(String statement) {
    return statement
        .lines()
        .filter(l -> !l.strip().startsWith("--"))
        .reduce("", (a, b) -> a + b + "\n")
        .strip();
  }
}
