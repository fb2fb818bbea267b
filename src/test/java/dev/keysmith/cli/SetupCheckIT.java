package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.FakeSocketMode;
import dev.keysmith.testing.MotoServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/** {@code keysmith check} against moto and the fake Slack Web API, good setups and bad. */
class SetupCheckIT {
  private static final String BOUNDARY = "arn:aws:iam::123456789012:policy/KeysmithUserBoundary";
  private static final String POLICY_DOCUMENT =
      """
      {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
      """;

  @TempDir Path dir;

  private final MotoServer moto = MotoServer.get();
  private final IamClient iam = moto.iamClient();
  private final StsClient sts = moto.stsClient();
  private final FakeSlackApi slack = FakeSlackApi.start();
  private final FakeSocketMode socket = FakeSocketMode.start();
  private TrialSetup setup;

  @BeforeEach
  void goodSetup() {
    moto.reset();
    iam.createGroup(g -> g.groupName("developers"));
    iam.createGroup(g -> g.groupName("readonly"));
    iam.createPolicy(p -> p.policyName("KeysmithUserBoundary").policyDocument(POLICY_DOCUMENT));
    slack.attach(socket);
    setup = new TrialSetup(dir, slack.methodsUrl());
    setup.env.put("SLACK_APP_TOKEN", TrialSetup.APP_TOKEN);
    setup.boundaryArn = BOUNDARY;
  }

  @AfterEach
  void close() {
    socket.close();
    slack.close();
  }

  private TrialSetup.Result check() throws Exception {
    return setup.check(() -> sts, () -> iam);
  }

  @Test
  void check_slackUnreachable_saysItCannotReachTheHost() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    setup.env.put("SLACK_API_URL", "http://127.0.0.1:" + closedPort + "/api/");

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  Slack bot token (SLACK_BOT_TOKEN xoxb-...): cannot reach Slack at 127.0.0.1:"
            + closedPort
            + " (connection refused): check the network, the proxy, or SLACK_API_URL",
        result.line("FAIL  Slack bot token"));
    result.line("skip  Slack app token (SLACK_APP_TOKEN xapp-...): Slack cannot be reached");
    assertEquals(1, failures(result));
  }

  @Test
  void check_slackRefusesTheBotToken_namesSlackBotToken() throws Exception {
    slack.failNext("auth.test", "invalid_auth");

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  Slack bot token (SLACK_BOT_TOKEN xoxb-...): Slack refused the token in"
            + " SLACK_BOT_TOKEN (invalid_auth): copy it again from the app's settings (OAuth &"
            + " Permissions, Bot User OAuth Token)",
        result.line("FAIL  Slack bot token"));
    assertEquals(TrialSetup.BOT_TOKEN, slack.calls("auth.test").get(0).token());
    assertEquals(1, failures(result));
  }

  @Test
  void check_slackRefusesTheAppToken_namesSlackAppToken() throws Exception {
    slack.failNext("apps.connections.open", "token_revoked");

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertTrue(
        result
            .line("FAIL  Slack app token (SLACK_APP_TOKEN xapp-...): Slack refused the token in")
            .contains("SLACK_APP_TOKEN (token_revoked)"),
        result.output());
    assertEquals(TrialSetup.APP_TOKEN, slack.calls("apps.connections.open").get(0).token());
    assertEquals(1, failures(result));
  }

  @Test
  void check_groupMissingInIam_namesTheGroup() throws Exception {
    setup.groups = List.of("developers", "deployers");

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  IAM group deployers: IAM has no group named deployers: create it, or remove it"
            + " from groups in "
            + setup.configFile,
        result.line("FAIL  IAM group deployers"));
    result.line("ok    IAM group developers: exists");
    assertEquals(1, failures(result));
  }

  @Test
  void check_protectedGroupMissingInIam_failsBecauseItWouldProtectNobody() throws Exception {
    setup.groups = List.of("developers");
    setup.moreYaml = "protectedGroups: [readonly, admnis]\n";

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  protected IAM group admnis: IAM has no group named admnis: protectedGroups"
            + " protects nobody through it; correct the name in "
            + setup.configFile,
        result.line("FAIL  protected IAM group admnis"));
    result.line("ok    protected IAM group readonly: exists");
    assertEquals(1, failures(result));
  }

  @Test
  void check_boundaryPolicyMissing_namesTheArn() throws Exception {
    String missing = "arn:aws:iam::123456789012:policy/NoSuchBoundary";
    setup.boundaryArn = missing;

    TrialSetup.Result result = check();

    assertEquals(SetupCheck.FAILED, result.exitCode(), result.output());
    assertEquals(
        "FAIL  permissions boundary "
            + missing
            + ": IAM has no policy "
            + missing
            + ": create it, or correct permissionsBoundaryArn in "
            + setup.configFile,
        result.line("FAIL  permissions boundary"));
    assertEquals(1, failures(result));
  }

  @Test
  void check_goodSetup_allOk_exitCode0() throws Exception {
    TrialSetup.Result result = check();

    assertEquals(
        List.of(
            "ok    environment: SLACK_BOT_TOKEN xoxb-..., Socket Mode (SLACK_APP_TOKEN xapp-...), Slack"
                + " at "
                + slack.methodsUrl(),
            "ok    config file "
                + setup.configFile
                + ": 2 groups, approvals channel C0APPROVALS, IAM path /keysmith/",
            "ok    Slack bot token (SLACK_BOT_TOKEN xoxb-...): bot keysmith (U0BOT) in workspace"
                + " Keysmith Test (T0001)",
            "ok    Slack app token (SLACK_APP_TOKEN xapp-...): Slack opens Socket Mode connections"
                + " for it",
            "ok    AWS identity: account 123456789012, arn:aws:sts::123456789012:user/moto",
            "ok    IAM group developers: exists",
            "ok    IAM group readonly: exists",
            "ok    permissions boundary " + BOUNDARY + ": exists",
            "ok    database SQLite in " + setup.dataDir + ": opens, schema up to date",
            "All 9 checks passed."),
        result.lines());
    assertEquals(SetupCheck.PASSED, result.exitCode());
    assertEquals(1, slack.accepted("auth.test").size());
    assertEquals(1, slack.accepted("apps.connections.open").size());
  }

  private static long failures(TrialSetup.Result result) {
    return result.lines().stream().filter(l -> l.startsWith("FAIL")).count();
  }
}
