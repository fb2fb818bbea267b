package dev.keysmith.cli;

import dev.keysmith.config.ConfigException;
import dev.keysmith.config.ConfigLoader;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.store.Database;
import dev.keysmith.store.SqlAuditChain;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code keysmith audit verify} (checks the audit chain and says where it breaks) and {@code
 * keysmith audit export} (the events since a time, as JSON lines or CSV, for a SIEM). Both open the
 * database as the bot's start does and read it row by row.
 */
public final class AuditCommand {
  /** The exit code of an intact chain or a finished export. */
  public static final int OK = 0;

  /** The exit code of a broken chain, or of a database that cannot be read. */
  public static final int FAILED = 1;

  /** The exit code of arguments or settings that cannot be used. */
  public static final int MISTAKE = 2;

  private static final Pattern AGO = Pattern.compile("(\\d{1,6})([dhm])");
  private static final int HASH_SHOWN = 12;

  private final BiFunction<Settings, KeysmithConfig, Database> database;
  private final Clock clock;

  /**
   * A command that opens its database with {@code database}; {@code --since 30d} counts back from
   * {@code clock}.
   */
  public AuditCommand(BiFunction<Settings, KeysmithConfig, Database> database, Clock clock) {
    this.database = Objects.requireNonNull(database, "database");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What {@code keysmith audit export} was asked for. */
  enum Format {
    JSONL,
    CSV
  }

  /** {@code keysmith audit export}'s arguments. */
  record Export(Instant since, Format format, @Nullable Path output) {}

  /** Runs {@code keysmith audit} with the arguments after {@code audit}; the exit code. */
  public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    @Nullable Export export;
    try {
      export = parse(args);
    } catch (CommandLine.Mistake e) {
      err.println("keysmith: " + e.getMessage() + "; try --help");
      return MISTAKE;
    }
    Settings settings;
    KeysmithConfig config;
    try {
      settings = Settings.fromEnv(env);
      config = ConfigLoader.load(settings.configPath());
    } catch (ConfigException e) {
      err.println("keysmith: " + e.getMessage());
      return MISTAKE;
    }
    try (Database db = database.apply(settings, config)) {
      SqlAuditChain chain = new SqlAuditChain(db);
      return export == null ? verify(chain, out) : export(chain, export, out, err);
    } catch (RuntimeException e) {
      err.println("keysmith: cannot read the audit trail: " + e.getMessage());
      return FAILED;
    }
  }

  /** The export asked for, or null for {@code verify}. */
  @Nullable Export parse(List<String> args) {
    if (args.isEmpty()) {
      throw new CommandLine.Mistake("audit needs a subcommand: verify or export");
    }
    String sub = args.get(0);
    if (sub.equals("verify")) {
      if (args.size() > 1) {
        throw new CommandLine.Mistake(
            "unexpected argument " + CommandLine.shown(args.get(1)) + " after audit verify");
      }
      return null;
    }
    if (!sub.equals("export")) {
      throw new CommandLine.Mistake(
          "unknown audit subcommand " + CommandLine.shown(sub) + ": verify or export");
    }
    Instant since = Instant.EPOCH;
    Format format = Format.JSONL;
    @Nullable Path output = null;
    for (int i = 1; i < args.size(); i++) {
      String option = args.get(i);
      String value;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new CommandLine.Mistake(CommandLine.shown(option) + " needs a value");
      }
      switch (option) {
        case "--since" -> since = since(value);
        case "--format" -> format = format(value);
        case "--output" -> output = Path.of(value);
        default ->
            throw new CommandLine.Mistake(
                "unknown option "
                    + CommandLine.shown(option)
                    + " of audit export: --since, --format or --output");
      }
    }
    return new Export(since, format, output);
  }

  /** {@code 30d}, {@code 12h}, {@code 90m} before now; a date (UTC midnight); or an instant. */
  Instant since(String value) {
    Matcher ago = AGO.matcher(value);
    if (ago.matches()) {
      long n = Long.parseLong(ago.group(1));
      Duration back =
          switch (ago.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
          };
      return clock.instant().minus(back);
    }
    try {
      return value.contains("T")
          ? Instant.parse(value)
          : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new CommandLine.Mistake(
          "--since takes a time back from now (30d, 12h, 90m), a date (2026-11-01, from midnight"
              + " UTC) or an instant (2026-11-01T09:00:00Z), not "
              + CommandLine.shown(value));
    }
  }

  private static Format format(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "jsonl" -> Format.JSONL;
      case "csv" -> Format.CSV;
      default ->
          throw new CommandLine.Mistake(
              "--format is jsonl or csv, not " + CommandLine.shown(value));
    };
  }

  private static int verify(SqlAuditChain chain, PrintStream out) {
    SqlAuditChain.Verdict verdict = chain.verify();
    SqlAuditChain.Break broken = verdict.broken();
    if (broken != null) {
      SqlAuditChain.Row row = broken.row();
      out.println(
          "audit chain BROKEN at event "
              + row.id()
              + " ("
              + row.at()
              + ", "
              + row.action()
              + "): "
              + broken.reason()
              + "; "
              + (verdict.events() - 1)
              + " events before it fit the chain");
      return FAILED;
    }
    SqlAuditChain.Row first = verdict.first();
    SqlAuditChain.Row last = verdict.last();
    if (first == null || last == null) {
      out.println("audit chain intact: no events yet");
      return OK;
    }
    SqlAuditChain.Row head = verdict.head();
    String hash = head == null ? null : head.hash();
    if (head == null || hash == null) {
      out.println(
          "audit chain not begun: "
              + verdict.events()
              + " events from before the chain, from "
              + first.at()
              + " to "
              + last.at()
              + "; the next event covers them");
      return OK;
    }
    List<String> notes = new ArrayList<>();
    if (verdict.unchained() > 0) {
      notes.add("the first " + verdict.unchained() + " from before the chain, covered by it");
    }
    if (verdict.between() > 0) {
      notes.add(
          verdict.between()
              + " written without a hash by an older Keysmith, covered by the events after them");
    }
    if (verdict.uncovered() > 0) {
      notes.add(
          "the newest "
              + verdict.uncovered()
              + " written without a hash after the head, not covered until the next event");
    }
    out.println(
        "audit chain intact: "
            + verdict.events()
            + " events, from "
            + first.at()
            + " to "
            + last.at()
            + ", head "
            + head.id()
            + " "
            + hash.substring(0, HASH_SHOWN)
            + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
    return OK;
  }

  private static int export(SqlAuditChain chain, Export export, PrintStream out, PrintStream err) {
    Path file = export.output();
    try {
      Writer writer =
          file == null
              ? new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))
              : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      long count;
      try {
        AuditExport lines = new AuditExport(writer, export.format() == Format.CSV);
        lines.header();
        count = chain.since(export.since(), lines::row);
      } finally {
        // Standard output stays open for whoever prints after.
        if (file == null) {
          writer.flush();
        } else {
          writer.close();
        }
      }
      if (file != null) {
        out.println("audit export: " + count + " events since " + export.since() + " to " + file);
      }
      return OK;
    } catch (IOException | UncheckedIOException e) {
      err.println("keysmith: cannot write the export: " + e.getMessage());
      return FAILED;
    }
  }
}
