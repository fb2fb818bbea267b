package dev.keysmith;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keysmith.testing.SlackRequests;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keysmith run as people run it, {@code java dev.keysmith.Keysmith} in its own JVM with its
 * settings in the environment, so a test can kill it with SIGKILL mid-step and start it again on
 * the same data directory. Slack is the test's fake, IAM whatever endpoint the test names.
 */
final class ChildKeysmith implements AutoCloseable {
  static final String SIGNING_SECRET = "child-signing-secret";
  private static final Duration START_WITHIN = Duration.ofSeconds(40);

  private final Process process;
  private final Path log;
  final int port;
  final SlackRequests send;

  private ChildKeysmith(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.send =
        new SlackRequests(URI.create("http://127.0.0.1:" + port + "/slack/events"), SIGNING_SECRET);
  }

  /**
   * Starts Keysmith on {@code dir} (its keysmith.yml and data directory), with Slack's Web API at
   * {@code slackUrl} and IAM at {@code iamEndpoint}; returns once {@code /health} answers 200.
   */
  static ChildKeysmith start(Path dir, String slackUrl, URI iamEndpoint, String yml)
      throws Exception {
    return start(dir, slackUrl, iamEndpoint, yml, Map.of());
  }

  /**
   * As {@link #start(Path, String, URI, String)}, with {@code moreEnv} added to its environment.
   */
  static ChildKeysmith start(
      Path dir, String slackUrl, URI iamEndpoint, String yml, Map<String, String> moreEnv)
      throws Exception {
    int port = freePort();
    ProcessBuilder builder = builder(dir, slackUrl, iamEndpoint, yml, port);
    builder.environment().putAll(moreEnv);
    Path log = newLog(dir);
    Process process = builder.start();
    CompletableFuture<Void> listening = copyOutput(process, log);
    ChildKeysmith child = new ChildKeysmith(process, log, port);
    child.awaitHealthy(listening);
    return child;
  }

  /** How a run of Keysmith that was meant to stop ended: its exit code and all it logged. */
  record Exit(int code, String output) {}

  /**
   * Runs Keysmith as {@link #start(Path, String, URI, String, Map)} does, with {@code unset}
   * removed from its environment, and waits for it to stop by itself (a start it refuses).
   */
  static Exit runToExit(
      Path dir,
      String slackUrl,
      URI iamEndpoint,
      String yml,
      Map<String, String> moreEnv,
      List<String> unset)
      throws Exception {
    ProcessBuilder builder = builder(dir, slackUrl, iamEndpoint, yml, freePort());
    builder.environment().putAll(moreEnv);
    unset.forEach(builder.environment()::remove);
    Path log = newLog(dir);
    Process process = builder.start();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    var unused = copyOutput(process, log, ended);
    if (!process.waitFor(START_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("Keysmith did not stop within " + START_WITHIN + ":\n" + Files.readString(log));
    }
    ended.get(10, TimeUnit.SECONDS);
    return new Exit(process.exitValue(), Files.readString(log));
  }

  private static Path newLog(Path dir) {
    Path log;
    int n = 1;
    do {
      log = dir.resolve("child-" + n++ + ".log");
    } while (Files.exists(log));
    return log;
  }

  private static ProcessBuilder builder(
      Path dir, String slackUrl, URI iamEndpoint, String yml, int port) throws IOException {
    Files.writeString(dir.resolve("keysmith.yml"), yml);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                // Production logging, not the tests': the start-up line says when it listens.
                "-Dlogback.configurationFile=logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                Keysmith.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("SLACK_BOT_TOKEN", "xoxb-child-test-token");
    env.put("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    env.put("SLACK_API_URL", slackUrl);
    env.put("PORT", Integer.toString(port));
    env.put("KEYSMITH_CONFIG", dir.resolve("keysmith.yml").toString());
    env.put("AWS_ENDPOINT_URL", iamEndpoint.toString());
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    env.put("AWS_REGION", "us-east-1");
    env.remove("SLACK_APP_TOKEN");
    env.remove("KEYSMITH_START_FRESH");
    env.remove("KEYSMITH_LOG_FORMAT");
    return builder;
  }

  /**
   * Copies the child's output to {@code log}, line by line; the future completes when Keysmith says
   * it listens, and fails when the process ends first.
   */
  private static CompletableFuture<Void> copyOutput(Process process, Path log) throws IOException {
    return copyOutput(process, log, new CompletableFuture<>());
  }

  /** As {@link #copyOutput(Process, Path)}; {@code ended} completes once all output is copied. */
  private static CompletableFuture<Void> copyOutput(
      Process process, Path log, CompletableFuture<Void> ended) throws IOException {
    CompletableFuture<Void> listening = new CompletableFuture<>();
    BufferedWriter out = Files.newBufferedWriter(log);
    Thread copier =
        new Thread(
            () -> {
              try (out;
                  BufferedReader in =
                      new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  out.write(line);
                  out.newLine();
                  out.flush();
                  if (line.contains("Keysmith listening on port")) {
                    listening.complete(null);
                  }
                }
              } catch (IOException e) {
                listening.completeExceptionally(e);
              }
              listening.completeExceptionally(
                  new IllegalStateException("Keysmith's output ended before it listened"));
              ended.complete(null);
            },
            "child-keysmith-output");
    copier.setDaemon(true);
    copier.start();
    return listening;
  }

  private void awaitHealthy(CompletableFuture<Void> listening) throws Exception {
    try {
      listening.get(START_WITHIN.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      fail("Keysmith did not start listening within " + START_WITHIN + ":\n" + log());
    }
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (health.statusCode() != 200) {
      fail("Keysmith listens but is not healthy: " + health.body() + "\n" + log());
    }
  }

  /** SIGKILL: no shutdown hook, no flush, as a crash or an OOM kill. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      fail("Keysmith did not die");
    }
  }

  /** What it logged so far. */
  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
