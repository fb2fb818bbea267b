package dev.keysmith.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class SlackRateLimitsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final SlackRateLimits limits = SlackRateLimits.published(1, now::get);

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void chatUpdate_50InAnyRolling60s_thenRetryAfterUntilTheOldestLeaves() {
    for (int i = 0; i < 50; i++) {
      assertNull(limits.take("chat.update", "C1"), "call " + i);
      advance(100); // the 50 calls take 4.9 s
    }
    // Now 5 s after the first: it leaves the window 55 s from now.
    assertEquals(Duration.ofSeconds(55), limits.take("chat.update", "C2"));
    advance(54_500);
    // 0.5 s to go is answered with a whole second.
    assertEquals(Duration.ofSeconds(1), limits.take("chat.update", "C1"));
    advance(500);
    assertNull(limits.take("chat.update", "C1"));
    // Only the first call left; the second leaves 0.1 s later.
    assertEquals(Duration.ofSeconds(1), limits.take("chat.update", "C1"));
  }

  @Test
  void refusedCalls_doNotCountAgainstTheLimit() {
    for (int i = 0; i < 50; i++) {
      limits.take("chat.update", "C1");
    }
    for (int i = 0; i < 1_000; i++) {
      advance(10);
      limits.take("chat.update", "C1");
    }
    advance(50_000); // 60 s after the 50 allowed ones, however many were refused meanwhile
    for (int i = 0; i < 50; i++) {
      assertNull(limits.take("chat.update", "C1"), "call " + i);
    }
  }

  @Test
  void chatPostMessage_onePerSecondPerChannel_noBurst() {
    assertNull(limits.take("chat.postMessage", "C1"));
    assertNull(limits.take("chat.postMessage", "C2"));
    assertNull(limits.take("chat.postMessage", "D0OWNER"));
    assertEquals(Duration.ofSeconds(1), limits.take("chat.postMessage", "C1"));
    advance(999);
    assertEquals(Duration.ofSeconds(1), limits.take("chat.postMessage", "C1"));
    advance(1);
    assertNull(limits.take("chat.postMessage", "C1"));
  }

  @Test
  void views_100Per60sEach_andOtherMethodsUnlimited() {
    for (int i = 0; i < 100; i++) {
      assertNull(limits.take("views.open", null));
    }
    assertEquals(Duration.ofSeconds(60), limits.take("views.open", null));
    assertNull(limits.take("views.update", null), "views.update has its own limit");
    for (int i = 0; i < 1_000; i++) {
      assertNull(limits.take("chat.postEphemeral", "C1"));
    }
  }

  @Test
  void scale_multipliesCountsAndKeepsWindows() {
    SlackRateLimits tenTimes = SlackRateLimits.published(10, now::get);
    assertEquals(500, tenTimes.allowed("chat.update"));
    assertEquals(10, tenTimes.allowed("chat.postMessage"));
    assertEquals(1_000, tenTimes.allowed("views.open"));
    for (int i = 0; i < 10; i++) {
      assertNull(tenTimes.take("chat.postMessage", "C1"), "post " + i);
    }
    assertEquals(Duration.ofSeconds(1), tenTimes.take("chat.postMessage", "C1"));
    assertEquals(Duration.ofSeconds(60), SlackRateLimits.window("chat.update"));
  }
}
