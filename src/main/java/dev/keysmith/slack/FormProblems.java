package dev.keysmith.slack;

import dev.keysmith.iam.IamNames;
import dev.keysmith.request.FormProblem;
import java.util.stream.Collectors;

/**
 * The sentence shown on a create-user form field for each {@link FormProblem.Reason}. Unlike {@link
 * Refusals}, the text goes into a view submission's {@code errors}, not into mrkdwn, and is sent as
 * it always was: values are not escaped.
 */
final class FormProblems {
  private static final String USER_NAME_RULE =
      "Use 1–" + IamNames.MAX_USER_NAME_LENGTH + " characters: letters, digits and + = , . @ _ -";

  private FormProblems() {}

  /** What to show on the field. */
  static String text(FormProblem p) {
    return switch (p.reason()) {
      case USER_NAME_EMPTY -> "The user name is empty. " + USER_NAME_RULE;
      case USER_NAME_TOO_LONG -> cannotUse(hasLength(p));
      case USER_NAME_BAD_CHARACTERS -> cannotUse(contains(p));
      case USER_NAME_TOO_LONG_AND_BAD_CHARACTERS -> cannotUse(hasLength(p) + "; " + contains(p));
      case USER_NAME_TAKEN ->
          "An IAM user with this name already exists (names are not case-sensitive).";
      case USER_NAME_CLAIMED -> "Request " + p.arg("requestId") + " already asks for this name.";
      case GROUP_MISSING -> "Choose a group.";
      case GROUP_NOT_OFFERED -> "Keysmith does not offer this group. Choose one from the list.";
      case GROUP_NOT_FOR_YOU ->
          "The access policy of '"
              + p.arg("group")
              + "' does not let you ask for it. Ask a Keysmith admin who may.";
      case GROUP_MEMBERS_UNKNOWN ->
          "Keysmith is still checking with Slack who may ask for '"
              + p.arg("group")
              + "'. Send the form again in a few seconds.";
      case GROUP_TOO_FEW_APPROVERS ->
          "'"
              + p.arg("group")
              + "' needs "
              + p.arg("quorum")
              + " approvers who are neither you nor the owner, and its policy names fewer. Choose"
              + " another owner, or ask a Keysmith admin.";
      case LIFETIME_TOO_LONG ->
          "'"
              + p.arg("group")
              + "' users live at most "
              + p.arg("max")
              + ". Choose a shorter time.";
      case LIFETIME_NEEDS_END ->
          "'"
              + p.arg("group")
              + "' users end by themselves, after at most "
              + p.arg("max")
              + ". Choose how long it is needed.";
      case LIFETIME_UNREADABLE -> "Keysmith cannot read this choice. Choose one from the list.";
      case BREAK_GLASS_NOT_ALLOWED ->
          "'"
              + p.arg("group")
              + "' has no break-glass: its access policy needs an approver. Untick it to ask"
              + " for approval.";
      case BREAK_GLASS_FOR_SOMEONE_ELSE ->
          "Break-glass is for your own emergency access: you must be the owner.";
      case LIFETIME_NOT_LATER ->
          "From now, that ends the user no later than it ends already. Choose a longer time.";
      case ACCESS_TYPE_MISSING -> "Choose the kind of access.";
      case ACCESS_TYPE_NOT_ALLOWED ->
          "'" + p.arg("group") + "' allows only: " + p.arg("allowed") + ".";
      case OWNER_MISSING -> "Choose who will use these credentials.";
      case OWNER_NOT_A_USER ->
          "Keysmith cannot read this owner as a Slack user. Choose a person from the list.";
      case JUSTIFICATION_MISSING -> "Say why this access is needed.";
      case JUSTIFICATION_TOO_LONG ->
          "Keep it under " + p.arg("limit") + " characters (" + p.arg("length") + " now).";
    };
  }

  private static String cannotUse(String problems) {
    return "IAM cannot use that user name: " + problems + ". " + USER_NAME_RULE;
  }

  private static String hasLength(FormProblem p) {
    return "it has " + p.arg("length") + " characters";
  }

  /** The offending characters, each named so a person can see it, even when it is invisible. */
  private static String contains(FormProblem p) {
    return "it contains "
        + p.arg("characters")
            .codePoints()
            .mapToObj(FormProblems::describe)
            .collect(Collectors.joining(", "));
  }

  private static String describe(int c) {
    if (c == ' ') {
      return "spaces";
    }
    if (Character.isWhitespace(c) || Character.isISOControl(c) || !Character.isDefined(c)) {
      return String.format("the invisible character U+%04X", c);
    }
    return "\"" + Character.toString(c) + "\"";
  }
}
