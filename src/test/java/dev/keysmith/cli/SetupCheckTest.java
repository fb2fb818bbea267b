package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.iam.AwsClients;
import dev.keysmith.testing.FakeSlackApi;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/** {@code keysmith check} where AWS is not needed or has no credentials; no emulator runs. */
class SetupCheckTest {
  @TempDir Path dir;

  private final FakeSlackApi slack = FakeSlackApi.start();

  // The SDK's own chain, cut down to one provider that finds nothing: it fails as the default
  // chain does on a machine without credentials, before any request leaves.
  private final StsClient noCredentials =
      AwsClients.sts(
          URI.create("http://127.0.0.1:9"),
          AwsCredentialsProviderChain.of(SystemPropertyCredentialsProvider.create()));

  private static IamClient iamNeverAsked() {
    throw new AssertionError("IAM is not called once the AWS identity failed");
  }

  @AfterEach
  void close() {
    noCredentials.close();
    slack.close();
  }

  @Test
  void run_noAwsCredentials_saysSoInPlainWords_skipsIam_andFails() throws Exception {
    TrialSetup setup = new TrialSetup(dir, slack.methodsUrl());

    TrialSetup.Result result = setup.check(() -> noCredentials, SetupCheckTest::iamNeverAsked);

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  AWS identity: no AWS credentials found. The AWS SDK looks in the environment"
            + " (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then in a profile (AWS_PROFILE,"
            + " ~/.aws/credentials and ~/.aws/config, SSO included), then for the instance or"
            + " container role (EC2, ECS, EKS); give Keysmith one of these",
        result.line("FAIL  AWS identity"));
    assertFalse(result.output().contains("CredentialsProvider"), result.output());
    assertEquals(
        "skip  IAM groups and permissions boundary: fix the AWS identity first",
        result.line("skip  IAM"));
    // The rest was checked regardless.
    assertTrue(result.line("ok    Slack bot token").contains("U0BOT"), result.output());
    assertEquals(
        "ok    database SQLite in " + setup.dataDir + ": opens, schema up to date",
        result.line("ok    database"));
    assertEquals("1 of 6 checks failed, 1 skipped.", result.lines().get(result.lines().size() - 1));
  }

  @Test
  void run_botTokenMissing_namesTheVariable_andStillReadsTheConfigFile() throws Exception {
    TrialSetup setup = new TrialSetup(dir, slack.methodsUrl());
    setup.env.remove("SLACK_BOT_TOKEN");

    TrialSetup.Result result = setup.check(() -> noCredentials, SetupCheckTest::iamNeverAsked);

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertTrue(
        result.line("FAIL  environment: SLACK_BOT_TOKEN is not set").contains("xoxb-"),
        result.output());
    result.line("ok    config file " + setup.configFile);
    result.line("skip  Slack: fix the environment first");
    result.line("skip  database: fix the environment and the config file first");
    assertTrue(slack.allCalls().isEmpty(), "Slack is not called without a token");
    assertFalse(Files.exists(setup.dataDir), "no database is made for a setup that cannot run");
  }

  @Test
  void run_configFileMissing_saysWhereItLookedAndHowToMoveIt() throws Exception {
    TrialSetup setup = new TrialSetup(dir, slack.methodsUrl());
    setup.env.put("KEYSMITH_CONFIG", dir.resolve("elsewhere.yml").toString());

    TrialSetup.Result result = setup.check(() -> noCredentials, SetupCheckTest::iamNeverAsked);

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    String line = result.line("FAIL  config file " + dir.resolve("elsewhere.yml"));
    assertTrue(line.contains("not found"), line);
    assertTrue(line.contains("KEYSMITH_CONFIG"), line);
    result.line("ok    environment");
    result.line("skip  IAM groups and permissions boundary: fix the config file first");
  }

  @Test
  void run_postgresWithoutItsUser_namesTheVariable() throws Exception {
    TrialSetup setup = new TrialSetup(dir, slack.methodsUrl());
    setup.moreYaml = "database:\n  url: jdbc:postgresql://127.0.0.1:9/keysmith\n";

    TrialSetup.Result result = setup.check(() -> noCredentials, SetupCheckTest::iamNeverAsked);

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertTrue(
        result
            .line("FAIL  database PostgreSQL jdbc:postgresql://127.0.0.1:9/keysmith: ")
            .contains("KEYSMITH_DATABASE_USER is not set"),
        result.output());
  }
}
