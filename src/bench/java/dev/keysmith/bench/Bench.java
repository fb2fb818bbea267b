package dev.keysmith.bench;

import static dev.keysmith.bench.BenchHost.APPROVALS;
import static dev.keysmith.bench.BenchHost.APPROVER;
import static dev.keysmith.bench.BenchHost.APPROVER_2;
import static dev.keysmith.bench.BenchHost.OWNER;
import static dev.keysmith.bench.BenchHost.REQUESTER;
import static dev.keysmith.bench.BenchHost.SIGNING_SECRET;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.MotoServer;
import dev.keysmith.testing.SlackRateLimits;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.TestPostgres;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.iam.model.User;

/**
 * Keysmith's performance benchmark ({@code bench/run.sh}): ack latency against a bare Bolt app,
 * time to provisioned and revealed, start-up and memory, 1,000 concurrent approvals (one replica on
 * SQLite, then two replicas sharing a PostgreSQL database), and acks with IAM and Slack slowed
 * down. This process is the load generator and plays Slack (a fake Web API); each bot runs in its
 * own JVM; IAM is a moto server; PostgreSQL is the tests' throwaway server ({@link TestPostgres}).
 */
public final class Bench {
  static final int[] CONCURRENCY = {1, 16, 64};
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final Duration INJECTED = Duration.ofSeconds(2);

  /**
   * Warm-up requests of each kind before the measured rows: the first quarter before the memory
   * reading "after 1,000 requests", the rest so that the JIT has compiled the hot paths of both
   * bots, as it has in a bot that has run for a while. With fewer, compilation still competes with
   * the measured rows, and more so for Keysmith, whose paths (the AWS SDK among them) are longer.
   */
  static final int WARM_UP_PER_KIND = 1_000;

  /** How many times each bot's ack rows run, taking turns; their samples are pooled. */
  static final int TURNS = 3;

  private static final Pattern REQUEST_ID = Pattern.compile("Request \\*(KS-[A-Z0-9]+)\\*");

  /**
   * How much faster than Slack's published limits the rate-limited burst runs: each limit's count
   * is multiplied by it, its window kept ({@link SlackRateLimits}). At 1, 1,000 approvals take
   * about 20 minutes of {@code chat.update}'s 50 per minute.
   */
  static final double DEFAULT_RATE_SCALE = 10;

  /** The share of IAM call attempts answered {@code Throttling} in the throttling row. */
  static final double IAM_THROTTLED_SHARE = 0.2;

  private final double scale;
  private final double rateScale;
  private final boolean onlyBursts;
  private final boolean onlyReplicas;
  private final String classpath = System.getProperty("java.class.path");
  private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private final Path out = Path.of("bench", "out");
  private final MotoServer moto = MotoServer.get();
  private final CpuMeter cpu = new CpuMeter(moto.pid());
  private final FakeSlackApi slack = FakeSlackApi.start();
  private final Observations seen = new Observations();
  private final Report report = new Report();
  private int rowSeq;

  /** The replicas' PostgreSQL server process, once they run; -1 before. */
  private long postgresPid = -1;

  private Bench(double scale, double rateScale, boolean onlyBursts, boolean onlyReplicas) {
    this.scale = scale;
    this.rateScale = rateScale;
    this.onlyBursts = onlyBursts;
    this.onlyReplicas = onlyReplicas;
    slack.setListener(seen);
  }

  /**
   * Runs everything and prints the table. Arguments, each optional: a number scales the request
   * counts; {@code rate-scale=N} runs the rate-limited burst at N times Slack's limits (default
   * 10); {@code bursts} runs only the two bursts (Slack's rate limits, IAM throttling) and writes
   * their tables to {@code bench/out/bursts.md} instead of {@code bench/results.md}; {@code
   * replicas} runs only the concurrent approvals, on one replica with SQLite and then spread over
   * two replicas sharing a PostgreSQL database, and writes their table to {@code
   * bench/out/replicas.md}.
   */
  public static void main(String[] args) throws Exception {
    // HttpURLConnection keeps only 5 idle connections per host unless told otherwise.
    System.setProperty("http.maxConnections", "256");
    // The fake Slack runs on the JDK's HTTP server, which otherwise leaves Nagle's algorithm on:
    // a reply written as headers, then body waits for the client's delayed ACK (~40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    double scale = 1.0;
    double rateScale = DEFAULT_RATE_SCALE;
    boolean onlyBursts = false;
    boolean onlyReplicas = false;
    for (String arg : args) {
      if (arg.equals("bursts")) {
        onlyBursts = true;
      } else if (arg.equals("replicas")) {
        onlyReplicas = true;
      } else if (arg.startsWith("rate-scale=")) {
        rateScale = Double.parseDouble(arg.substring("rate-scale=".length()));
      } else {
        scale = Double.parseDouble(arg);
      }
    }
    if (onlyBursts && onlyReplicas) {
      throw new IllegalArgumentException("bursts and replicas each run one part; give one");
    }
    long started = System.nanoTime();
    Bench bench = new Bench(scale, rateScale, onlyBursts, onlyReplicas);
    Files.createDirectories(bench.out);
    bench.run();
    bench.report.runSeconds = (System.nanoTime() - started) / 1e9;
    String table;
    Path file;
    if (onlyBursts) {
      table = bench.report.burstsMarkdown();
      file = bench.out.resolve("bursts.md");
    } else if (onlyReplicas) {
      table = bench.report.replicasMarkdown();
      file = bench.out.resolve("replicas.md");
    } else {
      table = bench.report.markdown();
      file = Path.of("bench", "results.md");
    }
    System.out.println();
    System.out.println(table);
    Files.writeString(file, table);
    System.exit(0);
  }

  int count(int clients) {
    int base =
        switch (clients) {
          case 1 -> 200;
          case 16 -> 320;
          default -> 448;
        };
    return Math.max(clients, (int) Math.round(base * scale));
  }

  int delayedCount(int clients) {
    return Math.max(clients, (int) Math.round(100 * scale));
  }

  private void run() throws Exception {
    if (onlyReplicas) {
      resetMoto();
      try (BotProcess keysmith = host("keysmith")) {
        progress("Keysmith: concurrent approvals of distinct requests, one replica on SQLite");
        concurrentApprovals(keysmith, approvalsCount());
      }
      resetMoto();
      progress("Keysmith: concurrent approvals, two replicas sharing a PostgreSQL database");
      replicatedApprovals(approvalsCount());
      return;
    }
    if (!onlyBursts) {
      runRows();
    }
    resetMoto();
    try (BotProcess keysmith = host("keysmith")) {
      progress(
          "Keysmith: approvals with " + IAM_THROTTLED_SHARE * 100 + " % of IAM calls throttled");
      throttledBurst(keysmith, (int) Math.max(50, Math.round(200 * scale)));
    }
    resetMoto();
    try (BotProcess keysmith = host("keysmith")) {
      progress("Keysmith: requests and approvals at Slack's rate limits x " + rateScale);
      limitedBurst(keysmith, (int) Math.max(50, Math.round(1000 * scale)));
    }
  }

  private void runRows() throws Exception {
    for (int c : CONCURRENCY) {
      report.counts.put(c, count(c));
      report.delayedCounts.put(c, delayedCount(c));
    }
    progress("start-up of java -jar target/keysmith.jar, three times");
    realJarStartup();
    resetMoto();
    progress("bare Bolt baseline and Keysmith: start-up and warm-up");
    try (BotProcess baseline = host("baseline");
        BotProcess keysmith = host("keysmith")) {
      report.baselineStartMs = baseline.startupNanos / 1e6;
      report.baselineRssStart = baseline.rssMib();
      report.hostStartMs = keysmith.startupNanos / 1e6;
      report.keysmithRssStart = keysmith.rssMib();
      warmUp(baseline, false, 250);
      report.baselineRss1000 = baseline.rssMib();
      warmUp(baseline, false, WARM_UP_PER_KIND - 250);
      warmUp(keysmith, true, 250);
      report.keysmithRss1000 = keysmith.rssMib();
      warmUp(keysmith, true, WARM_UP_PER_KIND - 250);
      // Side by side: at each concurrency the baseline's rows, then Keysmith's, several times, so
      // what drifts on the machine during the run falls on both alike.
      for (int turn = 1; turn <= TURNS; turn++) {
        progress("ack rows, turn " + turn + " of " + TURNS);
        for (int c : CONCURRENCY) {
          for (Kind kind : Kind.values()) {
            Timed row = baselineRow(baseline, kind, c, count(c));
            report.row(kind, c).baseline(row.acks, row.cpu);
          }
          keysmithRows(keysmith, c, count(c), /* measured= */ true);
        }
      }
      progress("Keysmith: approvals and reveals one at a time");
      oneAtATime(keysmith, (int) Math.max(20, Math.round(100 * scale)));
      report.keysmithRssEnd = keysmith.rssMib();
      report.keysmithRequests = keysmith.sent.get();
    }
    // A fresh bot and IAM, so this part starts from an account without the rows' users, as the
    // figures for a fresh deployment that gets 1,000 approvals at once.
    resetMoto();
    try (BotProcess keysmith = host("keysmith")) {
      progress("Keysmith: concurrent approvals of distinct requests");
      concurrentApprovals(keysmith, approvalsCount());
      progress("Keysmith: ack rows with IAM and Slack slowed by 2 s per call");
      withInjectedLatency(keysmith);
    }
    // The same approvals spread over two replicas on PostgreSQL, against a fresh IAM. Without a
    // PostgreSQL server the rest of the table still stands (bench/run.sh replicas fails instead).
    try {
      TestPostgres.get();
    } catch (IllegalStateException noServer) {
      progress("no PostgreSQL for two replicas, so no row for them: " + noServer.getMessage());
      return;
    }
    resetMoto();
    progress("Keysmith: concurrent approvals, two replicas sharing a PostgreSQL database");
    replicatedApprovals(approvalsCount());
  }

  /** Requests in the concurrent approvals: 1,000, scaled, at least 50. */
  private int approvalsCount() {
    return (int) Math.max(50, Math.round(1000 * scale));
  }

  private static void progress(String step) {
    System.err.println("[bench] " + step);
  }

  // ---- Start-up -----------------------------------------------------------------------------

  /** {@code java -jar target/keysmith.jar} as a person runs it, three times. */
  private void realJarStartup() throws Exception {
    for (int i = 0; i < 3; i++) {
      resetMoto();
      Path dir = Files.createTempDirectory("keysmith-bench-jar");
      Path yml = dir.resolve("keysmith.yml");
      Files.writeString(
          yml,
          String.join(
              "\n",
              "approvers:",
              "  users: [" + APPROVER + ", " + APPROVER_2 + "]",
              "approvalsChannel: " + APPROVALS,
              "groups: [developers, readonly]",
              "dataDir: " + dir.resolve("data"),
              ""));
      int port = BotProcess.freePort();
      Map<String, String> env = new HashMap<>();
      env.put("SLACK_BOT_TOKEN", BenchHost.BOT_TOKEN);
      env.put("SLACK_SIGNING_SECRET", SIGNING_SECRET);
      env.put("SLACK_API_URL", slack.methodsUrl());
      env.put("PORT", Integer.toString(port));
      env.put("KEYSMITH_CONFIG", yml.toString());
      env.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
      env.put("AWS_ACCESS_KEY_ID", "testing");
      env.put("AWS_SECRET_ACCESS_KEY", "testing");
      env.put("AWS_REGION", "us-east-1");
      try (BotProcess jar =
          BotProcess.start(
              "keysmith.jar",
              List.of(java, "-jar", "target/keysmith.jar"),
              env,
              port,
              -1,
              dir.resolve("data"),
              out.resolve("keysmith-jar-" + i + ".log"))) {
        report.jarStartMs.add(jar.startupNanos / 1e6);
        report.jarRssStart.add(jar.rssMib());
      }
    }
  }

  private BotProcess host(String mode) throws Exception {
    return host(mode, mode, List.of(), Map.of());
  }

  /**
   * A bot of {@code mode} in its own JVM, logging to {@code bench/out/<logName>-host.log}, with
   * {@code extraArgs} after {@link BenchHost}'s usual ones and {@code env} added to its
   * environment.
   */
  private BotProcess host(
      String mode, String logName, List<String> extraArgs, Map<String, String> env)
      throws Exception {
    int port = BotProcess.freePort();
    int control = BotProcess.freePort();
    Path data = Files.createTempDirectory("keysmith-bench-" + logName);
    List<String> command = new ArrayList<>(List.of(java));
    // Extra JVM flags for the bots, such as a profiler: BENCH_BOT_JAVA_OPTS="-XX:...".
    String opts = System.getenv().getOrDefault("BENCH_BOT_JAVA_OPTS", "").strip();
    if (!opts.isEmpty()) {
      command.addAll(List.of(opts.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            classpath,
            // Production logging (target/classes), not the tests' configuration.
            "-Dlogback.configurationFile=target/classes/logback.xml",
            BenchHost.class.getName(),
            mode,
            Integer.toString(port),
            Integer.toString(control),
            slack.methodsUrl(),
            moto.endpoint().toString(),
            data.toString()));
    command.addAll(extraArgs);
    return BotProcess.start(
        mode, command, env, port, control, data, out.resolve(logName + "-host.log"));
  }

  private void resetMoto() {
    moto.reset();
    for (String group : BenchHost.GROUPS) {
      moto.iamClient().createGroup(g -> g.groupName(group));
    }
  }

  /** {@code perKind} requests of each kind at 4 clients, so the rows measure a warm JVM. */
  private void warmUp(BotProcess bot, boolean keysmith, int perKind) {
    if (keysmith) {
      keysmithRows(bot, 4, perKind, /* measured= */ false);
    } else {
      for (Kind kind : Kind.values()) {
        baselineRow(bot, kind, 4, perKind);
      }
    }
    slack.clear();
  }

  // ---- Rows ---------------------------------------------------------------------------------

  enum Kind {
    COMMAND("`/iam create-user`"),
    SUBMIT("view_submission"),
    APPROVE("Approve click"),
    REVEAL("Reveal click");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The four ack rows against Keysmith, each feeding the next: submit → approve → reveal. */
  private void keysmithRows(BotProcess bot, int clients, int n, boolean measured) {
    rowSeq++;
    String prefix = "r" + rowSeq + "c" + clients + "-";
    Timed command = commandRow(bot, clients, n, true);
    Submitted submitted = submitRow(bot, clients, n, prefix, /* wait= */ true);
    List<String> ids = submitted.ids();
    Timed approve = approveRow(bot, clients, ids, /* wait= */ true);
    Timed reveal = revealRow(bot, clients, ids, /* wait= */ true);
    if (measured) {
      report.row(Kind.COMMAND, clients).keysmith(command.acks, command.cpu);
      report.row(Kind.SUBMIT, clients).keysmith(submitted.acks, submitted.cpu);
      report.row(Kind.APPROVE, clients).keysmith(approve.acks, approve.cpu);
      report.row(Kind.REVEAL, clients).keysmith(reveal.acks, reveal.cpu);
      report.provisionedUnderLoad.merge(clients, approve.toOutcome, Stats::pooled);
      report.revealedUnderLoad.merge(clients, reveal.toOutcome, Stats::pooled);
    }
    slack.clear();
  }

  private Timed baselineRow(BotProcess bot, Kind kind, int clients, int n) {
    return switch (kind) {
      case COMMAND -> commandRow(bot, clients, n, false);
      case SUBMIT -> {
        Submitted submitted = submitRow(bot, clients, n, "base-", /* wait= */ false);
        yield new Timed(submitted.acks, Stats.NONE, submitted.cpu);
      }
      case APPROVE -> approveRow(bot, clients, syntheticIds(n), false);
      case REVEAL -> revealRow(bot, clients, syntheticIds(n), false);
    };
  }

  /**
   * CPU per request of a row, once its work is done: always for the baseline (it does none after
   * the ack); for Keysmith only when the row waited for its outcomes ({@code wait}).
   */
  private CpuMeter.Snapshot rowCpu(BotProcess bot, Loop loop, boolean wait) {
    return wait || !bot.name.equals("keysmith") ? cpuPerRequest(bot, loop) : null;
  }

  private static List<String> syntheticIds(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(String.format("KS-B%05d", i));
    }
    return ids;
  }

  private Timed commandRow(BotProcess bot, int clients, int n, boolean wait) {
    SlackRequests send = requests(bot);
    int before = seen.viewsOpened.get();
    Loop loop =
        closedLoop(
            bot,
            clients,
            n,
            i ->
                send.sign(
                    send.slashCommandBody(
                        REQUESTER,
                        "create-user",
                        SlackRequests.newTriggerId(),
                        slack.newResponseUrl())),
            (i, a) -> {});
    if (wait && bot.name.equals("keysmith")) {
      seen.await("views.open", WAIT, () -> seen.viewsOpened.get() >= before + n);
    }
    return new Timed(Stats.ofNanos(loop.acks()), Stats.NONE, rowCpu(bot, loop, wait));
  }

  /** The new requests' ids, in order, the acks of their submissions, and their CPU per request. */
  record Submitted(List<String> ids, Stats acks, CpuMeter.Snapshot cpu) {}

  private Submitted submitRow(BotProcess bot, int clients, int n, String prefix, boolean wait) {
    return submitRow(List.of(bot), clients, n, prefix, wait);
  }

  /**
   * The submissions spread over {@code bots} (all of one mode), round-robin as a load balancer
   * would. Over more than one bot the CPU is not measured (null), but with {@code wait} it still
   * waits until each bot's workers are done.
   */
  private Submitted submitRow(
      List<BotProcess> bots, int clients, int n, String prefix, boolean wait) {
    BotProcess bot = bots.get(0);
    SlackRequests send = requests(bot);
    String[] ids = new String[n];
    boolean keysmith = bot.name.equals("keysmith");
    Loop loop =
        closedLoop(
            bots,
            clients,
            n,
            i -> send.sign(submissionBody(send, prefix + i)),
            (i, a) -> {
              if (keysmith) {
                Matcher m = REQUEST_ID.matcher(a.body());
                if (!m.find()) {
                  throw new IllegalStateException("submission refused: " + a.body());
                }
                ids[i] = m.group(1);
              }
            });
    List<String> list = List.of(keysmith ? ids : new String[0]);
    if (wait && keysmith) {
      seen.await(
          "approval posts", WAIT, () -> list.stream().allMatch(seen.approvalPosted::containsKey));
    }
    if (bots.size() > 1) {
      if (wait) {
        for (BotProcess each : bots) {
          awaitWorkersDone(each);
        }
      }
      return new Submitted(list, Stats.ofNanos(loop.acks()), null);
    }
    return new Submitted(list, Stats.ofNanos(loop.acks()), rowCpu(bot, loop, wait));
  }

  private static String submissionBody(SlackRequests send, String name) {
    return submissionBody(send, name, REQUESTER, OWNER);
  }

  private static String submissionBody(
      SlackRequests send, String name, String requester, String owner) {
    Map<String, Map<String, JsonNode>> values = new LinkedHashMap<>();
    values.put("iam_user_name", Map.of("value", SlackRequests.plainTextInput(name)));
    values.put("group", Map.of("value", SlackRequests.staticSelect("developers", "developers")));
    values.put(
        "access_type", Map.of("value", SlackRequests.radioButtons("PROGRAMMATIC", "PROGRAMMATIC")));
    values.put("owner", Map.of("value", SlackRequests.usersSelect(owner)));
    values.put("justification", Map.of("value", SlackRequests.plainTextInput("benchmark")));
    return send.viewSubmissionBody(requester, "keysmith_create_user", "", values);
  }

  /**
   * Acks, for each request the time from its click to the outcome the fake saw, and the row's CPU
   * per request (null when not measured).
   */
  record Timed(Stats acks, Stats toOutcome, CpuMeter.Snapshot cpu) {}

  private Timed approveRow(BotProcess bot, int clients, List<String> ids, boolean wait) {
    SlackRequests send = requests(bot);
    long[] sentAt = new long[ids.size()];
    Loop loop =
        closedLoop(
            bot,
            clients,
            ids.size(),
            i -> send.sign(approveBody(send, APPROVER, ids.get(i))),
            (i, a) -> sentAt[i] = a.sentAt());
    if (!(wait && bot.name.equals("keysmith"))) {
      return new Timed(Stats.ofNanos(loop.acks()), Stats.NONE, rowCpu(bot, loop, wait));
    }
    seen.await("owner offers", WAIT, () -> ids.stream().allMatch(seen.offerPosted::containsKey));
    long[] toOffer = new long[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      toOffer[i] = seen.offerPosted.get(ids.get(i)) - sentAt[i];
    }
    return new Timed(Stats.ofNanos(loop.acks()), Stats.ofNanos(toOffer), rowCpu(bot, loop, wait));
  }

  private String approveBody(SlackRequests send, String approver, String id) {
    return send.blockActionBody(
        BlockAction.click(approver, "keysmith_approve", id)
            .onMessage(APPROVALS, "1700000000.000100")
            .withResponseUrl(slack.newResponseUrl()));
  }

  private Timed revealRow(BotProcess bot, int clients, List<String> ids, boolean wait) {
    SlackRequests send = requests(bot);
    String[] urls = new String[ids.size()];
    long[] sentAt = new long[ids.size()];
    Loop loop =
        closedLoop(
            bot,
            clients,
            ids.size(),
            i -> {
              urls[i] = slack.newResponseUrl();
              return send.sign(revealBody(send, ids.get(i), urls[i]));
            },
            (i, a) -> sentAt[i] = a.sentAt());
    if (!(wait && bot.name.equals("keysmith"))) {
      return new Timed(Stats.ofNanos(loop.acks()), Stats.NONE, rowCpu(bot, loop, wait));
    }
    List<String> all = List.of(urls);
    seen.await("secrets shown", WAIT, () -> all.stream().allMatch(seen.secretShown::containsKey));
    long[] toSecret = new long[urls.length];
    for (int i = 0; i < urls.length; i++) {
      toSecret[i] = seen.secretShown.get(urls[i]) - sentAt[i];
    }
    return new Timed(Stats.ofNanos(loop.acks()), Stats.ofNanos(toSecret), rowCpu(bot, loop, wait));
  }

  private static String revealBody(SlackRequests send, String id, String responseUrl) {
    return send.blockActionBody(
        BlockAction.click(OWNER, "keysmith_reveal", id).onEphemeral().withResponseUrl(responseUrl));
  }

  /** What to do with each answer, by request index. */
  private interface OnAnswer {
    void accept(int index, SignedPost.Answer answer);
  }

  /** A row's ack latencies, and the CPU times when its first request was sent. */
  @SuppressWarnings("ArrayRecordComponent") // read once, never compared or hashed
  record Loop(long[] acks, CpuMeter.Snapshot cpuAtStart) {}

  /**
   * {@code clients} threads, each sending its next request as soon as the previous one is answered,
   * until {@code n} were sent. All requests are built and signed before the first is sent, so the
   * load generator's own work does not compete with the bot while it is measured.
   */
  private Loop closedLoop(
      BotProcess bot,
      int clients,
      int n,
      IntFunction<SlackRequests.Signed> build,
      OnAnswer onAnswer) {
    return closedLoop(List.of(bot), clients, n, build, onAnswer);
  }

  /**
   * The closed loop over several bots: request {@code i} goes to bot {@code i % bots.size()},
   * round-robin as a load balancer would. The CPU at start is only taken for one bot (null for
   * more).
   */
  private Loop closedLoop(
      List<BotProcess> bots,
      int clients,
      int n,
      IntFunction<SlackRequests.Signed> build,
      OnAnswer onAnswer) {
    List<URL> urls = bots.stream().map(BotProcess::events).toList();
    List<SlackRequests.Signed> requests = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      requests.add(build.apply(i));
    }
    CpuMeter.Snapshot cpuAtStart = bots.size() == 1 ? cpu.snapshot(bots.get(0)) : null;
    long[] latencies = new long[n];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = next.getAndIncrement();
                    i < n && failure.get() == null;
                    i = next.getAndIncrement()) {
                  try {
                    int b = i % bots.size();
                    SignedPost.Answer answer = SignedPost.send(urls.get(b), requests.get(i));
                    bots.get(b).sent.incrementAndGet();
                    if (answer.status() != 200) {
                      throw new IllegalStateException(
                          "HTTP " + answer.status() + ": " + answer.body());
                    }
                    latencies[i] = answer.nanos();
                    onAnswer.accept(i, answer);
                  } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                  }
                }
              },
              "client-" + t);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return new Loop(latencies, cpuAtStart);
  }

  /**
   * CPU per request of a row: from its first request until the bot's work for it is done (its
   * outcomes seen and no worker task left), divided by the row's requests.
   */
  private CpuMeter.Snapshot cpuPerRequest(BotProcess bot, Loop loop) {
    awaitWorkersDone(bot);
    CpuMeter.Snapshot used = cpu.snapshot(bot).minus(loop.cpuAtStart());
    int n = loop.acks().length;
    return new CpuMeter.Snapshot(
        used.ack() / n,
        used.afterAck() / n,
        used.otherBotThreads() / n,
        used.loadGenerator() / n,
        used.moto() / n);
  }

  /** Waits until no worker task of {@code bot} is left. */
  private void awaitWorkersDone(BotProcess bot) {
    seen.await(
        "the bot's workers to finish",
        WAIT,
        () -> bot.control("GET", "/work-in-flight").strip().equals("0"));
  }

  private static SlackRequests requests(BotProcess bot) {
    return new SlackRequests(URI.create(bot.events().toString()), SIGNING_SECRET);
  }

  // ---- Time to provisioned and revealed, one request at a time ------------------------------

  private void oneAtATime(BotProcess bot, int n) {
    List<String> ids = submitRow(bot, 4, n, "one-", /* wait= */ true).ids();
    bot.control("GET", "/iam-tasks");
    SlackRequests send = requests(bot);
    long[] toOffer = new long[n];
    long[] toSecret = new long[n];
    Map<String, String> userOf = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = ids.get(i);
      userOf.put("one-" + i, id);
      SignedPost.Answer a =
          SignedPost.send(bot.events(), send.sign(approveBody(send, APPROVER, id)));
      bot.sent.incrementAndGet();
      seen.await("offer " + id, WAIT, () -> seen.offerPosted.containsKey(id));
      toOffer[i] = seen.offerPosted.get(id) - a.sentAt();
    }
    for (int i = 0; i < n; i++) {
      String url = slack.newResponseUrl();
      SignedPost.Answer a =
          SignedPost.send(bot.events(), send.sign(revealBody(send, ids.get(i), url)));
      bot.sent.incrementAndGet();
      seen.await("secret " + url, WAIT, () -> seen.secretShown.containsKey(url));
      toSecret[i] = seen.secretShown.get(url) - a.sentAt();
    }
    long provisionIam = 0;
    long revealIam = 0;
    for (String line : bot.control("GET", "/iam-tasks").split("\n", -1)) {
      String[] f = line.split(" ", -1);
      if (f.length == 3 && userOf.containsKey(f[1])) {
        if (f[0].equals("provision")) {
          provisionIam += Long.parseLong(f[2]);
        } else {
          revealIam += Long.parseLong(f[2]);
        }
      }
    }
    report.provisioned = Stats.ofNanos(toOffer);
    report.revealed = Stats.ofNanos(toSecret);
    report.provisionedIamShare = (double) provisionIam / sum(toOffer);
    report.revealedIamShare = (double) revealIam / sum(toSecret);
    slack.clear();
  }

  private static long sum(long[] values) {
    long total = 0;
    for (long v : values) {
      total += v;
    }
    return total;
  }

  // ---- 1,000 concurrent approvals -----------------------------------------------------------

  private void concurrentApprovals(BotProcess bot, int n) throws Exception {
    List<String> ids = submitRow(bot, 64, n, "many-", /* wait= */ true).ids();
    report.approvals =
        approvalBurst(List.of(bot), ids, "one replica, SQLite", () -> createUserAudits(bot));
  }

  /**
   * The same approvals spread over two replicas, each in its own JVM with its own data directory
   * and HTTP port, sharing one fresh PostgreSQL database: submissions and clicks go to them
   * round-robin, as a load balancer would, so a request's duplicate clicks land on either replica.
   */
  private void replicatedApprovals(int n) throws Exception {
    TestPostgres.Db db = TestPostgres.get().freshDatabase();
    List<String> database =
        List.of(db.url(), Integer.toString(KeysmithConfig.DatabaseServer.DEFAULT_POOL_SIZE));
    Map<String, String> login =
        Map.of("KEYSMITH_DATABASE_USER", db.user(), "KEYSMITH_DATABASE_PASSWORD", db.password());
    try (BotProcess first = host("keysmith", "keysmith-replica-1", database, login);
        BotProcess second = host("keysmith", "keysmith-replica-2", database, login)) {
      List<BotProcess> bots = List.of(first, second);
      // The server is the parent of the replicas' backends, whose titles name their database.
      String name = db.url().substring(db.url().lastIndexOf('/') + 1).replaceAll("\\?.*", "");
      postgresPid = CpuMeter.parentOfProcessWith("postgres: " + db.user() + " " + name + " ");
      List<String> ids = submitRow(bots, 64, n, "many-", /* wait= */ true).ids();
      Approvals result =
          approvalBurst(bots, ids, "two replicas, PostgreSQL", () -> createUserAudits(db));
      report.replicatedApprovals = result;
    }
  }

  /**
   * Every request of {@code ids} approved once, a tenth also by a second approver, a tenth
   * double-clicked, by 64 clients over {@code bots} (round-robin); then waits until every owner has
   * the offer and every duplicate was refused, and checks each request was provisioned once.
   */
  private Approvals approvalBurst(
      List<BotProcess> bots,
      List<String> ids,
      String setup,
      Callable<Map<String, Integer>> createUserAudits)
      throws Exception {
    int n = ids.size();
    List<String[]> clicks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clicks.add(new String[] {APPROVER, ids.get(i)});
      if (i % 10 == 0) {
        clicks.add(new String[] {APPROVER_2, ids.get(i)});
      } else if (i % 10 == 5) {
        clicks.add(new String[] {APPROVER, ids.get(i)});
      }
    }
    Collections.shuffle(clicks, new Random(42));
    int duplicates = clicks.size() - n;
    int refusedBefore = seen.alreadyApproved.get();
    SlackRequests send = requests(bots.get(0));
    long[] sentBefore = bots.stream().mapToLong(b -> b.sent.get()).toArray();
    Map<String, Long> cpuBefore = cpuByProcess(bots);
    long started = System.nanoTime();
    long[] acks =
        closedLoop(
                bots,
                64,
                clicks.size(),
                i -> send.sign(approveBody(send, clicks.get(i)[0], clicks.get(i)[1])),
                (i, a) -> {})
            .acks();
    seen.await("all offers", WAIT, () -> ids.stream().allMatch(seen.offerPosted::containsKey));
    long allProvisioned = System.nanoTime() - started;
    Map<String, Long> cpuAfter = cpuByProcess(bots);
    seen.await(
        "refusals of duplicate clicks",
        Duration.ofSeconds(60),
        () -> seen.alreadyApproved.get() - refusedBefore >= duplicates);
    Approvals result = new Approvals();
    cpuAfter.forEach(
        (what, nanos) -> result.cpuSeconds.put(what, (nanos - cpuBefore.get(what)) / 1e9));
    result.setup = setup;
    result.replicas = bots.size();
    for (int b = 0; b < bots.size(); b++) {
      result.clicksPerReplica.add(bots.get(b).sent.get() - sentBefore[b]);
    }
    result.requests = n;
    result.clicks = clicks.size();
    result.acks = Stats.ofNanos(acks);
    result.seconds = allProvisioned / 1e9;
    result.refused = seen.alreadyApproved.get() - refusedBefore;
    result.offersOnce =
        (int) ids.stream().filter(id -> seen.offersPerRequest.get(id).get() == 1).count();
    Map<String, Integer> creates = createUserAudits.call();
    result.createdOnce = (int) ids.stream().filter(id -> creates.getOrDefault(id, 0) == 1).count();
    List<String> users =
        moto.iamClient().listUsersPaginator(r -> r.pathPrefix("/keysmith/")).users().stream()
            .map(User::userName)
            .filter(u -> u.startsWith("many-"))
            .toList();
    result.iamUsers = users.size();
    slack.clear();
    return result;
  }

  /**
   * CPU nanoseconds used so far: by {@code bots}, by their PostgreSQL server, moto, this process
   * (the load generator and the fake Slack), and by the whole machine ({@link #MACHINE}; {@link
   * #MACHINE_TASKS} without interrupts and steal), which also counts what else runs on it.
   */
  private Map<String, Long> cpuByProcess(List<BotProcess> bots) {
    Map<String, Long> used = new LinkedHashMap<>();
    used.put(KEYSMITH_CPU, bots.stream().mapToLong(b -> CpuMeter.process(b.pid())).sum());
    used.put(POSTGRES_CPU, postgresPid < 0 ? 0 : CpuMeter.processAndChildren(postgresPid));
    used.put(MOTO_CPU, CpuMeter.process(moto.pid()));
    used.put(LOAD_GENERATOR_CPU, CpuMeter.process(ProcessHandle.current().pid()));
    used.put(MACHINE, CpuMeter.machineBusy());
    used.put(MACHINE_TASKS, CpuMeter.machineTasks());
    return used;
  }

  static final String KEYSMITH_CPU = "Keysmith";
  static final String POSTGRES_CPU = "PostgreSQL";
  static final String MOTO_CPU = "moto";
  static final String LOAD_GENERATOR_CPU = "load generator and fake Slack";
  static final String MACHINE = "machine";
  static final String MACHINE_TASKS = "machine's tasks";

  private static final String CREATE_USER_AUDITS =
      "SELECT request_id, COUNT(*) FROM audit WHERE action = 'iam.CreateUser' GROUP BY request_id";

  /** Audit rows {@code iam.CreateUser} per request id, read from the bot's database. */
  private Map<String, Integer> createUserAudits(BotProcess bot) throws Exception {
    Path db = bot.dataDir.resolve("keysmith.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      return createUserAudits(c);
    }
  }

  /** Audit rows {@code iam.CreateUser} per request id, read from the replicas' database. */
  private static Map<String, Integer> createUserAudits(TestPostgres.Db db) throws SQLException {
    try (Connection c = db.connect()) {
      return createUserAudits(c);
    }
  }

  private static Map<String, Integer> createUserAudits(Connection c) throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(CREATE_USER_AUDITS)) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    }
    return counts;
  }

  /** Approvals of distinct requests at once, with duplicate clicks, and what came of them. */
  static final class Approvals {
    String setup = "";
    int replicas;
    final List<Long> clicksPerReplica = new ArrayList<>();

    /** CPU seconds from the first click until every offer was posted, by {@link #cpuByProcess}. */
    final Map<String, Double> cpuSeconds = new LinkedHashMap<>();

    int requests;
    int clicks;
    int refused;
    int offersOnce;
    int createdOnce;
    int iamUsers;
    double seconds;
    Stats acks;
  }

  // ---- Bursts: Slack's rate limits, IAM throttling ------------------------------------------

  /**
   * {@code n} requests from {@code n} different people, each naming a different owner (so that
   * their direct messages go to different channels, as a burst from many people would), at 64
   * clients; returns their ids once each approvals message is posted.
   */
  private List<String> submitFromMany(BotProcess bot, int n, String prefix, Duration wait) {
    SlackRequests send = requests(bot);
    String[] ids = new String[n];
    closedLoop(
        bot,
        64,
        n,
        i ->
            send.sign(
                submissionBody(
                    send,
                    prefix + i,
                    String.format(Locale.ROOT, "U0R%06d", i),
                    String.format(Locale.ROOT, "U0O%06d", i))),
        (i, a) -> {
          Matcher m = REQUEST_ID.matcher(a.body());
          if (!m.find()) {
            throw new IllegalStateException("submission refused: " + a.body());
          }
          ids[i] = m.group(1);
        });
    List<String> list = List.of(ids);
    seen.await(
        "approval posts", wait, () -> list.stream().allMatch(seen.approvalPosted::containsKey));
    return list;
  }

  /** Approves each of {@code ids} once, at 64 clients; returns when the first click was sent. */
  private long approveAll(BotProcess bot, List<String> ids) {
    SlackRequests send = requests(bot);
    long started = System.nanoTime();
    closedLoop(
        bot, 64, ids.size(), i -> send.sign(approveBody(send, APPROVER, ids.get(i))), (i, a) -> {});
    return started;
  }

  /** The figures of the burst at Slack's rate limits. */
  static final class LimitedBurst {
    double rateScale;
    int requests;
    int postsPerSecond;
    int editsPerMinute;
    double postsSeconds;
    double postsMinimum;
    int posts429;
    double lastMessageSeconds;
    double lastEditSeconds;
    double lastOfferSeconds;
    double minimumSeconds;
    double readyMinimumSeconds;
    int edits;
    int editsNotFinal;
    int edits429;
    int postedOnce;
    int finalState;
    int offeredOnce;
    Map<String, Integer> outbox = Map.of();
  }

  /**
   * 1,000 requests, then 1,000 approvals at once, with the fake Slack at Slack's published rate
   * limits (counts times {@link #rateScale}): how long until every approvals message shows its
   * request provisioned and every owner has the offer, against the least those limits allow.
   */
  private void limitedBurst(BotProcess bot, int n) throws Exception {
    SlackRateLimits limits = SlackRateLimits.published(rateScale);
    LimitedBurst r = new LimitedBurst();
    r.rateScale = rateScale;
    r.requests = n;
    r.postsPerSecond = limits.allowed("chat.postMessage");
    r.editsPerMinute = limits.allowed("chat.update");
    // The k-th call (from 0) of a method limited to L per rolling window W can go no earlier than
    // floor(k / L) windows after the first: the last of N, (ceil(N / L) - 1) windows after it.
    r.postsMinimum = windowsAfterFirst(n, r.postsPerSecond) * 1.0;
    r.minimumSeconds =
        windowsAfterFirst(n, r.editsPerMinute) * SlackRateLimits.window("chat.update").toSeconds();
    Duration wait = Duration.ofSeconds((long) (3 * (r.postsMinimum + r.minimumSeconds)) + 180);
    slack.setRateLimits(limits);
    try {
      int posts429 = seen.rateLimited("chat.postMessage");
      long submitted = System.nanoTime();
      List<String> ids = submitFromMany(bot, n, "rl-", wait);
      r.postsSeconds =
          (ids.stream().mapToLong(seen.approvalPosted::get).max().orElseThrow() - submitted) / 1e9;
      r.posts429 = seen.rateLimited("chat.postMessage") - posts429;

      int edits = seen.approvalEdits.get();
      int notFinal = seen.approvalEditsNotFinal.get();
      int edits429 = seen.rateLimited("chat.update");
      long started = approveAll(bot, ids);
      seen.await(
          "every approvals message final and every owner offered",
          wait,
          () ->
              ids.stream()
                  .allMatch(
                      id ->
                          "provisioned".equals(seen.approvalState.get(id))
                              && seen.offerPosted.containsKey(id)));
      long lastEdit = ids.stream().mapToLong(seen.approvalLastAt::get).max().orElseThrow();
      long lastOffer = ids.stream().mapToLong(seen.offerPosted::get).max().orElseThrow();
      r.lastEditSeconds = (lastEdit - started) / 1e9;
      r.lastOfferSeconds = (lastOffer - started) / 1e9;
      r.lastMessageSeconds = (Math.max(lastEdit, lastOffer) - started) / 1e9;
      // A request's final edit can go no sooner than its offer (both follow its provisioning).
      long[] ready =
          ids.stream().mapToLong(id -> seen.offerPosted.get(id) - started).sorted().toArray();
      r.readyMinimumSeconds =
          leastLastCall(ready, r.editsPerMinute, SlackRateLimits.window("chat.update").toNanos())
              / 1e9;
      r.edits = seen.approvalEdits.get() - edits;
      r.editsNotFinal = seen.approvalEditsNotFinal.get() - notFinal;
      r.edits429 = seen.rateLimited("chat.update") - edits429;
      r.outbox = outboxSettled(bot);
      r.postedOnce = (int) ids.stream().filter(id -> seen.approvalPosts.get(id).get() == 1).count();
      r.finalState =
          (int) ids.stream().filter(id -> "provisioned".equals(seen.approvalState.get(id))).count();
      r.offeredOnce =
          (int) ids.stream().filter(id -> seen.offersPerRequest.get(id).get() == 1).count();
    } finally {
      slack.setRateLimits(null);
    }
    report.limitedBurst = r;
    slack.clear();
  }

  /**
   * The earliest the last of these calls can go when the k-th can go no sooner than {@code
   * ready[k]} (sorted) and at most {@code perWindow} go in any rolling {@code windowNanos}: each
   * goes when it is ready or when the call {@code perWindow} before it leaves the window, whichever
   * is later (sending each as early as allowed is optimal).
   */
  static long leastLastCall(long[] ready, int perWindow, long windowNanos) {
    long[] sent = new long[ready.length];
    for (int k = 0; k < ready.length; k++) {
      long at = ready[k];
      if (k > 0) {
        at = Math.max(at, sent[k - 1]);
      }
      if (k >= perWindow) {
        at = Math.max(at, sent[k - perWindow] + windowNanos);
      }
      sent[k] = at;
    }
    return ready.length == 0 ? 0 : sent[ready.length - 1];
  }

  private static int windowsAfterFirst(int calls, int perWindow) {
    return (calls + perWindow - 1) / perWindow - 1;
  }

  /**
   * The bot's outbox rows by state, once nothing is left waiting (or after a minute): the requests'
   * other direct messages may still be on their way when the measured ones are done.
   */
  private Map<String, Integer> outboxSettled(BotProcess bot) {
    try {
      seen.await(
          "the outbox to empty",
          Duration.ofMinutes(1),
          () ->
              countByState(bot, "SELECT state, COUNT(*) FROM outbox GROUP BY state").get("PENDING")
                  == null);
    } catch (IllegalStateException stillWaiting) {
      progress("the outbox still holds PENDING messages after a minute");
    }
    return countByState(bot, "SELECT state, COUNT(*) FROM outbox GROUP BY state");
  }

  /** {@code query}'s two columns (a state, a count), read from the bot's database. */
  private static Map<String, Integer> countByState(BotProcess bot, String query) {
    Path db = bot.dataDir.resolve("keysmith.db");
    Map<String, Integer> counts = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + db, e);
    }
    return counts;
  }

  /** The figures of the burst with IAM throttling. */
  static final class ThrottledBurst {
    int requests;
    double share;
    long attemptsThrottled;
    long attemptsPassed;
    boolean allSettled;
    double seconds;
    Map<String, Integer> states = Map.of();
    int offeredOnce;
    Map<String, Integer> outbox = Map.of();
  }

  /**
   * {@code n} approvals at once while IAM answers {@code Throttling} to {@link
   * #IAM_THROTTLED_SHARE} of call attempts, without Slack's limits: every request should end
   * provisioned and offered.
   */
  private void throttledBurst(BotProcess bot, int n) {
    ThrottledBurst r = new ThrottledBurst();
    r.requests = n;
    r.share = IAM_THROTTLED_SHARE;
    List<String> ids = submitFromMany(bot, n, "th-", WAIT);
    String[] before = bot.control("POST", "/iam-throttle?share=" + r.share).strip().split(" ", -1);
    long started = approveAll(bot, ids);
    try {
      seen.await(
          "every request provisioned or failed",
          WAIT,
          () ->
              ids.stream()
                  .allMatch(
                      id -> {
                        String state = seen.approvalState.get(id);
                        return "failed".equals(state)
                            || ("provisioned".equals(state) && seen.offerPosted.containsKey(id));
                      }));
      r.allSettled = true;
    } catch (IllegalStateException notAll) {
      progress("some throttled requests neither provisioned nor failed after " + WAIT);
    }
    r.seconds = (System.nanoTime() - started) / 1e9;
    String[] after = bot.control("POST", "/iam-throttle?share=0").strip().split(" ", -1);
    r.attemptsThrottled = Long.parseLong(after[0]) - Long.parseLong(before[0]);
    r.attemptsPassed = Long.parseLong(after[1]) - Long.parseLong(before[1]);
    r.states =
        countByState(
            bot,
            "SELECT state, COUNT(*) FROM requests WHERE iam_user_name LIKE 'th-%' GROUP BY state");
    r.offeredOnce =
        (int)
            ids.stream()
                .filter(
                    id ->
                        seen.offersPerRequest.containsKey(id)
                            && seen.offersPerRequest.get(id).get() == 1)
                .count();
    r.outbox = outboxSettled(bot);
    report.throttledBurst = r;
    slack.clear();
  }

  // ---- Injected latency ---------------------------------------------------------------------

  /** The ack rows again with every Slack Web API call and every IAM call taking 2 s longer. */
  private void withInjectedLatency(BotProcess bot) {
    Map<Integer, List<String>> pending = new HashMap<>();
    Map<Integer, List<String>> provisioned = new HashMap<>();
    for (int c : CONCURRENCY) {
      int n = delayedCount(c);
      pending.put(c, submitRow(bot, 16, n, "dp" + c + "-", true).ids());
      List<String> ready = submitRow(bot, 16, n, "dr" + c + "-", true).ids();
      approveRow(bot, 16, ready, true);
      provisioned.put(c, ready);
    }
    slack.setDelay(INJECTED);
    bot.control("POST", "/iam-delay?ms=" + INJECTED.toMillis());
    for (int c : CONCURRENCY) {
      int n = delayedCount(c);
      report.row(Kind.COMMAND, c).delayed = commandRow(bot, c, n, false).acks;
      report.row(Kind.SUBMIT, c).delayed = submitRow(bot, c, n, "dn" + c + "-", false).acks();
      report.row(Kind.APPROVE, c).delayed = approveRow(bot, c, pending.get(c), false).acks;
      report.row(Kind.REVEAL, c).delayed = revealRow(bot, c, provisioned.get(c), false).acks;
    }
    slack.setDelay(Duration.ZERO);
    bot.control("POST", "/iam-delay?ms=0");
  }
}
