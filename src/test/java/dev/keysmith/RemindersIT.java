package dev.keysmith;

import static dev.keysmith.KeysmithFixture.OWNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKey;

/** The daily look at old and unused keys, driven by the test's clock. */
class RemindersIT {
  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void youngUsedKey_getsNoReminder() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    k.useKey(key);
    day(30);
    assertTrue(reminders("days old").isEmpty());
    assertTrue(reminders("has not been used").isEmpty());
  }

  @Test
  void unusedKey_getsOneNudgePerPeriod_withADeactivateButton() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    day(44);
    assertTrue(reminders("has not been used").isEmpty());
    day(2); // moto dated the key by the wall clock, an hour after the test clock's start
    List<String> nudges = reminders("has not been used");
    assertEquals(1, nudges.size(), nudges.toString());
    assertTrue(nudges.get(0).contains(key.accessKeyId()));
    assertTrue(nudges.get(0).contains("keysmith_deactivate_key"));
    for (int i = 0; i < 10; i++) {
      day(1);
    }
    assertEquals(1, reminders("has not been used").size(), "not one a day");
    day(45);
    assertEquals(2, reminders("has not been used").size(), "again after another period");
  }

  @Test
  void keyOlderThan90Days_getsOneRotateReminder_andTheButtonOpensTheRotation() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    k.useKey(key);
    day(89);
    assertTrue(reminders("days old").isEmpty());
    assertEquals(0.0, keysPastMaxAge());
    day(2); // moto dated the key by the wall clock, an hour after the test clock's start
    List<String> old = reminders("days old");
    assertEquals(1, old.size(), old.toString());
    assertTrue(old.get(0).contains("keysmith_rotate_prompt"), old.get(0));
    day(1);
    day(1);
    assertEquals(1, reminders("days old").size());
    assertEquals(1.0, keysPastMaxAge(), "reminded once, still counted at each daily scan");

    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate_prompt", "alice", url);
    assertTrue(
        k.slack.responseUrlPosts().stream()
            .anyMatch(p -> p.url().equals(url) && p.raw().contains("Rotate now")));
  }

  @Test
  void inactiveKey_getsNoReminder() throws Exception {
    AccessKey key = k.ownedUserWithKey("alice", OWNER);
    k.iam.updateAccessKey(
        u -> u.userName("alice").accessKeyId(key.accessKeyId()).status("Inactive"));
    day(100);
    assertTrue(reminders("days old").isEmpty());
    assertTrue(reminders("has not been used").isEmpty());
  }

  @Test
  void restart_keepsTheReminderLog_soNothingIsSentTwice() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    day(46);
    assertEquals(1, reminders("has not been used").size());
    k.restart();
    day(1);
    assertEquals(1, reminders("has not been used").size());
  }

  /** Moves the clock a number of days and lets the daily job run. */
  private void day(int days) {
    k.clock.advance(Duration.ofDays(days));
    k.keysmith.housekeeping();
  }

  /** The gauge {@code GET /metrics} shows from the last daily scan. */
  private double keysPastMaxAge() throws Exception {
    return MetricsIT.value(k.get("/metrics", null).body(), "keysmith_keys_past_max_age");
  }

  private List<String> reminders(String text) {
    return k.dms(OWNER).stream().filter(d -> d.contains(text)).toList();
  }
}
