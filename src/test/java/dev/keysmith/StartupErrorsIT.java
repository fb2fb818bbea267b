package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.MotoServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keysmith started as people start it, with one thing wrong: the start stops with one line that
 * names what to fix, and the exit code says whether a setting is wrong (2) or something could not
 * be reached (1).
 */
class StartupErrorsIT {
  private static final String YML =
      """
      approvers:
        users: [U0APPROVER]
      approvalsChannel: C0APPROVALS
      groups: [developers]
      dataDir: ./data
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final MotoServer moto = MotoServer.get();
  private final FakeSlackApi slack = FakeSlackApi.start();

  @BeforeEach
  void setUp() {
    moto.reset();
  }

  @AfterEach
  void tearDown() {
    slack.close();
  }

  @Test
  void slackRefusesTheBotToken_stopsNamingTheVariable_exit2() throws Exception {
    slack.failNext("auth.test", "invalid_auth");

    ChildKeysmith.Exit exit = run(Map.of(), List.of());

    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "Keysmith cannot start: Slack refused the token in SLACK_BOT_TOKEN (invalid_auth):"
                    + " copy it again from the app's settings (OAuth & Permissions, Bot User OAuth"
                    + " Token)"),
        exit.output());
    assertFalse(exit.output().contains("token is invalid"), exit.output());
  }

  @Test
  void slackCannotBeReached_saysSoRatherThanBlamingTheToken_exit1() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }

    ChildKeysmith.Exit exit =
        run(Map.of("SLACK_API_URL", "http://127.0.0.1:" + closedPort + "/api/"), List.of());

    assertEquals(1, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "Keysmith cannot start: cannot reach Slack at 127.0.0.1:"
                    + closedPort
                    + " (connection refused): check the network, the proxy, or SLACK_API_URL"),
        exit.output());
    assertFalse(exit.output().contains("token is invalid"), exit.output());
  }

  @Test
  void noAwsCredentialsAnywhere_stopsTheStartInPlainWords_exit2() throws Exception {
    Path nowhere = dir.resolve("no-such-aws-file");

    ChildKeysmith.Exit exit =
        run(
            Map.of(
                "AWS_SHARED_CREDENTIALS_FILE", nowhere.toString(),
                "AWS_CONFIG_FILE", nowhere.toString(),
                "AWS_EC2_METADATA_DISABLED", "true"),
            List.of(
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_PROFILE",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI"));

    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "Keysmith cannot start: no AWS credentials found. The AWS SDK looks in the"
                    + " environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"),
        exit.output());
    assertFalse(exit.output().contains("providers in the chain"), exit.output());
  }

  @Test
  void aGoodStart_withJsonLogs_logsOnlyJsonLines_andSaysWhichSlackItReached() throws Exception {
    moto.iamClient().createGroup(g -> g.groupName("developers"));
    try (ChildKeysmith child =
        ChildKeysmith.start(
            dir, slack.methodsUrl(), moto.endpoint(), YML, Map.of("KEYSMITH_LOG_FORMAT", "json"))) {
      List<String> lines = child.log().lines().toList();
      assertFalse(lines.isEmpty());
      for (String line : lines) {
        JsonNode node = JSON.readTree(line);
        assertTrue(node.has("time") && node.has("level") && node.has("logger"), line);
      }
      assertTrue(
          lines.stream()
              .anyMatch(
                  l ->
                      l.contains(
                          "\"message\":\"Slack: bot keysmith ("
                              + FakeSlackApi.BOT_USER_ID
                              + ") in workspace Keysmith Test ("
                              + FakeSlackApi.TEAM_ID
                              + ")\"")),
          child.log());
      assertTrue(Files.exists(dir.resolve("data/keysmith.db")));
    }
  }

  private ChildKeysmith.Exit run(Map<String, String> env, List<String> unset) throws Exception {
    moto.iamClient().createGroup(g -> g.groupName("developers"));
    return ChildKeysmith.runToExit(dir, slack.methodsUrl(), moto.endpoint(), YML, env, unset);
  }
}
