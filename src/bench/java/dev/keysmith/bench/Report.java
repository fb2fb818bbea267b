package dev.keysmith.bench;

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

    if (approvals != null) {
      Bench.Approvals a = approvals;
      md.append("\n**Concurrent approvals of distinct requests** (64 clients)\n\n")
          .append("| requests | clicks (with duplicates) | `iam.CreateUser` audited exactly once")
          .append(" | owner offered exactly once | IAM users | duplicate clicks refused")
          .append(" | all provisioned after | ack p99 |\n")
          .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "| %d | %d | %d | %d | %d | %d of %d | %.1f s | %s ms |\n",
                  a.requests,
                  a.clicks,
                  a.createdOnce,
                  a.offersOnce,
                  a.iamUsers,
                  a.refused,
                  a.clicks - a.requests,
                  a.seconds,
                  fmt(a.acks.p99())));
    }
    md.append("\n**Targets**\n\n").append(targets());
    return md.toString();
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
    if (approvals != null) {
      Bench.Approvals a = approvals;
      boolean once =
          a.createdOnce == a.requests
              && a.offersOnce == a.requests
              && a.iamUsers == a.requests
              && a.refused == a.clicks - a.requests;
      t.append(
          target(
              a.requests + " concurrent approvals, each provisioned exactly once",
              a.createdOnce + " of " + a.requests + " once",
              once));
    }
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
