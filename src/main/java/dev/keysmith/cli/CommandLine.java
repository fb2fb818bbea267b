package dev.keysmith.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** What Keysmith's arguments ask for, its help text and its version. */
public final class CommandLine {
  private CommandLine() {}

  /** What a run of Keysmith does. */
  public enum Command {
    /** Runs the bot (no arguments). */
    RUN,
    /** Prints the help. */
    HELP,
    /** Prints the version. */
    VERSION,
    /** Checks the setup and exits. */
    CHECK,
    /** Verifies or exports the audit trail ({@link AuditCommand} reads what follows). */
    AUDIT
  }

  /** Arguments Keysmith does not understand; the message says which, in one line. */
  public static final class Mistake extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Mistake(String message) {
      super(message);
    }
  }

  /** The command {@code args} ask for, or a {@link Mistake}; {@code --help} wins anywhere. */
  public static Command parse(List<String> args) {
    if (args.stream().anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      return Command.HELP;
    }
    if (args.isEmpty()) {
      return Command.RUN;
    }
    String first = args.get(0);
    Command command =
        switch (first) {
          case "--version", "-V" -> Command.VERSION;
          case "help" -> Command.HELP;
          case "check" -> Command.CHECK;
          case "audit" -> Command.AUDIT;
          default ->
              throw new Mistake(
                  (first.startsWith("-") ? "unknown option " : "unknown command ") + shown(first));
        };
    if (args.size() > 1 && command != Command.AUDIT) {
      throw new Mistake("unexpected argument " + shown(args.get(1)) + " after " + first);
    }
    return command;
  }

  /** The help text, ending in a newline. */
  public static String usage() {
    return """
        Keysmith: a Slack bot that creates AWS IAM users once an approver approves them in Slack.

        Usage:
          java -jar keysmith.jar              run the bot, configured by the environment below
          java -jar keysmith.jar check        check the setup (environment, config file, Slack,
                                              AWS, database), one line per check, and exit:
                                              0 when all pass, 1 when one fails
          java -jar keysmith.jar audit verify
                                              check the audit trail's hash chain: exit 0 when
                                              intact, 1 with the first event where it breaks
          java -jar keysmith.jar audit export [--since 30d|12h|2026-11-01|<instant>]
                                 [--format jsonl|csv] [--output FILE]
                                              write the audit events since then (default: all),
                                              one per line, to FILE or standard output
          java -jar keysmith.jar --help       print this help
          java -jar keysmith.jar --version    print the version

        Environment:
          SLACK_BOT_TOKEN          required: the Bot User OAuth Token, xoxb-...
          SLACK_APP_TOKEN          an app-level token, xapp-...; when set, Keysmith runs in
                                   Socket Mode
          SLACK_SIGNING_SECRET     required in HTTP mode (when SLACK_APP_TOKEN is not set)
          PORT                     HTTP mode's port, default 3000
          SLACK_API_URL            the Slack Web API base, default https://slack.com/api/
          KEYSMITH_CONFIG          the config file, default ./keysmith.yml
          KEYSMITH_DATABASE_USER, KEYSMITH_DATABASE_PASSWORD
                                   the PostgreSQL login, when the config file sets database.url
          KEYSMITH_START_FRESH     true for one start after the database was lost (default false)
          KEYSMITH_LOG_LEVEL       the root log level, default INFO
          AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, ...
                                   the AWS SDK's own: credentials come from the environment,
                                   a profile, or an instance or container role

        The config file (approvers, approvals channel, groups, IAM path, permissions boundary,
        database, ...) is read from KEYSMITH_CONFIG, or else from keysmith.yml in the working
        directory; keysmith.example.yml explains each key.
        """;
  }

  /**
   * The version line: {@code implementationVersion} comes from the jar's manifest, and is null when
   * Keysmith runs from classes rather than from its jar.
   */
  public static String version(@Nullable String implementationVersion) {
    return "keysmith "
        + (implementationVersion == null
            ? "(version unknown: not run from keysmith.jar)"
            : implementationVersion);
  }

  // An argument could be a token pasted in the wrong place: never echo more than its prefix.
  static String shown(String argument) {
    for (String prefix : List.of("xoxb-", "xoxp-", "xapp-", "xoxe-", "xoxa-")) {
      if (argument.startsWith(prefix)) {
        return "'" + prefix + "...'";
      }
    }
    return "'" + argument + "'";
  }
}
