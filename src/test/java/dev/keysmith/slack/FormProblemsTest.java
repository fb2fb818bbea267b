package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keysmith.request.FormProblem;
import dev.keysmith.request.FormProblem.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FormProblemsTest {
  private static final String RULE = "Use 1–64 characters: letters, digits and + = , . @ _ -";

  @ParameterizedTest
  @EnumSource(Reason.class)
  void text_everyReason_isASentence(Reason reason) {
    String[] args = new String[reason.params().size()];
    Arrays.fill(args, "7");
    if (reason.params().contains("characters")) {
      args[reason.params().indexOf("characters")] = "#";
    }

    String text = FormProblems.text(new FormProblem(reason, Arrays.asList(args)));

    assertFalse(text.isBlank(), reason.name());
    assertFalse(text.contains(reason.name()), "a sentence, not the reason's name: " + text);
  }

  @Test
  void text_userNameEmpty_saysTheRule() {
    assertEquals(
        "The user name is empty. " + RULE,
        FormProblems.text(FormProblem.of(Reason.USER_NAME_EMPTY)));
  }

  @Test
  void text_userNameTooLong_saysTheLength() {
    assertEquals(
        "IAM cannot use that user name: it has 65 characters. " + RULE,
        FormProblems.text(FormProblem.of(Reason.USER_NAME_TOO_LONG, "65")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'/#'       | '\"/\", \"#\"'",
        "' '        | spaces",
        "ë          | '\"ë\"'",
        "'\t'       | the invisible character U+0009",
        "'\r x'     | 'the invisible character U+000D, spaces, \"x\"'",
      })
  void text_userNameBadCharacters_namesEachSoAPersonCanSeeIt(String characters, String named) {
    assertEquals(
        "IAM cannot use that user name: it contains " + named + ". " + RULE,
        FormProblems.text(FormProblem.of(Reason.USER_NAME_BAD_CHARACTERS, characters)));
  }

  @Test
  void text_userNameTooLongAndBadCharacters_saysBoth() {
    assertEquals(
        "IAM cannot use that user name: it has 90 characters; it contains spaces. " + RULE,
        FormProblems.text(FormProblem.of(Reason.USER_NAME_TOO_LONG_AND_BAD_CHARACTERS, "90", " ")));
  }

  @Test
  void text_otherReasons_areTheFormsWords() {
    assertEquals(
        "An IAM user with this name already exists (names are not case-sensitive).",
        FormProblems.text(FormProblem.of(Reason.USER_NAME_TAKEN)));
    assertEquals(
        "Request KS-ABC123 already asks for this name.",
        FormProblems.text(FormProblem.of(Reason.USER_NAME_CLAIMED, "KS-ABC123")));
    assertEquals("Choose a group.", FormProblems.text(FormProblem.of(Reason.GROUP_MISSING)));
    assertEquals(
        "Keysmith does not offer this group. Choose one from the list.",
        FormProblems.text(FormProblem.of(Reason.GROUP_NOT_OFFERED)));
    assertEquals(
        "Choose the kind of access.",
        FormProblems.text(FormProblem.of(Reason.ACCESS_TYPE_MISSING)));
    assertEquals(
        "Choose who will use these credentials.",
        FormProblems.text(FormProblem.of(Reason.OWNER_MISSING)));
    assertEquals(
        "Keysmith cannot read this owner as a Slack user. Choose a person from the list.",
        FormProblems.text(FormProblem.of(Reason.OWNER_NOT_A_USER)));
    assertEquals(
        "Say why this access is needed.",
        FormProblems.text(FormProblem.of(Reason.JUSTIFICATION_MISSING)));
    assertEquals(
        "Keep it under 1000 characters (1234 now).",
        FormProblems.text(FormProblem.of(Reason.JUSTIFICATION_TOO_LONG, "1000", "1234")));
  }
}
