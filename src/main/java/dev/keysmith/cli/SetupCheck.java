package dev.keysmith.cli;

import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.keysmith.config.ConfigException;
import dev.keysmith.config.ConfigLoader;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.store.Database;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code keysmith check}: tries a setup before it goes live, and prints one line per check, {@code
 * ok} or {@code FAIL} with what to do. Nothing it prints holds a secret; a token shows its prefix.
 */
public final class SetupCheck {
  /** The exit code when every check passed. */
  public static final int PASSED = 0;

  /** The exit code when a check failed. */
  public static final int FAILED = 1;

  // What Slack answers for a token it will not take; anything else is not the token's fault.
  private static final Set<String> TOKEN_REFUSED =
      Set.of(
          "invalid_auth",
          "not_authed",
          "account_inactive",
          "token_revoked",
          "token_expired",
          "not_allowed_token_type");

  private static final String DEFAULT_SLACK_API = "https://slack.com/api/";

  /**
   * What the check talks to: the bot's own Slack client for its settings, AWS clients, and how it
   * opens its database; the caller owns the AWS clients and closes them.
   */
  public record Probes(
      Function<Settings, Slack> slack,
      Supplier<StsClient> sts,
      Supplier<IamClient> iam,
      BiFunction<Settings, KeysmithConfig, Database> database) {
    public Probes {
      Objects.requireNonNull(slack, "slack");
      Objects.requireNonNull(sts, "sts");
      Objects.requireNonNull(iam, "iam");
      Objects.requireNonNull(database, "database");
    }
  }

  private final Probes probes;

  /** A check through {@code probes}. */
  public SetupCheck(Probes probes) {
    this.probes = Objects.requireNonNull(probes, "probes");
  }

  /** Runs every check against {@code env}, printing to {@code out}; {@link #PASSED} or not. */
  public int run(Map<String, String> env, PrintStream out) {
    Report report = new Report(out);
    @Nullable Settings settings = environment(env, report);
    @Nullable Path configPath = configPath(env, report);
    @Nullable KeysmithConfig config = configPath == null ? null : configFile(configPath, report);
    if (settings != null) {
      slack(settings, report);
    } else {
      report.skip("Slack", "fix the environment first");
    }
    boolean aws = awsIdentity(report);
    if (config == null || configPath == null) {
      report.skip("IAM groups and permissions boundary", "fix the config file first");
    } else if (!aws) {
      report.skip("IAM groups and permissions boundary", "fix the AWS identity first");
    } else {
      iam(config, configPath, report);
    }
    if (settings != null && config != null) {
      database(settings, config, report);
    } else {
      report.skip("database", "fix the environment and the config file first");
    }
    return report.finish();
  }

  private static @Nullable Settings environment(Map<String, String> env, Report report) {
    try {
      Settings settings = Settings.fromEnv(env);
      report.ok(
          "environment",
          "SLACK_BOT_TOKEN xoxb-..., "
              + (settings.socketMode()
                  ? "Socket Mode (SLACK_APP_TOKEN xapp-...)"
                  : "HTTP mode on port " + settings.port() + " (SLACK_SIGNING_SECRET set)")
              + ", Slack at "
              + settings.slackApiUrl().orElse(DEFAULT_SLACK_API));
      return settings;
    } catch (ConfigException e) {
      report.fail("environment", e.getMessage());
      return null;
    }
  }

  private static @Nullable Path configPath(Map<String, String> env, Report report) {
    try {
      return Settings.configPath(env);
    } catch (ConfigException e) {
      report.fail("config file", e.getMessage());
      return null;
    }
  }

  private static @Nullable KeysmithConfig configFile(Path path, Report report) {
    try {
      KeysmithConfig config = ConfigLoader.load(path);
      report.ok(
          "config file " + path,
          config.groups().size()
              + " groups, approvals channel "
              + config.approvalsChannel()
              + ", IAM path "
              + config.iamPath());
      return config;
    } catch (ConfigException e) {
      report.fail("config file " + path, e.getMessage());
      return null;
    }
  }

  private void slack(Settings settings, Report report) {
    Slack slack = probes.slack().apply(settings);
    try {
      String host = host(slack.getConfig().getMethodsEndpointUrlPrefix());
      String bot = "Slack bot token (SLACK_BOT_TOKEN xoxb-...)";
      boolean reached;
      try {
        AuthTestResponse answer = slack.methods(settings.botToken()).authTest(r -> r);
        reached = true;
        if (answer.isOk()) {
          report.ok(
              bot,
              "bot "
                  + answer.getUser()
                  + " ("
                  + answer.getUserId()
                  + ") in workspace "
                  + answer.getTeam()
                  + " ("
                  + answer.getTeamId()
                  + ")");
        } else {
          report.fail(
              bot,
              refusal(
                  "SLACK_BOT_TOKEN",
                  "OAuth & Permissions, Bot User OAuth Token",
                  answer.getError()));
        }
      } catch (IOException e) {
        reached = false;
        report.fail(bot, unreachable(host, e));
      } catch (SlackApiException e) {
        reached = true;
        report.fail(bot, httpError(host, e));
      }
      Optional<String> appToken = settings.appToken();
      if (appToken.isEmpty()) {
        return;
      }
      String app = "Slack app token (SLACK_APP_TOKEN xapp-...)";
      if (!reached) {
        report.skip(app, "Slack cannot be reached");
        return;
      }
      try {
        // Slack hands out a websocket URL for a new Socket Mode connection; left unused, it lapses.
        SlackApiTextResponse answer = slack.methods(appToken.get()).appsConnectionsOpen(r -> r);
        if (answer.isOk()) {
          report.ok(app, "Slack opens Socket Mode connections for it");
        } else {
          report.fail(
              app,
              refusal(
                  "SLACK_APP_TOKEN",
                  "Basic Information, App-Level Tokens, with connections:write",
                  answer.getError()));
        }
      } catch (IOException e) {
        report.fail(app, unreachable(host, e));
      } catch (SlackApiException e) {
        report.fail(app, httpError(host, e));
      }
    } finally {
      try {
        slack.close();
      } catch (Exception e) {
        // Only the client's thread pools: the check's outcome stands.
      }
    }
  }

  private static String refusal(String variable, String where, @Nullable String error) {
    if (error != null && TOKEN_REFUSED.contains(error)) {
      return "Slack refused the token in "
          + variable
          + " ("
          + error
          + "): copy it again from the app's settings ("
          + where
          + ")";
    }
    return "Slack answered " + error + "; see Slack's documentation of that error";
  }

  private static String unreachable(String host, IOException e) {
    String why;
    if (e instanceof UnknownHostException) {
      why = "unknown host";
    } else if (e instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof InterruptedIOException) {
      why = "no answer in time";
    } else {
      why = String.valueOf(e.getMessage());
    }
    return "cannot reach Slack at "
        + host
        + " ("
        + why
        + "): check the network, the proxy, or SLACK_API_URL";
  }

  private static String httpError(String host, SlackApiException e) {
    return "Slack at "
        + host
        + " answered HTTP "
        + e.getResponse().code()
        + "; if SLACK_API_URL is set, check it, else try again later";
  }

  private static String host(String methodsUrl) {
    try {
      URI uri = URI.create(methodsUrl);
      String host = uri.getHost();
      return host == null ? methodsUrl : uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return methodsUrl;
    }
  }

  private boolean awsIdentity(Report report) {
    try {
      GetCallerIdentityResponse identity = probes.sts().get().getCallerIdentity();
      report.ok("AWS identity", "account " + identity.account() + ", " + identity.arn());
      return true;
    } catch (SdkException e) {
      report.fail("AWS identity", AwsFailures.describe(e, "sts:GetCallerIdentity"));
      return false;
    }
  }

  private void iam(KeysmithConfig config, Path configPath, Report report) {
    for (String group : config.groups()) {
      String what = "IAM group " + group;
      try {
        probes.iam().get().getGroup(r -> r.groupName(group).maxItems(1));
        report.ok(what, "exists");
      } catch (NoSuchEntityException e) {
        report.fail(
            what,
            "IAM has no group named "
                + group
                + ": create it, or remove it from groups in "
                + configPath);
      } catch (SdkException e) {
        report.fail(what, AwsFailures.describe(e, "iam:GetGroup"));
      }
    }
    config
        .permissionsBoundaryArn()
        .ifPresent(
            arn -> {
              String what = "permissions boundary " + arn;
              try {
                probes.iam().get().getPolicy(r -> r.policyArn(arn));
                report.ok(what, "exists");
              } catch (NoSuchEntityException e) {
                report.fail(
                    what,
                    "IAM has no policy "
                        + arn
                        + ": create it, or correct permissionsBoundaryArn in "
                        + configPath);
              } catch (SdkException e) {
                report.fail(what, AwsFailures.describe(e, "iam:GetPolicy"));
              }
            });
  }

  private void database(Settings settings, KeysmithConfig config, Report report) {
    String what =
        config
            .database()
            .map(server -> "database PostgreSQL " + server.url())
            .orElseGet(() -> "database SQLite in " + config.dataDir());
    try {
      // Opening migrates the schema, as the bot's start does; nothing else is written.
      probes.database().apply(settings, config).close();
      report.ok(what, "opens, schema up to date");
    } catch (RuntimeException e) {
      report.fail(what, String.valueOf(e.getMessage()));
    }
  }

  /** The lines printed so far and how many failed. */
  private static final class Report {
    private final PrintStream out;
    private int passed;
    private int failed;
    private int skipped;

    Report(PrintStream out) {
      this.out = out;
    }

    void ok(String what, String detail) {
      passed++;
      out.println("ok    " + what + ": " + detail);
    }

    void fail(String what, String whatToDo) {
      failed++;
      out.println("FAIL  " + what + ": " + whatToDo);
    }

    void skip(String what, String why) {
      skipped++;
      out.println("skip  " + what + ": " + why);
    }

    int finish() {
      if (failed == 0 && skipped == 0) {
        out.println("All " + passed + " checks passed.");
        return PASSED;
      }
      out.println(
          failed
              + " of "
              + (passed + failed + skipped)
              + " checks failed"
              + (skipped == 0 ? "" : ", " + skipped + " skipped")
              + ".");
      return FAILED;
    }
  }
}
