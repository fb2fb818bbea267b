package dev.keysmith.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bot in its own JVM: started, timed until its first healthy {@code GET /health}, measured
 * (resident memory from {@code /proc}) and stopped as a deploy would stop it (SIGTERM).
 */
final class BotProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final String name;
  final int port;
  final int controlPort;
  final long startupNanos;
  final Path dataDir;

  /** Requests the load generator has sent this bot. */
  final AtomicLong sent = new AtomicLong();

  private final Process process;

  private BotProcess(
      String name, int port, int controlPort, Path dataDir, Process process, long startupNanos) {
    this.name = name;
    this.dataDir = dataDir;
    this.port = port;
    this.controlPort = controlPort;
    this.process = process;
    this.startupNanos = startupNanos;
  }

  /** Launches {@code command} (output to {@code log}) and waits until its health check is ok. */
  static BotProcess start(
      String name,
      List<String> command,
      Map<String, String> env,
      int port,
      int controlPort,
      Path dataDir,
      Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    long started = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    long deadline = started + START_TIMEOUT.toNanos();
    while (!healthy(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not become healthy; see " + log);
      }
      // Polling pace: often enough for a start-up timed in milliseconds, rare enough to be cheap.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    return new BotProcess(name, port, controlPort, dataDir, process, System.nanoTime() - started);
  }

  /** The events URL. */
  URL events() {
    return url(port, "/slack/events");
  }

  /** The bot's process id. */
  long pid() {
    return process.pid();
  }

  /** Resident memory in MiB, from {@code /proc/<pid>/status}. */
  double rssMib() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS for " + name);
  }

  /** GETs or POSTs {@code path} on the control port; returns the body. */
  String control(String method, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) url(controlPort, path).openConnection();
      c.setRequestMethod(method);
      if (c.getResponseCode() != 200) {
        throw new IllegalStateException(name + " control " + path + ": " + c.getResponseCode());
      }
      return new String(c.getInputStream().readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean healthy(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) url(port, "/health").openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      int status = c.getResponseCode();
      (status < 400 ? c.getInputStream() : c.getErrorStream()).readAllBytes();
      return status == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static URL url(int port, String path) {
    try {
      return new URL("http://127.0.0.1:" + port + path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
