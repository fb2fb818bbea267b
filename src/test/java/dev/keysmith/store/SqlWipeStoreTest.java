package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.delivery.WipeStore.Wipe;
import dev.keysmith.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Database.Dialect.class)
class SqlWipeStoreTest {
  @Parameter Database.Dialect dialect;
  private TestDatabase testDb;

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  @TempDir Path dataDir;
  private Database db;
  private SqlWipeStore wipes;

  @BeforeEach
  void open() {
    testDb = TestDatabase.of(dialect, dataDir);
    db = testDb.open();
    wipes = new SqlWipeStore(db);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void due_beforeItsTime_isEmpty() {
    wipes.schedule(new Wipe("KS-AAAAAA", "U0OWNER", "https://hooks.slack.com/a", T0));
    assertEquals(List.of(), wipes.due(T0.minusMillis(1)));
  }

  @Test
  void due_severalScheduled_soonestFirst() {
    Wipe a = new Wipe("KS-AAAAAA", "U0A", "https://hooks.slack.com/a", T0.plusSeconds(30));
    Wipe b = new Wipe("RT-BBBBBB", "U0B", "https://hooks.slack.com/b", T0.plusSeconds(10));
    Wipe c = new Wipe("KS-CCCCCC", "U0C", "https://hooks.slack.com/c", T0.plusSeconds(31));
    wipes.schedule(a);
    wipes.schedule(b);
    wipes.schedule(c);
    assertEquals(List.of(b, a), wipes.due(T0.plusSeconds(30)));
  }

  @Test
  void schedule_again_replacesTheEntry() {
    wipes.schedule(new Wipe("KS-AAAAAA", "U0A", "https://hooks.slack.com/old", T0));
    Wipe again = new Wipe("KS-AAAAAA", "U0A", "https://hooks.slack.com/new", T0.plusSeconds(5));
    wipes.schedule(again);
    assertEquals(Optional.of(again), wipes.find("KS-AAAAAA"));
    assertEquals(List.of(), wipes.due(T0));
  }

  @Test
  void remove_forgetsOnlyThatSubject() {
    wipes.schedule(new Wipe("KS-AAAAAA", "U0A", "https://hooks.slack.com/a", T0));
    Wipe b = new Wipe("KS-BBBBBB", "U0B", "https://hooks.slack.com/b", T0);
    wipes.schedule(b);
    wipes.remove("KS-AAAAAA");
    wipes.remove("KS-NOPE00");
    assertEquals(List.of(b), wipes.due(T0));
    assertTrue(wipes.find("KS-AAAAAA").isEmpty());
  }

  @Test
  void reopen_keepsScheduledWipes() {
    Wipe a = new Wipe("KS-AAAAAA", "U0A", "https://hooks.slack.com/a", T0);
    wipes.schedule(a);
    db.close();
    db = testDb.open();
    assertEquals(List.of(a), new SqlWipeStore(db).due(T0));
  }
}
