package dev.keysmith.logs;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Keysmith's log line, plain or JSON as {@code format} says ({@code KEYSMITH_LOG_FORMAT}, read by
 * {@code logback.xml}).
 *
 * <p>Plain: {@code 2026-12-04T17:20:00.000Z INFO [main] dev.keysmith.Keysmith - message}. JSON: one
 * object per line, {@code {"time", "level", "logger", "thread", "message"}}, plus {@code "error"}
 * (the exception's class and message) and {@code "stack"} when the event carries one. The audit
 * logger's lines ({@code keysmith.audit}) are JSON already: their object is {@code "audit"} rather
 * than a quoted string, so a log pipeline indexes its fields. Jackson escapes every value, so text
 * from a Slack payload cannot forge a line of its own.
 *
 * <p>An unknown format falls back to plain with a status error: the settings check refuses it at
 * start with a message naming the variable, and logging must never go silent before that.
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {

  /** What {@code KEYSMITH_LOG_FORMAT} may say. */
  public enum Format {
    PLAIN,
    JSON;

    /** The format named {@code value} (either case), or null when it names none. */
    public static @Nullable Format named(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "plain", "" -> PLAIN;
        case "json" -> JSON;
        default -> null;
      };
    }
  }

  static final String PLAIN_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level [%thread] %logger{36} - %msg%n";
  private static final String AUDIT_LOGGER = "keysmith.audit";
  private static final JsonFactory JSON = new JsonFactory();

  private String formatName = "plain";
  private Format format = Format.PLAIN;
  private final PatternLayout plain = new PatternLayout();

  /** Set from {@code logback.xml}: {@code plain} (default) or {@code json}. */
  public void setFormat(String formatName) {
    this.formatName = formatName;
  }

  /** The format in use once started. */
  public Format format() {
    return format;
  }

  @Override
  public void start() {
    Format named = Format.named(formatName);
    if (named == null) {
      addError("KEYSMITH_LOG_FORMAT is neither plain nor json: logging plain text");
      named = Format.PLAIN;
    }
    format = named;
    plain.setContext(getContext());
    plain.setPattern(PLAIN_PATTERN);
    plain.start();
    super.start();
  }

  @Override
  public void stop() {
    plain.stop();
    super.stop();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return format == Format.JSON ? json(event) : plain.doLayout(event);
  }

  private static String json(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      String message = event.getFormattedMessage();
      if (AUDIT_LOGGER.equals(event.getLoggerName()) && isJsonObject(message)) {
        g.writeFieldName("audit");
        g.writeRawValue(message);
      } else {
        g.writeStringField("message", message);
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        g.writeStringField("error", error.getClassName() + ": " + error.getMessage());
        g.writeStringField("stack", ThrowableProxyUtil.asString(error));
      }
      g.writeEndObject();
    } catch (IOException e) {
      // A StringWriter does not fail; should Jackson, the line still says what was logged.
      return "{\"level\":\"ERROR\",\"message\":\"a log line could not be written as JSON\"}"
          + CoreConstants.LINE_SEPARATOR;
    }
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  /**
   * Whether {@code text} is exactly one JSON object, so that it can be written into the line as it
   * is. The audit trail writes its lines with Jackson; anything else on that logger is quoted.
   */
  private static boolean isJsonObject(@Nullable String text) {
    if (text == null || !text.startsWith("{")) {
      return false;
    }
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
