package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.logs.LogLayout;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The production logging configuration, read into a context of its own. */
class LoggingConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stop() {
    context.stop();
  }

  @Test
  void boltsRequestParser_whichLogsUnknownBodiesRaw_logsErrorsOnly() throws Exception {
    configure(null);

    assertEquals(
        Level.ERROR,
        context.getLogger("com.slack.api.bolt.util.SlackRequestParser").getEffectiveLevel());
    assertEquals(Level.INFO, context.getLogger("com.slack.api.bolt.App").getEffectiveLevel());
  }

  @Test
  void byDefault_aLineIsPlainText() throws Exception {
    configure(null);

    String line = line(event("dev.keysmith.Keysmith", "Keysmith started in Socket Mode", null));

    assertTrue(
        Pattern.matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[main\\]"
                + " dev\\.keysmith\\.Keysmith - Keysmith started in Socket Mode\\R",
            line),
        line);
  }

  @Test
  void json_everyLineIsOneObject_andUserTextCannotForgeASecondLine() throws Exception {
    configure("json");

    String line =
        line(
            event(
                "dev.keysmith.slack.IamCommand", "unknown subcommand \"x\"\n{\"forged\":1}", null));

    assertEquals(1, line.lines().count(), line);
    JsonNode node = JSON.readTree(line);
    assertEquals("INFO", node.get("level").asText());
    assertEquals("dev.keysmith.slack.IamCommand", node.get("logger").asText());
    assertEquals("main", node.get("thread").asText());
    assertEquals("unknown subcommand \"x\"\n{\"forged\":1}", node.get("message").asText());
    assertEquals("1970-01-01T00:00:01.234Z", node.get("time").asText());
  }

  @Test
  void json_anAuditLineIsAnObjectOfItsOwn_notAQuotedString() throws Exception {
    configure("json");

    String line =
        line(
            event(
                "keysmith.audit",
                "{\"at\":\"2026-12-04T17:00:00Z\",\"actor\":\"U1\",\"action\":\"request.submitted\"}",
                null));

    JsonNode node = JSON.readTree(line);
    assertEquals("request.submitted", node.get("audit").get("action").asText());
    assertFalse(node.has("message"));
  }

  @Test
  void json_anAuditLoggerLineThatIsNotOneObject_isQuoted() throws Exception {
    configure("json");

    String line = line(event("keysmith.audit", "{\"a\":1} {\"b\":2}", null));

    JsonNode node = JSON.readTree(line);
    assertEquals("{\"a\":1} {\"b\":2}", node.get("message").asText());
    assertFalse(node.has("audit"));
  }

  @Test
  void json_anExceptionGoesWithItsStack() throws Exception {
    configure("json");

    String line =
        line(
            event(
                "dev.keysmith.Keysmith",
                "housekeeping failed",
                new IllegalStateException("database is locked")));

    JsonNode node = JSON.readTree(line);
    assertEquals("java.lang.IllegalStateException: database is locked", node.get("error").asText());
    assertTrue(node.get("stack").asText().contains("LoggingConfigTest"), line);
    assertEquals(1, line.lines().count());
  }

  @Test
  void anUnknownFormat_logsPlainText_andSaysWhy() throws Exception {
    configure("xml");

    String line = line(event("dev.keysmith.Keysmith", "hello", null));

    assertTrue(line.endsWith("dev.keysmith.Keysmith - hello" + System.lineSeparator()), line);
    assertTrue(
        context.getStatusManager().getCopyOfStatusList().stream()
            .anyMatch(
                s ->
                    s.getLevel() == Status.ERROR
                        && s.getMessage()
                            .contains("KEYSMITH_LOG_FORMAT is neither plain nor json")));
  }

  private void configure(@Nullable String format) throws Exception {
    if (format != null) {
      context.putProperty("KEYSMITH_LOG_FORMAT", format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
  }

  private ILoggingEvent event(String logger, String message, @Nullable Throwable error) {
    Logger log = context.getLogger(logger);
    LoggingEvent event =
        new LoggingEvent(Logger.class.getName(), log, Level.INFO, message, error, null);
    event.setThreadName("main");
    event.setTimeStamp(1234);
    return event;
  }

  private String line(ILoggingEvent event) {
    ConsoleAppender<ILoggingEvent> stdout =
        (ConsoleAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    Encoder<ILoggingEvent> encoder = stdout.getEncoder();
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void theLayoutSaysItsFormat() throws Exception {
    configure("JSON");
    ConsoleAppender<ILoggingEvent> stdout =
        (ConsoleAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    var encoder =
        (ch.qos.logback.core.encoder.LayoutWrappingEncoder<ILoggingEvent>) stdout.getEncoder();
    assertEquals(LogLayout.Format.JSON, ((LogLayout) encoder.getLayout()).format());
  }
}
