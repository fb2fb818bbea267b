package dev.keysmith.bench;

import dev.keysmith.config.KeysmithConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The benchmark's results and their markdown table, with each target checked. */
final class Report {
  /**
   * One ack row: the same requests against the baseline, Keysmith, and Keysmith slowed down. The
   * baseline and Keysmith take turns, several times; their samples are pooled, their CPU averaged.
   */
  static final class Row {
    Stats baseline = Stats.NONE;
    Stats keysmith = Stats.NONE;
    Stats delayed = Stats.NONE;
    CpuMeter.Snapshot baselineCpu;
    CpuMeter.Snapshot keysmithCpu;
    private int baselineTurns;
    private int keysmithTurns;
    private CpuMeter.Snapshot baselineCpuSum;
    private CpuMeter.Snapshot keysmithCpuSum;

    void baseline(Stats acks, CpuMeter.Snapshot cpu) {
      baseline = Stats.pooled(baseline, acks);
      baselineTurns++;
      baselineCpuSum = baselineCpuSum == null ? cpu : baselineCpuSum.plus(cpu);
      baselineCpu = baselineCpuSum.dividedBy(baselineTurns);
    }

    void keysmith(Stats acks, CpuMeter.Snapshot cpu) {
      keysmith = Stats.pooled(keysmith, acks);
      keysmithTurns++;
      keysmithCpuSum = keysmithCpuSum == null ? cpu : keysmithCpuSum.plus(cpu);
      keysmithCpu = keysmithCpuSum.dividedBy(keysmithTurns);
    }
  }

  final Map<String, Row> rows = new LinkedHashMap<>();
  final Map<Integer, Integer> counts = new TreeMap<>();
  final Map<Integer, Integer> delayedCounts = new TreeMap<>();
  final List<Double> jarStartMs = new ArrayList<>();
  final List<Double> jarRssStart = new ArrayList<>();
  double baselineStartMs;
  double hostStartMs;
  double baselineRssStart;
  double baselineRss1000;
  double keysmithRssStart;
  double keysmithRss1000;
  double keysmithRssEnd;
  long keysmithRequests;
  Stats provisioned = Stats.NONE;
  Stats revealed = Stats.NONE;
  double provisionedIamShare;
  double revealedIamShare;
  final Map<Integer, Stats> provisionedUnderLoad = new TreeMap<>();
  final Map<Integer, Stats> revealedUnderLoad = new TreeMap<>();
  Bench.Approvals approvals;
  Bench.Approvals replicatedApprovals;
  Bench.LimitedBurst limitedBurst;
  Bench.ThrottledBurst throttledBurst;
  double runSeconds;

  Row row(Bench.Kind kind, int clients) {
    return rows.computeIfAbsent(kind.name() + ":" + clients, k -> new Row());
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("### Results of `bench/run.sh`\n\n")
        .append("Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores (")
        .append(cpuModel())
        .append("), Java ")
        .append(System.getProperty("java.version"))
        .append(". Bot and baseline each run in their own JVM with default flags; the load")
        .append(" generator and the fake Slack Web API share a third; IAM is a moto server;")
        .append(" all on the same cores. Closed-loop clients (each sends its next request when")
        .append(" the previous one is answered). Both bots run side by side: at each")
        .append(" concurrency the baseline's rows, then Keysmith's, ")
        .append(Bench.TURNS)
        .append(" turns, their samples pooled; requests per row and turn: ");
    List<String> perRow = new ArrayList<>();
    counts.forEach((c, n) -> perRow.add(n + " at " + c + (c == 1 ? " client" : " clients")));
    List<String> delayedPerRow = new ArrayList<>();
    delayedCounts.forEach((c, n) -> delayedPerRow.add(Integer.toString(n)));
    md.append(String.join(", ", perRow))
        .append(" (")
        .append(String.join(", ", delayedPerRow))
        .append(" with injected latency, once), after ")
        .append(String.format(Locale.ROOT, "%,d", Bench.WARM_UP_PER_KIND * 4))
        .append(" warm-up requests (")
        .append(String.format(Locale.ROOT, "%,d", Bench.WARM_UP_PER_KIND))
        .append(" of each kind). Whole run: ")
        .append(String.format(Locale.ROOT, "%.0f s", runSeconds))
        .append(".\n\n");

    md.append("**Ack latency, ms** (p50 / p95 / p99 / max)\n\n")
        .append(
            "| request | clients | bare Bolt baseline | Keysmith | Keysmith ÷ baseline (p50, p99)")
        .append(" | Keysmith, IAM and Slack +2 s per call |\n")
        .append("| --- | ---: | --- | --- | --- | --- |\n");
    for (Bench.Kind kind : Bench.Kind.values()) {
      for (int c : Bench.CONCURRENCY) {
        Row r = row(kind, c);
        md.append("| ")
            .append(kind.label)
            .append(" | ")
            .append(c)
            .append(" | ")
            .append(four(r.baseline))
            .append(" | ")
            .append(four(r.keysmith))
            .append(" | ")
            .append(ratio(r.keysmith.p50(), r.baseline.p50()))
            .append(", ")
            .append(ratio(r.keysmith.p99(), r.baseline.p99()))
            .append(" | ")
            .append(four(r.delayed))
            .append(" |\n");
      }
    }

    md.append(cpuTable());

    md.append("\n**After the ack**, ms\n\n")
        .append("| from → to | requests | p50 | p99 | share inside IAM calls |\n")
        .append("| --- | ---: | ---: | ---: | ---: |\n")
        .append(
            after(
                "Approve click → IAM user created and owner DM sent, one at a time",
                provisioned,
                provisionedIamShare))
        .append(
            after(
                "Reveal click → secret message posted, one at a time", revealed, revealedIamShare));
    provisionedUnderLoad.forEach(
        (c, s) ->
            md.append(
                after(
                    "Approve → owner DM, whole " + c + "-client row (queues behind the row)",
                    s,
                    Double.NaN)));
    revealedUnderLoad.forEach(
        (c, s) ->
            md.append(
                after(
                    "Reveal → secret, whole " + c + "-client row (queues behind the row)",
                    s,
                    Double.NaN)));

    md.append("\n**Start-up and memory**\n\n")
        .append("| what | result |\n| --- | --- |\n")
        .append("| `java -jar target/keysmith.jar` launch → first healthy `GET /health` (")
        .append(jarStartMs.size())
        .append(" runs) | ")
        .append(spread(jarStartMs, "ms"))
        .append(" |\n| Keysmith bench host (same wiring, test classpath) launch → healthy | ")
        .append(fmt(hostStartMs))
        .append(" ms |\n| bare Bolt baseline launch → healthy | ")
        .append(fmt(baselineStartMs))
        .append(" ms |\n| resident memory, `keysmith.jar` after start | ")
        .append(spread(jarRssStart, "MiB"))
        .append(" |\n| resident memory, Keysmith: after start / after 1,000 requests / after ")
        .append(String.format(Locale.ROOT, "%,d", keysmithRequests))
        .append(" | ")
        .append(fmt(keysmithRssStart))
        .append(" / ")
        .append(fmt(keysmithRss1000))
        .append(" / ")
        .append(fmt(keysmithRssEnd))
        .append(" MiB |\n| resident memory, baseline: after start / after 1,000 requests | ")
        .append(fmt(baselineRssStart))
        .append(" / ")
        .append(fmt(baselineRss1000))
        .append(" MiB |\n");

    md.append(approvalsTable());
    md.append(bursts());
    md.append("\n**Targets**\n\n").append(targets());
    return md.toString();
  }

  /**
   * Only the concurrent approvals ({@code bench/run.sh replicas}), one replica on SQLite beside two
   * on PostgreSQL: their table and targets.
   */
  String replicasMarkdown() {
    StringBuilder t = new StringBuilder("### Results of `bench/run.sh replicas`\n\n");
    t.append("Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores (")
        .append(cpuModel())
        .append("), Java ")
        .append(System.getProperty("java.version"))
        .append(". Whole run: ")
        .append(String.format(Locale.ROOT, "%.0f s", runSeconds))
        .append(".\n")
        .append(approvalsTable())
        .append("\n**Targets**\n\n| target | result | met |\n| --- | --- | --- |\n")
        .append(approvalsTargets());
    return t.toString();
  }

  /**
   * The concurrent approvals: one row for one replica on SQLite, one for two replicas sharing a
   * PostgreSQL database, whichever ran.
   */
  private String approvalsTable() {
    List<Bench.Approvals> all = new ArrayList<>();
    if (approvals != null) {
      all.add(approvals);
    }
    if (replicatedApprovals != null) {
      all.add(replicatedApprovals);
    }
    if (all.isEmpty()) {
      return "";
    }
    StringBuilder md =
        new StringBuilder("\n**Concurrent approvals of distinct requests** (64 clients")
            .append(
                replicatedApprovals == null
                    ? ""
                    : "; over two replicas, submissions and clicks alternate between them as a"
                        + " round-robin load balancer would send them, each replica in its own JVM"
                        + " with a pool of "
                        + KeysmithConfig.DatabaseServer.DEFAULT_POOL_SIZE
                        + " connections to the one PostgreSQL database, on the same cores")
            .append(")\n\n")
            .append("| bots | requests | clicks (with duplicates) | clicks per replica")
            .append(" | `iam.CreateUser` audited exactly once | owner offered exactly once")
            .append(" | IAM users | duplicate clicks refused | all provisioned after")
            .append(" | ack p50 / p95 / p99 / max, ms |\n")
            .append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Bench.Approvals a : all) {
      List<String> perReplica = new ArrayList<>();
      a.clicksPerReplica.forEach(c -> perReplica.add(Long.toString(c)));
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %s | %d | %d | %d | %d of %d | %.1f s | %s |\n",
              a.setup,
              a.requests,
              a.clicks,
              String.join(" / ", perReplica),
              a.createdOnce,
              a.offersOnce,
              a.iamUsers,
              a.refused,
              a.clicks - a.requests,
              a.seconds,
              four(a.acks)));
    }
    md.append("\n**CPU during the approvals**, s, from the first click until every owner had the")
        .append(" offer, from `/proc`: each process's own time, and the whole machine's busy time")
        .append(" (all cores, interrupts and time the hypervisor took included); \"other\" is the")
        .append(" time the machine's tasks (user and system) used outside the processes named:")
        .append(" anything else running on it.\n\n")
        .append("| bots | wall time | Keysmith | PostgreSQL | moto | load generator and fake")
        .append(" Slack | other | machine busy (of ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" × wall time) |\n")
        .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Bench.Approvals a : all) {
      Map<String, Double> c = a.cpuSeconds;
      double named =
          c.get(Bench.KEYSMITH_CPU)
              + c.get(Bench.POSTGRES_CPU)
              + c.get(Bench.MOTO_CPU)
              + c.get(Bench.LOAD_GENERATOR_CPU);
      double machine = c.get(Bench.MACHINE);
      double tasks = c.get(Bench.MACHINE_TASKS);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f (%.0f %%) |\n",
              a.setup,
              a.seconds,
              c.get(Bench.KEYSMITH_CPU),
              c.get(Bench.POSTGRES_CPU),
              c.get(Bench.MOTO_CPU),
              c.get(Bench.LOAD_GENERATOR_CPU),
              Math.max(0, tasks - named),
              machine,
              100 * machine / (Runtime.getRuntime().availableProcessors() * a.seconds)));
    }
    return md.toString();
  }

  /** The targets of the concurrent approvals: each request provisioned exactly once. */
  private String approvalsTargets() {
    StringBuilder t = new StringBuilder();
    for (Bench.Approvals a : new Bench.Approvals[] {approvals, replicatedApprovals}) {
      if (a == null) {
        continue;
      }
      boolean once =
          a.createdOnce == a.requests
              && a.offersOnce == a.requests
              && a.iamUsers == a.requests
              && a.refused == a.clicks - a.requests;
      t.append(
          target(
              a.requests + " concurrent approvals, each provisioned exactly once (" + a.setup + ")",
              a.createdOnce
                  + " of "
                  + a.requests
                  + " once; "
                  + a.refused
                  + " of "
                  + (a.clicks - a.requests)
                  + " duplicates refused",
              once));
    }
    return t.toString();
  }

  /** Only the bursts ({@code bench/run.sh bursts}): their tables and targets. */
  String burstsMarkdown() {
    StringBuilder t = new StringBuilder("### Results of `bench/run.sh bursts`\n\n");
    t.append("Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores (")
        .append(cpuModel())
        .append("), Java ")
        .append(System.getProperty("java.version"))
        .append(". Whole run: ")
        .append(String.format(Locale.ROOT, "%.0f s", runSeconds))
        .append(".\n")
        .append(bursts())
        .append("\n**Targets**\n\n| target | result | met |\n| --- | --- | --- |\n")
        .append(burstTargets());
    return t.toString();
  }

  /** The burst at Slack's rate limits and the burst with IAM throttling. */
  private String bursts() {
    StringBuilder t = new StringBuilder();
    if (limitedBurst != null) {
      Bench.LimitedBurst b = limitedBurst;
      t.append("\n**At Slack's rate limits**, ")
          .append(scaleWords(b.rateScale))
          .append(" (the fake Slack answers HTTP 429 with `Retry-After`, whole seconds, to a call")
          .append(" past its method's limit; the refused call has no effect): `chat.update` ")
          .append(b.editsPerMinute)
          .append(" per rolling 60 s for the workspace, `chat.postMessage` ")
          .append(b.postsPerSecond)
          .append(" per rolling 1 s per channel (no burst beyond it), `views.open` and")
          .append(" `views.update` ")
          .append(b.editsPerMinute * 2)
          .append(" per rolling 60 s each. ")
          .append(b.requests)
          .append(" requests from as many people (each naming a different owner) at 64 clients,")
          .append(" their approvals messages posted to one channel under the limits; then ")
          .append(b.requests)
          .append(" approvals at once. Minimum: the last of N calls limited to L per window W")
          .append(" goes at least (⌈N / L⌉ − 1) × W after the first; each request needs at")
          .append(" least one post and, after its approval, one edit of its approvals message")
          .append(" (coalescing cannot need fewer), while the offers go to distinct channels and")
          .append(" are not limited by each other.\n\n")
          .append("| phase | messages | time to the last | minimum the limits allow | ratio")
          .append(" | 429s answered |\n")
          .append("| --- | ---: | ---: | ---: | ---: | ---: |\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "| %d approvals posts, from the first submission | %d posts | %.1f s | %.0f s"
                      + " (⌈%d / %d⌉ − 1) × 1 s | %s | %d |\n",
                  b.requests,
                  b.requests,
                  b.postsSeconds,
                  b.postsMinimum,
                  b.requests,
                  b.postsPerSecond,
                  ratioTo(b.postsSeconds, b.postsMinimum),
                  b.posts429))
          .append(
              String.format(
                  Locale.ROOT,
                  "| %d approvals, from the first click: every approvals message final and every"
                      + " owner offered | %d edits (%d of a state not final) and %d offers | %.1f s"
                      + " (last edit %.1f s, last offer %.1f s) | %.0f s (⌈%d / %d⌉ − 1) × 60 s"
                      + " | %s | %d |\n",
                  b.requests,
                  b.edits,
                  b.editsNotFinal,
                  b.requests,
                  b.lastMessageSeconds,
                  b.lastEditSeconds,
                  b.lastOfferSeconds,
                  b.minimumSeconds,
                  b.requests,
                  b.editsPerMinute,
                  ratioTo(b.lastMessageSeconds, b.minimumSeconds),
                  b.edits429))
          .append(
              String.format(
                  Locale.ROOT,
                  "\nThe edits Slack took, %d, need at least (⌈%d / %d⌉ − 1) × 60 s = %.0f s: the"
                      + " courier took %s of that; %d edits were of a state not final (sent while"
                      + " their request was still provisioning), which would push the final ones"
                      + " into later windows.\n",
                  b.edits,
                  b.edits,
                  b.editsPerMinute,
                  editsMinimum(b),
                  ratioTo(b.lastMessageSeconds, editsMinimum(b)),
                  b.editsNotFinal))
          .append(
              String.format(
                  Locale.ROOT,
                  "\nThe limits count from the first click, but an edit of a request's final state"
                      + " can go no sooner than the request is provisioned (its offer's time), and"
                      + " provisioning 1,000 users takes a while: given when each was provisioned,"
                      + " the last final edit can go no sooner than %.1f s after the first click"
                      + " (each edit as early as the rolling window allows). The courier's %.1f s"
                      + " is %s of that.\n",
                  b.readyMinimumSeconds,
                  b.lastMessageSeconds,
                  ratioTo(b.lastMessageSeconds, b.readyMinimumSeconds)))
          .append("\n| nothing lost | result |\n| --- | --- |\n")
          .append(
              String.format(
                  Locale.ROOT,
                  """
                  | exactly one approvals message per request | %d of %d |
                  | its last state provisioned | %d of %d |
                  | owner offered exactly once | %d of %d |
                  | the bot's `outbox` rows by state at the end | %s |
                  """,
                  b.postedOnce,
                  b.requests,
                  b.finalState,
                  b.requests,
                  b.offeredOnce,
                  b.requests,
                  b.outbox));
    }
    if (throttledBurst != null) {
      Bench.ThrottledBurst b = throttledBurst;
      t.append("\n**IAM throttling**: ")
          .append(b.requests)
          .append(" approvals at once (64 clients, no Slack limits) while the bot's IAM HTTP")
          .append(" client answers ")
          .append(String.format(Locale.ROOT, "%.0f %%", b.share * 100))
          .append(" of call attempts, each retry drawn again, as IAM answers a throttled call")
          .append(" (HTTP 400, `<Code>Throttling</Code>`) without reaching moto\n\n")
          .append("| requests | attempts throttled / sent to moto | requests by state")
          .append(" | owner offered exactly once | settled after | `outbox` rows by state |\n")
          .append("| ---: | ---: | --- | ---: | ---: | --- |\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "| %d | %d / %d | %s | %d | %s | %s |\n",
                  b.requests,
                  b.attemptsThrottled,
                  b.attemptsPassed,
                  b.states,
                  b.offeredOnce,
                  b.allSettled
                      ? String.format(Locale.ROOT, "%.1f s", b.seconds)
                      : "not all, after " + String.format(Locale.ROOT, "%.0f s", b.seconds),
                  b.outbox));
    }
    return t.toString();
  }

  /** The least time the edits actually sent need at the limit. */
  private static double editsMinimum(Bench.LimitedBurst b) {
    return ((b.edits + b.editsPerMinute - 1) / b.editsPerMinute - 1) * 60.0;
  }

  private static String scaleWords(double scale) {
    return scale == 1
        ? "Slack's published limits"
        : String.format(Locale.ROOT, "Slack's published limits × %s", fmtScale(scale))
            + " (each count multiplied, each window kept)";
  }

  private static String fmtScale(double scale) {
    return scale == Math.rint(scale)
        ? Long.toString((long) scale)
        : String.format(Locale.ROOT, "%s", scale);
  }

  private static String ratioTo(double measured, double minimum) {
    return minimum > 0 ? String.format(Locale.ROOT, "%.2f×", measured / minimum) : "–";
  }

  private String burstTargets() {
    StringBuilder t = new StringBuilder();
    if (limitedBurst != null) {
      Bench.LimitedBurst b = limitedBurst;
      t.append(
          target(
              "at Slack's rate limits (× "
                  + fmtScale(b.rateScale)
                  + "): time to the last message ≤ 1.2 × the minimum",
              String.format(
                  Locale.ROOT,
                  "%.1f s against %.0f s: %s",
                  b.lastMessageSeconds,
                  b.minimumSeconds,
                  ratioTo(b.lastMessageSeconds, b.minimumSeconds)),
              b.lastMessageSeconds <= 1.2 * b.minimumSeconds));
      boolean nothingLost =
          b.postedOnce == b.requests
              && b.finalState == b.requests
              && b.offeredOnce == b.requests
              && !b.outbox.containsKey("PENDING")
              && !b.outbox.containsKey("UNDELIVERABLE");
      t.append(
          target(
              "at Slack's rate limits: 0 messages lost",
              b.postedOnce
                  + " posted once, "
                  + b.finalState
                  + " final, "
                  + b.offeredOnce
                  + " offered once of "
                  + b.requests
                  + "; outbox "
                  + b.outbox,
              nothingLost));
    }
    if (throttledBurst != null) {
      Bench.ThrottledBurst b = throttledBurst;
      int provisioned = b.states.getOrDefault("PROVISIONED", 0);
      t.append(
          target(
              "IAM throttling: every request provisioned and offered, 0 failed",
              provisioned
                  + " provisioned, "
                  + b.offeredOnce
                  + " offered once, "
                  + b.states.getOrDefault("FAILED", 0)
                  + " failed of "
                  + b.requests,
              provisioned == b.requests && b.offeredOnce == b.requests));
    }
    return t.toString();
  }

  /** Where each row's CPU went, per request, to explain the ratios above. */
  private String cpuTable() {
    StringBuilder t =
        new StringBuilder(
            "\n**CPU per request, ms**, from a row's first request until the bot's work for it"
                + " is done (its outcomes seen, no worker task left), from `/proc`. Bot threads:"
                + " request threads (the HTTP server's and the pool Bolt runs on) handle a Slack"
                + " request up to its ack, workers do what follows it; \"rest\" is the JVM and the"
                + " libraries (GC, JIT). The load generator shares its JVM with the fake Slack Web API,"
                + " which stands in for Slack's servers.\n\n");
    t.append("| request | clients | baseline: request threads / rest | Keysmith: request threads")
        .append(" / workers / rest | load generator and fake Slack: baseline / Keysmith")
        .append(" | moto (IAM) |\n")
        .append("| --- | ---: | --- | --- | --- | ---: |\n");
    for (Bench.Kind kind : Bench.Kind.values()) {
      for (int c : Bench.CONCURRENCY) {
        Row r = row(kind, c);
        if (r.baselineCpu == null || r.keysmithCpu == null) {
          continue;
        }
        CpuMeter.Snapshot b = r.baselineCpu;
        CpuMeter.Snapshot k = r.keysmithCpu;
        t.append("| ")
            .append(kind.label)
            .append(" | ")
            .append(c)
            .append(" | ")
            .append(ms(b.ack()))
            .append(" / ")
            .append(ms(b.otherBotThreads()))
            .append(" | ")
            .append(ms(k.ack()))
            .append(" / ")
            .append(ms(k.afterAck()))
            .append(" / ")
            .append(ms(k.otherBotThreads()))
            .append(" | ")
            .append(ms(b.loadGenerator()))
            .append(" / ")
            .append(ms(k.loadGenerator()))
            .append(" | ")
            .append(ms(k.moto()))
            .append(" |\n");
      }
    }
    return t.toString();
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private String targets() {
    double worstRatio = 0;
    String worstRatioRow = "";
    double worstP99At64 = 0;
    double worstDelayedP99 = 0;
    double worstDelayedMax = 0;
    for (Bench.Kind kind : Bench.Kind.values()) {
      for (int c : Bench.CONCURRENCY) {
        Row r = row(kind, c);
        double ratio = r.keysmith.p99() / r.baseline.p99();
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worstRatioRow = kind.label + " at " + c;
        }
        if (c == 64) {
          worstP99At64 = Math.max(worstP99At64, r.keysmith.p99());
        }
        worstDelayedP99 = Math.max(worstDelayedP99, r.delayed.p99());
        worstDelayedMax = Math.max(worstDelayedMax, r.delayed.max());
      }
    }
    double jarMax = jarStartMs.isEmpty() ? Double.NaN : Collections.max(jarStartMs);
    StringBuilder t = new StringBuilder("| target | result | met |\n| --- | --- | --- |\n");
    t.append(
        target(
            "ack p99 ≤ 1.2 × baseline at every concurrency",
            String.format(Locale.ROOT, "worst %.2f× (%s)", worstRatio, worstRatioRow),
            worstRatio <= 1.2));
    t.append(
        target(
            "ack p99 < 100 ms at 64 clients",
            "worst " + fmt(worstP99At64) + " ms",
            worstP99At64 < 100));
    t.append(
        target(
            "ack unaffected by 2 s IAM and Slack delays (no ack waits for either)",
            "worst p99 " + fmt(worstDelayedP99) + " ms, worst max " + fmt(worstDelayedMax) + " ms",
            worstDelayedMax < 1000));
    t.append(
        target("start-up under 3 s", "`java -jar` worst " + fmt(jarMax) + " ms", jarMax < 3000));
    t.append(approvalsTargets());
    t.append(burstTargets());
    return t.toString();
  }

  private static String target(String what, String result, boolean met) {
    return "| " + what + " | " + result + " | " + (met ? "yes" : "**no**") + " |\n";
  }

  private static String after(String what, Stats s, double iamShare) {
    return "| "
        + what
        + " | "
        + s.n()
        + " | "
        + fmt(s.p50())
        + " | "
        + fmt(s.p99())
        + " | "
        + (Double.isNaN(iamShare) ? "–" : String.format(Locale.ROOT, "%.0f %%", iamShare * 100))
        + " |\n";
  }

  private static String four(Stats s) {
    if (s.n() == 0) {
      return "–";
    }
    return fmt(s.p50()) + " / " + fmt(s.p95()) + " / " + fmt(s.p99()) + " / " + fmt(s.max());
  }

  private static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.2f×", a / b);
  }

  private static String spread(List<Double> values, String unit) {
    if (values.isEmpty()) {
      return "–";
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return "min "
        + fmt(sorted.get(0))
        + ", median "
        + fmt(sorted.get(sorted.size() / 2))
        + ", max "
        + fmt(sorted.get(sorted.size() - 1))
        + " "
        + unit;
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
