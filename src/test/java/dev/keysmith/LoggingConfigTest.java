package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

/** The production logging configuration, read into a context of its own. */
class LoggingConfigTest {

  @Test
  void boltsRequestParser_whichLogsUnknownBodiesRaw_logsErrorsOnly() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));

    assertEquals(
        Level.ERROR,
        context.getLogger("com.slack.api.bolt.util.SlackRequestParser").getEffectiveLevel());
    assertEquals(Level.INFO, context.getLogger("com.slack.api.bolt.App").getEffectiveLevel());
    context.stop();
  }
}
