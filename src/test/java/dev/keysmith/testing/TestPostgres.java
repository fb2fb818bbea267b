package dev.keysmith.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real PostgreSQL server for the whole test JVM, started on first use and stopped when the JVM
 * exits. Tests call {@link #get()} and then {@link #freshDatabase()}, so that each test has an
 * empty database of its own. When no server can be had the tests fail with instructions; they are
 * never skipped.
 *
 * <p>With {@code KEYSMITH_TEST_DATABASE_URL} set (a {@code jdbc:postgresql://} URL, with {@code
 * KEYSMITH_TEST_DATABASE_USER} and {@code KEYSMITH_TEST_DATABASE_PASSWORD}) the tests use that
 * server, which must let the user create databases. Otherwise this starts a throwaway cluster from
 * the server binaries: those in {@code KEYSMITH_TEST_PG_BIN}, else beside {@code pg_ctl} on PATH,
 * else the newest under {@code /usr/lib/postgresql/}. PostgreSQL refuses to run as root, so a test
 * JVM running as root runs the server as the {@code postgres} user.
 */
public final class TestPostgres {
  /** A database of its own for one test; {@code password} is ignored by the throwaway cluster. */
  public record Db(String url, String user, String password) {
    /** A new connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
      return TestPostgres.connect(url, user, password);
    }
  }

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final String SUPERUSER = "keysmith";
  // The throwaway cluster trusts every loopback connection, so this is never checked.
  private static final String SUPERUSER_PASSWORD = "keysmith";
  private static final String SERVER_OS_USER = "postgres";
  private static final Path DEBIAN_SERVERS = Path.of("/usr/lib/postgresql");
  private static final String INSTALL_HINT =
      "install them (apt-get install -y postgresql) or set KEYSMITH_TEST_DATABASE_URL";
  private static final int START_ATTEMPTS = 3; // a new port each time, should another take ours

  private static TestPostgres instance;
  private static String startFailure; // why the first start failed, for every later caller

  private final String adminUrl;
  private final String user;
  private final String password;
  private final SecureRandom random = new SecureRandom();
  private final List<String> created = new ArrayList<>();
  private int counter;

  private TestPostgres(String adminUrl, String user, String password) {
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
  }

  /** The running server, started (or, with {@code KEYSMITH_TEST_DATABASE_URL}, reached) first. */
  public static synchronized TestPostgres get() {
    if (instance == null && startFailure == null) {
      try {
        instance = start();
      } catch (RuntimeException e) {
        startFailure = String.valueOf(e.getMessage());
        throw e;
      }
    }
    if (startFailure != null) {
      // Every test that needs PostgreSQL fails with the same instructions, not just the first one.
      throw new IllegalStateException(startFailure);
    }
    return instance;
  }

  /** A new, empty database on this server, which no other caller is given. */
  public synchronized Db freshDatabase() {
    counter++;
    byte[] suffix = new byte[4];
    random.nextBytes(suffix);
    // Unique within this JVM by the counter, and across JVMs sharing a server by the suffix.
    String name = "ks_" + counter + "_" + HexFormat.of().formatHex(suffix);
    try (Connection admin = connect(adminUrl, user, password);
        Statement statement = admin.createStatement()) {
      // template0, not the default template1: CREATE DATABASE fails while anyone else is
      // connected to its template, and nobody connects to template0.
      statement.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create test database " + name + ": " + e, e);
    }
    created.add(name);
    return new Db(withDatabase(adminUrl, name), user, password);
  }

  // ---- Reaching a server the environment names ----

  private static TestPostgres start() {
    String url = System.getenv("KEYSMITH_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      return external(url.strip());
    }
    Path bin = findBinaries();
    try {
      return startCluster(bin);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "Could not start PostgreSQL for the tests from "
              + bin
              + " (or set KEYSMITH_TEST_DATABASE_URL to use a running server): "
              + e.getMessage(),
          e);
    }
  }

  private static TestPostgres external(String url) {
    String user = System.getenv().getOrDefault("KEYSMITH_TEST_DATABASE_USER", "postgres");
    String password = System.getenv().getOrDefault("KEYSMITH_TEST_DATABASE_PASSWORD", "");
    try {
      withDatabase(url, "postgres"); // fails now, not in the first test, on a URL it cannot use
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("KEYSMITH_TEST_DATABASE_URL: " + e.getMessage(), e);
    }
    try (Connection check = connect(url, user, password)) {
      check.isValid(5);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not connect to KEYSMITH_TEST_DATABASE_URL " + url + " as " + user + ": " + e, e);
    }
    TestPostgres server = new TestPostgres(url, user, password);
    // Another's server outlives the tests, so drop the databases they made there.
    Runtime.getRuntime().addShutdownHook(new Thread(server::dropCreated, "test-postgres-cleanup"));
    return server;
  }

  private synchronized void dropCreated() {
    try (Connection admin = connect(adminUrl, user, password);
        Statement statement = admin.createStatement()) {
      for (String name : created) {
        try {
          statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
          System.err.println("Could not drop test database " + name + ": " + e);
        }
      }
    } catch (SQLException e) {
      System.err.println("Could not drop the test databases " + created + ": " + e);
    }
  }

  // ---- Starting a throwaway cluster ----

  private static Path findBinaries() {
    String configured = System.getenv("KEYSMITH_TEST_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured.strip());
      if (!hasServer(dir)) {
        throw new IllegalStateException(
            "KEYSMITH_TEST_PG_BIN is " + dir + ", which holds no initdb and pg_ctl");
      }
      return dir;
    }
    Optional<Path> onPath = onPath("pg_ctl");
    if (onPath.isPresent()) {
      // pg_ctl on PATH is often a link into the server's own bin directory, where initdb is.
      Path link = onPath.get();
      for (Path dir : List.of(realParent(link), link.toAbsolutePath().getParent())) {
        if (hasServer(dir)) {
          return dir;
        }
      }
    }
    return newestInstalled()
        .orElseThrow(
            () ->
                new IllegalStateException("PostgreSQL server binaries not found: " + INSTALL_HINT));
  }

  private static Path realParent(Path file) {
    try {
      return file.toRealPath().getParent();
    } catch (IOException e) {
      return file.toAbsolutePath().getParent();
    }
  }

  private static boolean hasServer(Path dir) {
    return isProgram(dir.resolve("initdb")) && isProgram(dir.resolve("pg_ctl"));
  }

  private static boolean isProgram(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }

  /** The highest version's {@code bin} under Debian's {@code /usr/lib/postgresql/<version>/}. */
  private static Optional<Path> newestInstalled() {
    if (!Files.isDirectory(DEBIAN_SERVERS)) {
      return Optional.empty();
    }
    Path best = null;
    double bestVersion = -1;
    try (DirectoryStream<Path> versions = Files.newDirectoryStream(DEBIAN_SERVERS)) {
      for (Path version : versions) {
        double number;
        try {
          number = Double.parseDouble(version.getFileName().toString());
        } catch (NumberFormatException notAVersion) {
          continue;
        }
        Path bin = version.resolve("bin");
        if (number > bestVersion && hasServer(bin)) {
          best = bin;
          bestVersion = number;
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(best);
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (!dir.isEmpty() && isProgram(Path.of(dir, program))) {
        return Optional.of(Path.of(dir, program));
      }
    }
    return Optional.empty();
  }

  private static TestPostgres startCluster(Path bin) {
    RunAs runAs = RunAs.forThisJvm();
    Path dir;
    try {
      dir = runAs.newPrivateDirectory();
    } catch (IOException e) {
      throw new IllegalStateException("Could not make a directory for PostgreSQL: " + e, e);
    }
    Path data = dir.resolve("data");
    Path log = dir.resolve("server.log");
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopCluster(bin, runAs, dir), "test-postgres-shutdown"));
    Deadline deadline = new Deadline(STARTUP_TIMEOUT);
    runAs.run(
        dir,
        "initdb",
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            // Its pg_hba.conf names only the loopback addresses and the socket.
            "--auth=trust",
            "--no-sync"),
        deadline);
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = freePort();
      String options =
          String.join(
              " ",
              "-h 127.0.0.1",
              "-p " + port,
              // pg_ctl hands these to a shell.
              "-k '" + dir + "'",
              // A test's data need not survive a crash.
              "-c fsync=off",
              "-c synchronous_commit=off",
              "-c full_page_writes=off",
              "-c max_connections=300");
      try {
        runAs.run(
            dir,
            "pg_ctl start",
            List.of(
                bin.resolve("pg_ctl").toString(),
                "start",
                "-D",
                data.toString(),
                "-l",
                log.toString(),
                "-w",
                "-t",
                Long.toString(Math.max(1, deadline.left().toSeconds())),
                "-o",
                options),
            deadline);
      } catch (IllegalStateException e) {
        String serverLog = tail(log);
        failures.add(e.getMessage() + "\nIts server log:\n" + serverLog);
        // Only a port another process took between freePort() and the server's bind is worth
        // another try; any other failure would just repeat.
        if (deadline.passed() || !serverLog.contains("already in use")) {
          break;
        }
        continue;
      }
      String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
      checkConnection(adminUrl, log);
      return new TestPostgres(adminUrl, SUPERUSER, SUPERUSER_PASSWORD);
    }
    throw new IllegalStateException(String.join("\n", failures));
  }

  /**
   * pg_ctl -w has waited until the server marked itself ready, which it does only once it listens
   * and takes connections; this proves JDBC reaches it, in one try, since a retry would only wait.
   */
  private static void checkConnection(String url, Path log) {
    try (Connection check = connect(url, SUPERUSER, SUPERUSER_PASSWORD)) {
      if (check.isValid(5)) {
        return;
      }
      throw new IllegalStateException(
          "PostgreSQL started but its connection at "
              + url
              + " is not valid. Its server log:\n"
              + tail(log));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL started but took no connection at "
              + url
              + ": "
              + e
              + "\nIts server log:\n"
              + tail(log),
          e);
    }
  }

  private static void stopCluster(Path bin, RunAs runAs, Path dir) {
    Path data = dir.resolve("data");
    if (Files.exists(data.resolve("postmaster.pid"))) {
      try {
        runAs.run(
            dir,
            "pg_ctl stop",
            List.of(
                bin.resolve("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "immediate"),
            new Deadline(STOP_TIMEOUT));
      } catch (IllegalStateException e) {
        System.err.println("Could not stop the test PostgreSQL server: " + e.getMessage());
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      System.err.println("Could not delete the test PostgreSQL directory " + dir + ": " + e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "  (none: " + e + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free local port for PostgreSQL", e);
    }
  }

  // ---- JDBC ----

  private static Connection connect(String url, String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(url, properties);
  }

  /**
   * {@code url} naming {@code database} instead: {@code jdbc:postgresql://host:port/db?params}
   * becomes {@code jdbc:postgresql://host:port/database?params}.
   */
  static String withDatabase(String url, String database) {
    String scheme = "jdbc:postgresql://";
    if (!url.startsWith(scheme)) {
      throw new IllegalArgumentException(
          url + " is not of the form jdbc:postgresql://host[:port]/database");
    }
    int query = url.indexOf('?');
    int end = query < 0 ? url.length() : query;
    int slash = url.indexOf('/', scheme.length());
    int hostsEnd = slash < 0 || slash > end ? end : slash;
    return url.substring(0, hostsEnd) + "/" + database + url.substring(end);
  }

  /** A time limit shared by the steps of one start. */
  private static final class Deadline {
    private final long end;

    Deadline(Duration limit) {
      this.end = System.nanoTime() + limit.toNanos();
    }

    Duration left() {
      return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
    }

    boolean passed() {
      return end - System.nanoTime() <= 0;
    }
  }

  /**
   * How to run the server's programs: directly, or, when this JVM runs as root, as the {@code
   * postgres} user, since PostgreSQL refuses to run as root.
   */
  private static final class RunAs {
    private final Optional<UserPrincipal> serverUser;
    private final List<String> prefix; // runs the rest of the command line as serverUser
    private final boolean viaShell; // su takes one shell command, not an argument list

    private RunAs(Optional<UserPrincipal> serverUser, List<String> prefix, boolean viaShell) {
      this.serverUser = serverUser;
      this.prefix = prefix;
      this.viaShell = viaShell;
    }

    static RunAs forThisJvm() {
      if (!"root".equals(System.getProperty("user.name"))) {
        return new RunAs(Optional.empty(), List.of(), false);
      }
      UserPrincipal postgres;
      try {
        postgres =
            Path.of("/")
                .getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByName(SERVER_OS_USER);
      } catch (UserPrincipalNotFoundException e) {
        throw new IllegalStateException(
            "The tests run as root, and PostgreSQL refuses to; it would run as the "
                + SERVER_OS_USER
                + " user, which this machine lacks: "
                + INSTALL_HINT
                + " (installing creates the user), or run the tests as another user",
            e);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not look up the " + SERVER_OS_USER + " user", e);
      }
      Optional<Path> runuser = onPath("runuser").or(() -> existing(Path.of("/usr/sbin/runuser")));
      if (runuser.isPresent()) {
        return new RunAs(
            Optional.of(postgres),
            List.of(runuser.get().toString(), "-u", SERVER_OS_USER, "--"),
            false);
      }
      Optional<Path> su = onPath("su").or(() -> existing(Path.of("/bin/su")));
      if (su.isPresent()) {
        return new RunAs(
            Optional.of(postgres),
            List.of(su.get().toString(), SERVER_OS_USER, "-s", "/bin/sh", "-c"),
            true);
      }
      throw new IllegalStateException(
          "The tests run as root, and PostgreSQL refuses to; neither runuser nor su is here to"
              + " run it as "
              + SERVER_OS_USER);
    }

    private static Optional<Path> existing(Path program) {
      return isProgram(program) ? Optional.of(program) : Optional.empty();
    }

    /**
     * A new directory that only the server's user may enter. As root it goes under /tmp, which that
     * user can reach, whatever java.io.tmpdir says.
     */
    Path newPrivateDirectory() throws IOException {
      Path dir =
          serverUser.isPresent()
              ? Files.createTempDirectory(Path.of("/tmp"), "keysmith-pg-")
              : Files.createTempDirectory("keysmith-pg-");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      if (serverUser.isPresent()) {
        Files.setOwner(dir, serverUser.get());
      }
      return dir;
    }

    /** Runs {@code command} to its end, failing with its output if it fails or overruns. */
    void run(Path dir, String step, List<String> command, Deadline deadline) {
      List<String> full = new ArrayList<>(prefix);
      if (viaShell) {
        full.add(String.join(" ", command.stream().map(RunAs::shellQuoted).toList()));
      } else {
        full.addAll(command);
      }
      Path output = dir.resolve(step.replace(' ', '-') + ".out");
      ProcessBuilder builder =
          new ProcessBuilder(full)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              // A file, not a pipe: the server pg_ctl leaves running must hold no pipe of ours.
              .redirectOutput(output.toFile());
      Map<String, String> environment = builder.environment();
      // PGDATA, PGPORT and the like, set for some other server, must not steer this one.
      environment.keySet().removeIf(name -> name.startsWith("PG"));
      environment.put("LC_ALL", "C");
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new IllegalStateException(step + " could not run: " + e.getMessage(), e);
      }
      boolean ended;
      try {
        ended = process.waitFor(deadline.left().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IllegalStateException("Interrupted while waiting for " + step, e);
      }
      if (!ended) {
        process.destroyForcibly();
      }
      if (!ended || process.exitValue() != 0) {
        throw new IllegalStateException(
            step
                + (ended ? " failed with exit code " + process.exitValue() : " overran its time")
                + " ("
                + String.join(" ", full)
                + "). Its output:\n"
                + tail(output));
      }
    }

    private static String shellQuoted(String word) {
      return "'" + word.replace("'", "'\\''") + "'";
    }
  }
}
