package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyChoiceTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "alice",
        "alice|AKIA1",
        "alice|AKIA1|lost|x",
        "|AKIAEXAMPLE00000001|lost",
        "alice||rotate",
        "alice|AKIAEXAMPLE00000001|stolen",
        "alice|AKIAEXAMPLE00000001|lost\r\nforged log line",
        "alice\r\nforged|AKIAEXAMPLE00000001|lost",
        "alice|akia-lower-case-00|rotate",
        "<!channel>|-|rotate",
        "alice|-|rotate|"
      })
  void decode_aValueKeysmithDidNotWrite_isRefusedAsMalformed(String value) {
    Refusal e = assertThrows(Refusal.class, () -> KeyChoice.decode(value));

    assertEquals(Reason.MALFORMED_ACTION, e.reason());
    assertEquals(Untrusted.BUTTON, e.arg("part"));
  }

  @Test
  void decode_null_isRefusedAsMalformed() {
    assertEquals(
        Reason.MALFORMED_ACTION,
        assertThrows(Refusal.class, () -> KeyChoice.decode(null)).reason());
  }

  @Test
  void namedKey_ofAChoiceWithoutKey_isRefusedAsMalformed() {
    Refusal e = assertThrows(Refusal.class, () -> new KeyChoice("bob", null, false).namedKey());

    assertEquals(Reason.MALFORMED_ACTION, e.reason());
  }

  @Property
  void decode_anyString_givesAChoiceOrARefusalNeverAnotherException(@ForAll String value) {
    try {
      KeyChoice choice = KeyChoice.decode(value);
      assertEquals(value, choice.encode());
    } catch (Refusal e) {
      assertEquals(Reason.MALFORMED_ACTION, e.reason());
    }
  }

  @Property
  void decode_whatEncodeWrote_isTheSameChoice(
      @ForAll
          @StringLength(min = 1, max = 64)
          @Chars({'a', 'Z', '0', '+', '=', ',', '.', '@', '_', '-'})
          String user,
      @ForAll @StringLength(min = 16, max = 128) @Chars({'A', 'K', 'I', '7', '0'}) String key,
      @ForAll boolean hasKey,
      @ForAll boolean lost) {
    KeyChoice choice = new KeyChoice(user, hasKey ? key : null, lost);

    assertEquals(choice, KeyChoice.decode(choice.encode()));
  }

  @Test
  void decode_whatEncodeWrote_givesTheSameChoiceBack() {
    KeyChoice replace = new KeyChoice("alice", "AKIAEXAMPLE00000001", true);
    KeyChoice first = new KeyChoice("bob", null, false);

    assertEquals(replace, KeyChoice.decode(replace.encode()));
    assertEquals(first, KeyChoice.decode(first.encode()));
    assertEquals("bob|-|rotate", first.encode());
  }
}
