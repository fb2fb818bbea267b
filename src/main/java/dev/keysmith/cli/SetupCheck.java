package dev.keysmith.cli;

import com.slack.api.Slack;
import dev.keysmith.config.ConfigException;
import dev.keysmith.config.ConfigLoader;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.store.Database;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
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
      new SlackCheck(probes.slack().apply(settings)).run(settings, report);
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
      group(
          group,
          "IAM group " + group,
          "create it, or remove it from groups in " + configPath,
          report);
    }
    for (String group : config.protectedGroups()) {
      // A protected group that does not exist protects nobody: a typo must not pass quietly.
      group(
          group,
          "protected IAM group " + group,
          "protectedGroups protects nobody through it; correct the name in " + configPath,
          report);
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

  private void group(String group, String what, String toDo, Report report) {
    try {
      probes.iam().get().getGroup(r -> r.groupName(group).maxItems(1));
      report.ok(what, "exists");
    } catch (NoSuchEntityException e) {
      report.fail(what, "IAM has no group named " + group + ": " + toDo);
    } catch (SdkException e) {
      report.fail(what, AwsFailures.describe(e, "iam:GetGroup"));
    }
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
}
