package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void value_withLineBreaks_staysOnOneLineWithTheBreaksShown() {
    assertEquals(
        "KS-ABC123\\r\\n2026-12-01 INFO forged",
        LogSafe.value("KS-ABC123\r\n2026-12-01 INFO forged"));
  }

  @Test
  void value_withControlAndInvisibleCharacters_namesThem() {
    assertEquals(
        "a\\u0000b\\u001Bc\\u2028d\\u202Ee\\\\f", LogSafe.value("a\0b\u001bc\u2028d\u202ee\\f"));
  }

  @Test
  void value_null_saysNone() {
    assertEquals("(none)", LogSafe.value(null));
  }

  @Test
  void value_long_isCutAndItsLengthSaid() {
    String cut = LogSafe.value("x".repeat(5000));

    assertEquals("x".repeat(LogSafe.MAX_LENGTH) + "…(5000 characters)", cut);
  }

  @Test
  void value_plainTextAndUnicode_isUnchanged() {
    assertEquals("alice@example.com Ünïcødé 🔑", LogSafe.value("alice@example.com Ünïcødé 🔑"));
  }

  @Property
  void value_ofAnyString_isOneBoundedLineOfVisibleCharacters(@ForAll String value) {
    String safe = LogSafe.value(value);

    assertTrue(safe.codePoints().noneMatch(Character::isISOControl), safe);
    assertTrue(safe.indexOf('\u2028') < 0 && safe.indexOf('\u2029') < 0, safe);
    // Each character shown takes at most 11 characters (\\u and six hex digits), plus the count.
    assertTrue(safe.length() <= LogSafe.MAX_LENGTH * 11 + 32, "length " + safe.length());
  }
}
