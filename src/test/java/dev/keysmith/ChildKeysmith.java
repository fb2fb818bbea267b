package dev.keysmith;

import static org.junit.jupiter.api.Assertions.fail;

import dev.keysmith.testing.SlackRequests;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

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
    Files.writeString(dir.resolve("keysmith.yml"), yml);
    int port = freePort();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Keysmith.class.getName()));
    Path log;
    int n = 1;
    do {
      log = dir.resolve("child-" + n++ + ".log");
    } while (Files.exists(log));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
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
    ChildKeysmith child = new ChildKeysmith(builder.start(), log, port);
    child.awaitHealthy();
    return child;
  }

  private void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + START_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("Keysmith exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> health =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    fail("Keysmith did not become healthy within " + START_WITHIN + ":\n" + Files.readString(log));
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
