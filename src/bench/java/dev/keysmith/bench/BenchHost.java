package dev.keysmith.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keysmith.Keysmith;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.core.Liveness;
import dev.keysmith.iam.AwsClients;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import dev.keysmith.slack.Health;
import dev.keysmith.slack.SlackHttpServer;
import dev.keysmith.testing.MotoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The process the benchmark drives: Keysmith wired as {@code Keysmith.main} wires it (HTTP mode,
 * IAM at a moto server, Slack at a fake Web API), or a bare Bolt app on the same HTTP server that
 * only acks. A loopback control port lets the load generator slow IAM down or throttle it, and read
 * IAM timings.
 */
public final class BenchHost {
  private static final Liveness.Seen NEVER = new Liveness.Seen(null, null);
  static final String SIGNING_SECRET = "bench-signing-secret";
  static final String BOT_TOKEN = "xoxb-bench-token";
  static final String APPROVER = "U0APPROVER1";
  static final String APPROVER_2 = "U0APPROVER2";
  static final String REQUESTER = "U0REQUESTER";
  static final String OWNER = "U0OWNER0001";
  static final String APPROVALS = "C0APPROVALS";
  static final List<String> GROUPS = List.of("developers", "readonly");

  private BenchHost() {}

  /**
   * Runs until killed. Arguments: {@code keysmith|baseline port controlPort slackApiUrl motoUrl
   * dataDir [databaseUrl poolSize]}. With a database URL ({@code jdbc:postgresql://...}) Keysmith
   * stores its data there, as a config file's {@code database: {url, poolSize}} makes it, logging
   * in as {@code KEYSMITH_DATABASE_USER} with {@code KEYSMITH_DATABASE_PASSWORD} from the
   * environment; without one, in SQLite in {@code dataDir}.
   */
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    int controlPort = Integer.parseInt(args[2]);
    String slackApiUrl = args[3];
    URI moto = URI.create(args[4]);
    Path dataDir = Path.of(args[5]);
    Optional<KeysmithConfig.DatabaseServer> database =
        args.length > 7
            ? Optional.of(new KeysmithConfig.DatabaseServer(args[6], Integer.parseInt(args[7])))
            : Optional.empty();
    IamTiming iamTiming = new IamTiming();
    IamThrottle iamThrottle = new IamThrottle(AwsClients.httpClient());
    AutoCloseable bot =
        switch (mode) {
          case "keysmith" ->
              keysmith(port, slackApiUrl, moto, dataDir, database, iamTiming, iamThrottle);
          case "baseline" -> baseline(port, slackApiUrl);
          default -> throw new IllegalArgumentException("mode must be keysmith or baseline");
        };
    control(controlPort, iamTiming, iamThrottle);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(bot), "bench-shutdown"));
  }

  private static Keysmith keysmith(
      int port,
      String slackApiUrl,
      URI moto,
      Path dataDir,
      Optional<KeysmithConfig.DatabaseServer> database,
      IamTiming iamTiming,
      IamThrottle iamThrottle)
      throws Exception {
    Settings settings =
        new Settings(
            BOT_TOKEN,
            Optional.of(SIGNING_SECRET),
            Optional.empty(),
            Optional.of(slackApiUrl),
            dataDir.resolve("keysmith.yml"),
            port,
            Settings.DEFAULT_MAX_CONNECTIONS,
            Settings.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            /* startFresh= */ false,
            database.isEmpty()
                ? Settings.DatabaseLogin.NONE
                : new Settings.DatabaseLogin(
                    Optional.ofNullable(System.getenv("KEYSMITH_DATABASE_USER")),
                    Optional.ofNullable(System.getenv("KEYSMITH_DATABASE_PASSWORD"))));
    KeysmithConfig config =
        new KeysmithConfig(
            Set.of(APPROVER, APPROVER_2),
            Optional.empty(),
            APPROVALS,
            GROUPS,
            List.of(),
            "/keysmith/",
            Optional.empty(),
            Duration.ofDays(7),
            Duration.ofMinutes(2),
            dataDir,
            KeysmithConfig.KeyCare.defaults(),
            KeysmithConfig.Pending.defaults(),
            List.of(),
            database);
    // As Keysmith.main builds them, plus the timing interceptor on IAM and, on its HTTP client,
    // the throttle.
    IamClient iam = AwsClients.iam(moto, MotoServer.CREDENTIALS, List.of(iamTiming), iamThrottle);
    return Keysmith.start(
        settings,
        config,
        new Keysmith.Wiring(
            Clock.systemUTC(),
            AwsClients.lazily(() -> iam),
            AwsClients.lazily(() -> AwsClients.sts(moto, MotoServer.CREDENTIALS)),
            iamTiming.track(
                Executors.newFixedThreadPool(8, Keysmith.threadsNamed("keysmith-work"))),
            /* scheduleHousekeeping= */ true));
  }

  /** A Bolt app with listeners for the same ids that only ack, on the same HTTP server. */
  private static AutoCloseable baseline(int port, String slackApiUrl) throws IOException {
    SlackConfig slack = new SlackConfig();
    slack.setMethodsEndpointUrlPrefix(slackApiUrl);
    slack.getHttpClientResponseHandlers().clear();
    App app =
        new App(
            AppConfig.builder()
                .singleTeamBotToken(BOT_TOKEN)
                .signingSecret(SIGNING_SECRET)
                .slack(Slack.getInstance(slack))
                .build());
    app.command("/iam", (req, ctx) -> ctx.ack());
    app.viewSubmission("keysmith_create_user", (req, ctx) -> ctx.ack());
    app.blockAction("keysmith_approve", (req, ctx) -> ctx.ack());
    app.blockAction("keysmith_reveal", (req, ctx) -> ctx.ack());
    // The same request pool size as Keysmith's HTTP mode.
    ExecutorService http = Executors.newFixedThreadPool(16, Keysmith.threadsNamed("keysmith-http"));
    SlackHttpServer server =
        new SlackHttpServer(
            app,
            new InetSocketAddress(port),
            http,
            () -> new Health(new JobBacklog(0, 0), new OutboxBacklog(0, 0, 0), NEVER, NEVER));
    server.start();
    return () -> {
      server.close();
      http.shutdown();
    };
  }

  private static void control(int port, IamTiming iamTiming, IamThrottle iamThrottle)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/iam-delay",
        exchange -> {
          Map<String, String> query = query(exchange);
          iamTiming.setDelay(Duration.ofMillis(Long.parseLong(query.get("ms"))));
          reply(exchange, "ok");
        });
    server.createContext(
        "/iam-throttle",
        exchange -> {
          if ("POST".equals(exchange.getRequestMethod())) {
            iamThrottle.setShare(Double.parseDouble(query(exchange).get("share")));
          }
          reply(exchange, iamThrottle.counts());
        });
    server.createContext(
        "/iam-tasks", exchange -> reply(exchange, String.join("\n", iamTiming.drainFinished())));
    server.createContext(
        "/work-in-flight", exchange -> reply(exchange, Integer.toString(iamTiming.inFlight())));
    server.start();
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> query = new HashMap<>();
    String raw = exchange.getRequestURI().getQuery();
    if (raw != null) {
      for (String pair : raw.split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          continue;
        }
        query.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return query;
  }

  private static void reply(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void closeQuietly(AutoCloseable bot) {
    try {
      bot.close();
    } catch (Exception e) {
      // Stopping anyway.
    }
  }
}
