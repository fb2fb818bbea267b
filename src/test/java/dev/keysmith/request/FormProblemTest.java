package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.request.FormProblem.Reason;
import org.junit.jupiter.api.Test;

class FormProblemTest {

  @Test
  void of_withTheWrongNumberOfValues_failsAtOnce() {
    assertThrows(
        IllegalArgumentException.class, () -> FormProblem.of(Reason.JUSTIFICATION_TOO_LONG, "1"));
    assertThrows(IllegalArgumentException.class, () -> FormProblem.of(Reason.GROUP_MISSING, "x"));
  }

  @Test
  void arg_unknownParameter_failsLoudly() {
    FormProblem p = FormProblem.of(Reason.USER_NAME_CLAIMED, "KS-ABC123");

    assertThrows(IllegalArgumentException.class, () -> p.arg("length"));
  }

  @Test
  void arg_namesTheValuesInTheReasonsOrder() {
    FormProblem p = FormProblem.of(Reason.JUSTIFICATION_TOO_LONG, "1000", "1001");

    assertEquals("1000", p.arg("limit"));
    assertEquals("1001", p.arg("length"));
  }
}
