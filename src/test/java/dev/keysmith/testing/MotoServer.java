package dev.keysmith.testing;

import dev.keysmith.iam.AwsClients;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * One moto server for the whole test JVM, started on first use and stopped when the JVM exits.
 * Tests call {@link #get()} and {@link #reset()} before each test. When moto cannot be started the
 * tests fail with instructions; they are never skipped.
 */
public final class MotoServer {
  /** The credentials moto accepts (it checks none). */
  public static final AwsCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final String INSTALL_HINT =
      "Install moto's server into the python3 on PATH: pip install \"moto[server]\"";

  private static MotoServer instance;
  private static String startFailure; // why the first start failed, for every later caller

  private final URI endpoint;
  private final long pid;
  private final IamClient iam;
  private final StsClient sts;
  private final HttpClient http = HttpClient.newHttpClient();

  private MotoServer(URI endpoint, long pid) {
    this.endpoint = endpoint;
    this.pid = pid;
    this.iam = AwsClients.iam(endpoint, CREDENTIALS);
    this.sts = AwsClients.sts(endpoint, CREDENTIALS);
  }

  /** The running server, started on the first call. */
  public static synchronized MotoServer get() {
    if (instance == null && startFailure == null) {
      try {
        instance = start();
      } catch (IllegalStateException e) {
        startFailure = e.getMessage();
        throw e;
      }
    }
    if (startFailure != null) {
      // Every test that needs moto fails with the same instructions, not just the first one.
      throw new IllegalStateException(startFailure);
    }
    return instance;
  }

  /** The server's process id (the benchmark reads its CPU time). */
  public long pid() {
    return pid;
  }

  /** The server's base URL, such as {@code http://127.0.0.1:54321}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Forgets every resource moto holds, as if it had just started. */
  public void reset() {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "moto reset answered HTTP " + response.statusCode() + ": " + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("moto reset failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while resetting moto", e);
    }
  }

  /** An IAM client pointed at this server, shared by all tests. */
  public IamClient iamClient() {
    return iam;
  }

  /** An STS client pointed at this server, shared by all tests. */
  public StsClient stsClient() {
    return sts;
  }

  private static MotoServer start() {
    int port = freePort();
    List<String> failures = new ArrayList<>();
    for (List<String> command : candidateCommands(port)) {
      Optional<Process> process = launch(command, port, failures);
      if (process.isPresent()) {
        Process moto = process.get();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(moto), "moto-server-shutdown"));
        return new MotoServer(URI.create("http://127.0.0.1:" + port), moto.pid());
      }
    }
    throw new IllegalStateException(
        "Could not start moto server for the integration tests. "
            + INSTALL_HINT
            + ". Tried:\n  "
            + String.join("\n  ", failures));
  }

  private static List<List<String>> candidateCommands(int port) {
    String portText = Integer.toString(port);
    List<List<String>> commands = new ArrayList<>();
    // ProcessBuilder resolves bare names on PATH too, but looking ourselves lets the failure
    // message say which step failed.
    onPath("moto_server")
        .ifPresent(m -> commands.add(List.of(m.toString(), "-H", "127.0.0.1", "-p", portText)));
    String python = onPath("python3").map(Path::toString).orElse("python3");
    commands.add(List.of(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", portText));
    return commands;
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Process> launch(List<String> command, int port, List<String> failures) {
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("PYTHONUNBUFFERED", "1");
      process = builder.start();
    } catch (IOException e) {
      failures.add(String.join(" ", command) + ": " + e.getMessage());
      return Optional.empty();
    }
    OutputWatcher watcher = new OutputWatcher(process, "Running on http://127.0.0.1:" + port);
    Thread reader = new Thread(watcher, "moto-server-output");
    reader.setDaemon(true);
    reader.start();
    boolean signalled;
    try {
      signalled = watcher.settled.await(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(process);
      throw new IllegalStateException("Interrupted while waiting for moto server to start", e);
    }
    if (signalled && watcher.ready) {
      return Optional.of(process);
    }
    stop(process);
    failures.add(
        String.join(" ", command)
            + (signalled ? ": exited before it was ready" : ": not ready within " + STARTUP_TIMEOUT)
            + ". Its last output:\n    "
            + String.join("\n    ", watcher.lastLines()));
    return Optional.empty();
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free local port for moto server", e);
    }
  }

  /**
   * Reads the server's merged output for as long as it runs, so the pipe never fills, and settles
   * the latch once the server says it is listening or its output ends.
   */
  private static final class OutputWatcher implements Runnable {
    private static final int KEPT_LINES = 20;

    final CountDownLatch settled = new CountDownLatch(1);
    volatile boolean ready;
    private final Process process;
    private final String readyLine;
    private final Deque<String> tail = new ArrayDeque<>();

    OutputWatcher(Process process, String readyLine) {
      this.process = process;
      this.readyLine = readyLine;
    }

    @Override
    public void run() {
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          remember(line);
          if (!ready && line.contains(readyLine)) {
            ready = true;
            settled.countDown();
          }
        }
      } catch (IOException streamClosed) {
        // The process ended or was stopped; nothing more to read.
      } finally {
        settled.countDown();
      }
    }

    private synchronized void remember(String line) {
      if (tail.size() == KEPT_LINES) {
        tail.removeFirst();
      }
      tail.addLast(line);
    }

    synchronized List<String> lastLines() {
      return List.copyOf(tail);
    }
  }
}
