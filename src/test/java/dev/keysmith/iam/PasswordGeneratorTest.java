package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PasswordGeneratorTest {
  // Written out here rather than taken from PasswordGenerator, so a change there has to agree.
  private static final String IAM_SYMBOLS = "!@#$%^&*()_+-=[]{}|'";
  private static final String MANGLED_IN_SLACK = "&'<>`";
  private static final String AMBIGUOUS = "0Oo1lI";
  private static final int GENERATIONS = 500;

  private final PasswordGenerator generator = new PasswordGenerator(new SecureRandom());

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of(PasswordPolicy.AWS_DEFAULT, 20),
        Arguments.of(new PasswordPolicy(128, true, true, true, true), 128),
        Arguments.of(new PasswordPolicy(6, false, false, false, false), 20),
        Arguments.of(new PasswordPolicy(32, false, false, false, false), 32),
        Arguments.of(new PasswordPolicy(14, true, false, false, false), 20),
        Arguments.of(new PasswordPolicy(14, false, true, false, false), 20),
        Arguments.of(new PasswordPolicy(14, false, false, true, false), 20),
        Arguments.of(new PasswordPolicy(14, false, false, false, true), 20));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void generate_manyPasswords_allSatisfyThePolicyWithAllowedCharactersOnly(
      PasswordPolicy policy, int expectedLength) {
    for (int i = 0; i < GENERATIONS; i++) {
      String password = generator.generate(policy).reveal();

      assertEquals(expectedLength, password.length(), password);
      for (int j = 0; j < password.length(); j++) {
        char c = password.charAt(j);
        assertTrue(isAllowed(c), () -> "unexpected character '" + c + "' in " + password);
      }
      // Every class always, so AWS's default "three of four" holds whatever the policy says.
      assertTrue(password.chars().anyMatch(c -> c >= 'A' && c <= 'Z'), password);
      assertTrue(password.chars().anyMatch(c -> c >= 'a' && c <= 'z'), password);
      assertTrue(password.chars().anyMatch(c -> c >= '0' && c <= '9'), password);
      assertTrue(password.chars().anyMatch(c -> IAM_SYMBOLS.indexOf(c) >= 0), password);
    }
  }

  @Test
  void generate_twice_differs() {
    assertNotEquals(
        generator.generate(PasswordPolicy.AWS_DEFAULT).reveal(),
        generator.generate(PasswordPolicy.AWS_DEFAULT).reveal());
  }

  @Test
  void generate_manyPasswords_putTheRequiredClassesInRandomPlaces() {
    Set<Character> firstCharacters = new HashSet<>();
    for (int i = 0; i < GENERATIONS; i++) {
      firstCharacters.add(generator.generate(PasswordPolicy.AWS_DEFAULT).reveal().charAt(0));
    }
    assertTrue(firstCharacters.stream().anyMatch(Character::isUpperCase));
    assertTrue(firstCharacters.stream().anyMatch(Character::isLowerCase));
    assertTrue(firstCharacters.stream().anyMatch(Character::isDigit));
    assertTrue(firstCharacters.stream().anyMatch(c -> IAM_SYMBOLS.indexOf(c) >= 0));
  }

  @Test
  void generate_result_hidesItselfFromToString() {
    var secret = generator.generate(PasswordPolicy.AWS_DEFAULT);
    assertTrue(!secret.toString().contains(secret.reveal()));
  }

  private static boolean isAllowed(char c) {
    boolean alphanumeric =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    boolean symbol = IAM_SYMBOLS.indexOf(c) >= 0;
    return (alphanumeric || symbol) && MANGLED_IN_SLACK.indexOf(c) < 0 && AMBIGUOUS.indexOf(c) < 0;
  }
}
