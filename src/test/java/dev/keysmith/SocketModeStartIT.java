package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keysmith.store.Database;
import dev.keysmith.testing.FakeSocketMode;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What a Socket Mode start says: that it is connected to Slack only when the websocket opened, and
 * a warning when Slack handed out a URL that could not be connected to (Bolt only logs and
 * retries).
 */
class SocketModeStartIT {
  @TempDir Path dataDir;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger keysmithLog = (Logger) LoggerFactory.getLogger(Keysmith.class);

  private @Nullable Level levelBefore;

  @BeforeEach
  void listen() {
    levelBefore = keysmithLog.getLevel();
    keysmithLog.setLevel(Level.INFO); // tests log at WARN
    logs.start();
    keysmithLog.addAppender(logs);
  }

  @AfterEach
  void stopListening() {
    keysmithLog.detachAppender(logs);
    keysmithLog.setLevel(levelBefore);
  }

  @Test
  void connected_saysSo_thenAWebsocketThatCannotOpen_isAWarningNotAGoodStart() throws Exception {
    try (KeysmithFixture k =
        new KeysmithFixture(
            dataDir,
            TestDatabase.of(Database.Dialect.POSTGRESQL, dataDir),
            /* socketMode= */ true)) {
      assertTrue(
          logged(Level.INFO, "Keysmith started in Socket Mode: connected to Slack"),
          logs.list.toString());

      // Slack keeps handing out the URL of a websocket server that is gone.
      k.keysmith.close();
      FakeSocketMode gone = Objects.requireNonNull(k.socket);
      gone.close();
      logs.list.clear();
      k.start();

      assertTrue(
          logged(
              Level.WARN,
              "Keysmith started in Socket Mode, but its connection to Slack is not open yet"),
          logs.list.toString());
      assertTrue(
          logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("connected to Slack")),
          logs.list.toString());
    }
  }

  private boolean logged(Level level, String start) {
    return logs.list.stream()
        .anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().startsWith(start));
  }
}
