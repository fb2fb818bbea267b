package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.slack.api.Slack;
import dev.keysmith.config.Settings;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeysmithTest {
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
