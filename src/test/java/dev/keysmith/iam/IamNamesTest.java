package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IamNamesTest {

  @Test
  void userNameCharactersNotAllowed_withSpace_isTheSpace() {
    assertEquals(" ", IamNames.userNameCharactersNotAllowed("alice smith"));
  }

  @Test
  void userNameCharactersNotAllowed_withBadCharacters_listsEachOnceInOrder() {
    assertEquals("/#", IamNames.userNameCharactersNotAllowed("a/b/c#d"));
  }

  @Test
  void userNameCharactersNotAllowed_withNonAsciiLetter_isTheLetter() {
    // IAM's \w is ASCII only; Java's would not be if UNICODE_CHARACTER_CLASS were on.
    assertEquals("ë", IamNames.userNameCharactersNotAllowed("zoë"));
  }

  @Test
  void userNameCharactersNotAllowed_withInvisibleCharacter_isThatCharacter() {
    assertEquals("\t", IamNames.userNameCharactersNotAllowed("alice\t"));
  }

  @Test
  void userNameCharactersNotAllowed_outsideTheBasicPlane_keepsTheWholeCodePoint() {
    String emoji = "\uD83D\uDE00";
    assertEquals(emoji, IamNames.userNameCharactersNotAllowed("a" + emoji + "b" + emoji));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "alice", "Alice.Smith@example.com", "ci+bot=1,x_y-z", "0123456789"})
  void userNameCharactersNotAllowed_withValidName_isEmpty(String name) {
    assertEquals("", IamNames.userNameCharactersNotAllowed(name));
  }
}
