package dev.keysmith.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.KeysmithException;
import dev.keysmith.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecoveryTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final Recovery recovery = new Recovery(clock);

  @Test
  void runAtStart_aStepThatCannotReachIam_doesNotStopTheStartOrTheStepsAfterIt() {
    List<String> ran = new ArrayList<>();
    AtomicInteger outage = new AtomicInteger(2); // IAM answers from the third attempt

    recovery.runAtStart(
        List.of(
            new Recovery.Step("first", () -> ran.add("first")),
            new Recovery.Step(
                "undo a reveal",
                () -> {
                  if (outage.getAndDecrement() > 0) {
                    throw new KeysmithException("IAM did not answer");
                  }
                  ran.add("undo a reveal");
                }),
            new Recovery.Step("last", () -> ran.add("last"))));

    assertEquals(List.of("first", "last"), ran);
    assertEquals(List.of("undo a reveal"), recovery.waitingFor());

    recovery.retryDue(); // not due yet
    assertEquals(List.of("first", "last"), ran);

    clock.advance(Recovery.FIRST_BACKOFF);
    recovery.retryDue(); // fails again; waits twice as long
    assertEquals(List.of("undo a reveal"), recovery.waitingFor());
    clock.advance(Recovery.FIRST_BACKOFF);
    recovery.retryDue();
    assertEquals(List.of("first", "last"), ran, "10 s are not yet due after the second failure");

    clock.advance(Recovery.FIRST_BACKOFF);
    recovery.retryDue();
    assertEquals(List.of("first", "last", "undo a reveal"), ran);
    assertEquals(List.of(), recovery.waitingFor());

    clock.advance(Duration.ofHours(1));
    recovery.retryDue();
    assertEquals(3, ran.size(), "a finished step never runs again");
  }

  @Test
  void runAtStart_aBugIsNotAnOutage_andStopsTheStart() {
    assertThrows(
        IllegalStateException.class,
        () ->
            recovery.runAtStart(
                List.of(
                    new Recovery.Step(
                        "broken",
                        () -> {
                          throw new IllegalStateException("bug");
                        }))));
  }

  @Test
  void backoff_doublesFromFiveSecondsUpToFiveMinutes() {
    assertEquals(Duration.ofSeconds(5), Recovery.backoff(1));
    assertEquals(Duration.ofSeconds(10), Recovery.backoff(2));
    assertEquals(Duration.ofSeconds(160), Recovery.backoff(6));
    assertEquals(Duration.ofMinutes(5), Recovery.backoff(7));
    assertEquals(Duration.ofMinutes(5), Recovery.backoff(50));
  }
}
