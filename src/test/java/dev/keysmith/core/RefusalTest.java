package dev.keysmith.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.Refusal.Reason;
import org.junit.jupiter.api.Test;

class RefusalTest {

  @Test
  void new_withTheWrongNumberOfValues_failsAtOnce() {
    assertThrows(IllegalArgumentException.class, () -> new Refusal(Reason.KEY_GONE, "AKIA1"));
  }

  @Test
  void arg_unknownParameter_failsLoudly() {
    Refusal r = new Refusal(Reason.KEY_GONE, "AKIA1", "alice");

    assertThrows(IllegalArgumentException.class, () -> r.arg("rotationId"));
  }

  @Test
  void message_namesTheReasonAndItsValuesForTheLog() {
    Refusal r = new Refusal(Reason.KEY_GONE, "AKIA1", "alice");

    assertEquals("KEY_GONE accessKeyId=AKIA1 iamUser=alice", r.getMessage());
    assertEquals("alice", r.arg("iamUser"));
  }

  @Test
  void keysmithException_messageIsNeverNull() {
    assertEquals(
        "KeysmithException", new KeysmithException(null, new IllegalStateException()).getMessage());
    assertEquals("it broke", new KeysmithException("it broke").getMessage());
  }
}
