package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keysmith.Keysmith;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/** A setup in a temporary directory for {@code keysmith check}: its environment and config file. */
final class TrialSetup {
  static final String BOT_TOKEN = "xoxb-1-check-botsecret";
  static final String APP_TOKEN = "xapp-1-A0001-1-check-appsecret";
  static final String SIGNING_SECRET = "check-signing-secret";

  final Path configFile;
  final Path dataDir;
  final Map<String, String> env = new HashMap<>();
  List<String> groups = List.of("developers", "readonly");
  String boundaryArn = "";
  String moreYaml = "";

  TrialSetup(Path dir, String slackMethodsUrl) {
    configFile = dir.resolve("keysmith.yml");
    dataDir = dir.resolve("data");
    env.put("SLACK_BOT_TOKEN", BOT_TOKEN);
    env.put("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    env.put("SLACK_API_URL", slackMethodsUrl);
    env.put("KEYSMITH_CONFIG", configFile.toString());
  }

  /** Runs the check as {@code keysmith check} would, with AWS through the clients given. */
  Result check(Supplier<StsClient> sts, Supplier<IamClient> iam) throws IOException {
    Files.writeString(
        configFile,
        "approvers:\n"
            + "  users: [U0APPROVER1]\n"
            + "approvalsChannel: C0APPROVALS\n"
            + "groups: ["
            + String.join(", ", groups)
            + "]\n"
            + "iam:\n"
            + "  path: /keysmith/\n"
            + (boundaryArn.isEmpty() ? "" : "  permissionsBoundaryArn: " + boundaryArn + "\n")
            + "dataDir: "
            + dataDir
            + "\n"
            + moreYaml);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exitCode =
        new SetupCheck(Keysmith.checkProbes(sts, iam))
            .run(Map.copyOf(env), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    Result result = new Result(exitCode, bytes.toString(StandardCharsets.UTF_8));
    for (String secret : List.of(BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, "botsecret", "appsecret")) {
      assertFalse(result.output().contains(secret), result.output());
    }
    return result;
  }

  /** What a check printed, and its exit code. */
  record Result(int exitCode, String output) {
    List<String> lines() {
      return output.lines().toList();
    }

    /** The one line that starts with {@code start}, or a failure showing all of them. */
    String line(String start) {
      List<String> found = lines().stream().filter(l -> l.startsWith(start)).toList();
      if (found.size() != 1) {
        throw new AssertionError("expected one line starting with '" + start + "':\n" + output);
      }
      return found.get(0);
    }
  }
}
