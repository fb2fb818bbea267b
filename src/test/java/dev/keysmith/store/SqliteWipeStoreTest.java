package dev.keysmith.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.delivery.WipeStore.Wipe;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWipeStoreTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  @TempDir Path dataDir;
  private Database db;
  private SqliteWipeStore wipes;

  @BeforeEach
  void open() {
    db = Database.open(dataDir);
    wipes = new SqliteWipeStore(db);
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
    db = Database.open(dataDir);
    assertEquals(List.of(a), new SqliteWipeStore(db).due(T0));
  }

  @Test
  void migration3_carriesAVersion2WipeOverWithItsOwner() throws Exception {
    db.close();
    Path old = dataDir.resolve("v2");
    java.nio.file.Files.createDirectories(old);
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("keysmith.db"));
        Statement st = c.createStatement()) {
      for (SqliteMigrations.Migration m : SqliteMigrations.upTo(2)) {
        for (String sql : m.statements()) {
          st.execute(sql);
        }
      }
      st.execute(
          "INSERT INTO requests (id, state, iam_user_name, iam_user_name_lower, group_name,"
              + " access_type, owner_id, requester_id, justification, created_at, updated_at)"
              + " VALUES ('KS-AAAAAA', 'REVEALED', 'alice', 'alice', 'devs', 'BOTH', 'U0OWNER',"
              + " 'U0REQ', 'x', 0, 0)");
      st.execute(
          "INSERT INTO wipes (request_id, response_url, due_at) VALUES ('KS-AAAAAA', 'u', 5)");
      st.execute("PRAGMA user_version = 2");
    }
    db = Database.open(old);
    assertEquals(
        List.of(new Wipe("KS-AAAAAA", "U0OWNER", "u", Instant.ofEpochMilli(5))),
        new SqliteWipeStore(db).due(Instant.ofEpochMilli(5)));
  }
}
