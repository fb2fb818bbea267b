package dev.keysmith.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogsTest {
  private final Logger root =
      ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);

  @AfterEach
  void backToStandardOutput() {
    for (ConsoleAppender<ILoggingEvent> console : consoles()) {
      console.stop();
      console.setTarget("System.out");
      console.start();
    }
  }

  @Test
  void toStandardError_movesEveryConsoleAppender_andTheyStillLog() {
    List<ConsoleAppender<ILoggingEvent>> consoles = consoles();
    assertFalse(consoles.isEmpty(), "the test logging has a console appender");

    Logs.toStandardError();

    for (ConsoleAppender<ILoggingEvent> console : consoles) {
      assertEquals("System.err", console.getTarget());
      assertTrue(console.isStarted());
    }
  }

  private List<ConsoleAppender<ILoggingEvent>> consoles() {
    List<ConsoleAppender<ILoggingEvent>> consoles = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        consoles.add(console);
      }
    }
    return consoles;
  }
}
