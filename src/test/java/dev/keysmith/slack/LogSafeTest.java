package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class LogSafeTest {
  @Test
  void value_crAndLf_cannotStartANewLine() {
    assertEquals("ok\\r\\n2026-12-03 INFO forged", LogSafe.value("ok\r\n2026-12-03 INFO forged"));
  }

  @Test
  void value_controlCharacters_areEscaped() {
    assertEquals(
        "a\\u0000b\\tc\\u001b[31md\\u007fe\\u0085",
        LogSafe.value("a\u0000b\tc\u001b[31md\u007fe\u0085"));
  }

  @Test
  void value_lineSeparatorsAndBidiOverrides_areEscaped() {
    assertEquals(
        "a\\u2028b\\u2029c\\u202ed\\u200be", LogSafe.value("a\u2028b\u2029c\u202ed\u200be"));
  }

  @Test
  void value_backslash_isEscapedSoNoEscapeCanBeForged() {
    assertEquals("\\\\n", LogSafe.value("\\n"));
  }

  @Test
  void value_long_isCutAndSaysHowMuch() {
    String safe = LogSafe.value("a".repeat(1000));

    assertEquals("a".repeat(LogSafe.MAX_CHARS) + "...(800 more chars)", safe);
  }

  @Test
  void value_surrogatePairAtTheCut_isNotSplit() {
    String value = "a".repeat(LogSafe.MAX_CHARS - 1) + "\uD83D\uDD11" + "tail";

    String safe = LogSafe.value(value);

    assertTrue(safe.startsWith("a".repeat(LogSafe.MAX_CHARS - 1) + "..."), safe);
    assertTrue(safe.endsWith("(6 more chars)"), safe);
  }

  @Test
  void value_null_isTheWordNull() {
    assertEquals("null", LogSafe.value(null));
  }

  @Test
  void value_ordinaryText_isUnchanged() {
    assertEquals(
        "application/json; charset=utf-8 café 🔑",
        LogSafe.value("application/json; charset=utf-8 café 🔑"));
  }
}
