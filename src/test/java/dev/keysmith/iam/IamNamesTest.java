package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IamNamesTest {

  @Test
  void userNameProblem_withNull_isReported() {
    assertTrue(IamNames.userNameProblem(null).orElseThrow().contains("empty"));
  }

  @Test
  void userNameProblem_withEmpty_isReported() {
    String problem = IamNames.userNameProblem("").orElseThrow();
    assertTrue(problem.contains("empty"), problem);
    assertTrue(problem.contains("Use 1–64 characters: letters, digits and + = , . @ _ -"), problem);
  }

  @Test
  void userNameProblem_withSpace_isReported() {
    String problem = IamNames.userNameProblem("alice smith").orElseThrow();
    assertTrue(problem.contains("spaces"), problem);
    assertTrue(problem.contains("letters, digits and + = , . @ _ -"), problem);
  }

  @Test
  void userNameProblem_with65Characters_saysTheLength() {
    String problem = IamNames.userNameProblem("a".repeat(65)).orElseThrow();
    assertTrue(problem.contains("65 characters"), problem);
    assertTrue(problem.contains("1–64"), problem);
  }

  @Test
  void userNameProblem_withBadCharacters_listsEachOnce() {
    String problem = IamNames.userNameProblem("a/b/c#d").orElseThrow();
    assertTrue(problem.contains("\"/\", \"#\""), problem);
    assertEquals(problem.indexOf("\"/\""), problem.lastIndexOf("\"/\""), problem);
  }

  @Test
  void userNameProblem_withNonAsciiLetter_isReported() {
    // IAM's \w is ASCII only; Java's would not be if UNICODE_CHARACTER_CLASS were on.
    String problem = IamNames.userNameProblem("zoë").orElseThrow();
    assertTrue(problem.contains("\"ë\""), problem);
  }

  @Test
  void userNameProblem_withInvisibleCharacter_namesItsCodePoint() {
    String problem = IamNames.userNameProblem("alice\t").orElseThrow();
    assertTrue(problem.contains("U+0009"), problem);
  }

  @Test
  void userNameProblem_tooLongAndBadCharacters_reportsBoth() {
    String problem = IamNames.userNameProblem("a b".repeat(30)).orElseThrow();
    assertTrue(problem.contains("90 characters"), problem);
    assertTrue(problem.contains("spaces"), problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "alice", "Alice.Smith@example.com", "ci+bot=1,x_y-z", "0123456789"})
  void userNameProblem_withValidName_isEmpty(String name) {
    assertEquals(Optional.empty(), IamNames.userNameProblem(name));
  }

  @Test
  void userNameProblem_with64Characters_isEmpty() {
    assertEquals(Optional.empty(), IamNames.userNameProblem("a".repeat(64)));
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
