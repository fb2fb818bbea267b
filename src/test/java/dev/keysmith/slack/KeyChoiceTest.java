package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.KeysmithException;
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
        "|AKIA1|lost",
        "alice||rotate",
        "alice|AKIA1|stolen",
        "alice|AKIA1|lost\r\nforged log line"
      })
  void decode_aValueKeysmithDidNotWrite_isRefusedInPlainWords(String value) {
    KeysmithException e = assertThrows(KeysmithException.class, () -> KeyChoice.decode(value));

    assertTrue(e.getMessage().contains("/iam rotate-key"), e.getMessage());
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
