package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
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

  @Test
  void pathProblem_withEmpty_isReported() {
    assertTrue(IamNames.pathProblem("").orElseThrow().contains("empty"));
    assertTrue(IamNames.pathProblem(null).orElseThrow().contains("empty"));
  }

  @Test
  void pathProblem_withoutLeadingSlash_isReported() {
    String problem = IamNames.pathProblem("keysmith/").orElseThrow();
    assertTrue(problem.contains("does not start with /"), problem);
  }

  @Test
  void pathProblem_withoutTrailingSlash_isReported() {
    String problem = IamNames.pathProblem("/keysmith").orElseThrow();
    assertTrue(problem.contains("does not end with /"), problem);
  }

  @Test
  void pathProblem_withTwoSlashesOnly_isReported() {
    assertTrue(IamNames.pathProblem("//").isPresent());
  }

  @Test
  void pathProblem_withSpace_isReported() {
    String problem = IamNames.pathProblem("/key smith/").orElseThrow();
    assertTrue(problem.contains("spaces"), problem);
  }

  @Test
  void pathProblem_withNonAscii_isReported() {
    String problem = IamNames.pathProblem("/équipe/").orElseThrow();
    assertTrue(problem.contains("\"é\""), problem);
  }

  @Test
  void pathProblem_with513Characters_saysTheLength() {
    String problem = IamNames.pathProblem("/" + "a".repeat(511) + "/").orElseThrow();
    assertTrue(problem.contains("513 characters"), problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/keysmith/", "/a/b/c/", "/~!#$%^&*()_+{}|:\"<>?/"})
  void pathProblem_withValidPath_isEmpty(String path) {
    assertEquals(Optional.empty(), IamNames.pathProblem(path));
  }

  @Test
  void pathProblem_with512Characters_isEmpty() {
    assertEquals(Optional.empty(), IamNames.pathProblem("/" + "a".repeat(510) + "/"));
  }
}
