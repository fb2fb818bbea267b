package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.slack.api.Slack;
import dev.keysmith.cli.CommandLine;
import dev.keysmith.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class KeysmithTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private OptionalInt command(String... args) {
    // No environment at all: help, version and a mistake must not need one.
    return Keysmith.command(
        List.of(args),
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void command_unknownOption_isOneLineOnStderrAndExitCode2() {
    assertEquals(OptionalInt.of(2), command("--frobnicate"));
    assertEquals(
        "keysmith: unknown option '--frobnicate'; try --help\n",
        err.toString(StandardCharsets.UTF_8));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void command_help_printsUsageWithoutReadingTheEnvironment() {
    assertEquals(OptionalInt.of(0), command("--help"));
    assertEquals(CommandLine.usage(), out.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void command_version_printsOneLineAndExitCode0() {
    assertEquals(OptionalInt.of(0), command("--version"));
    // Run from classes, not from the jar: the manifest's version is not there.
    assertEquals(
        CommandLine.version(Keysmith.class.getPackage().getImplementationVersion()) + "\n",
        out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("keysmith "));
  }

  @Test
  void slackConfig_dropsTheSdkListenersThatLogRequestBodies() {
    Settings settings =
        new Settings(
            "xoxb-1",
            Optional.of("secret"),
            Optional.empty(),
            Optional.of("http://127.0.0.1:1/api/"),
            Path.of("keysmith.yml"),
            3000);
    var config = Keysmith.slackConfig(settings);
    assertTrue(config.getHttpClientResponseHandlers().isEmpty());
    assertEquals("http://127.0.0.1:1/api/", config.getMethodsEndpointUrlPrefix());
  }

  @Test
  void appConfig_neverCallsSlackOnARequestsWayIn() throws Exception {
    Settings settings =
        new Settings(
            "xoxb-1",
            Optional.of("secret"),
            Optional.empty(),
            Optional.of("http://127.0.0.1:1/api/"),
            Path.of("keysmith.yml"),
            3000);
    // Not try-with-resources: Slack.close() declares InterruptedException, which javac warns of.
    Slack slack = Slack.getInstance(Keysmith.slackConfig(settings));
    try {
      var config = Keysmith.appConfig(settings, slack);
      assertTrue(config.getAuthTestCacheExpirationMillis() < 0, "auth.test is cached for good");
      assertEquals("secret", config.getSigningSecret());
      assertEquals("xoxb-1", config.getSingleTeamBotToken());
    } finally {
      slack.close();
    }
  }

  @Test
  void productionLogging_keepsHttpWireLogsOffEvenWhenTheRootIsDebug() throws Exception {
    LoggerContext context = new LoggerContext();
    context.putProperty("KEYSMITH_LOG_LEVEL", "DEBUG");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    assertTrue(context.getLogger(Logger.ROOT_LOGGER_NAME).isDebugEnabled());
    for (String wire :
        new String[] {
          "org.apache.http.wire",
          "software.amazon.awssdk.request",
          "com.slack.api.util.http.listener.DetailedLoggingListener",
          "com.slack.api.bolt.request.RequestVerification"
        }) {
      assertFalse(context.getLogger(wire).isDebugEnabled(), wire + " must not log at DEBUG");
    }
  }
}
