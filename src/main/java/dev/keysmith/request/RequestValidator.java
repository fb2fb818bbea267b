package dev.keysmith.request;

import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamNames;
import java.util.EnumMap;
import java.util.Map;

/** Checks a create-user form the way IAM and Keysmith will, so problems show on the field. */
public final class RequestValidator {
  /** Longest justification accepted; Slack's text input is capped to the same length. */
  public static final int MAX_JUSTIFICATION = 1000;

  private final IamDirectory directory;

  public RequestValidator(IamDirectory directory) {
    this.directory = directory;
  }

  /** The problem with a user name that the open request {@code claimant} already asks for. */
  public static String claimedBy(AccessRequest claimant) {
    return "Request " + claimant.id() + " already asks for this name.";
  }

  /**
   * Problems with {@code form} that IAM's cached facts show, by field; empty when the form may be
   * submitted, unless another open request claims the name, which {@link RequestService} checks in
   * the transaction that stores the request.
   */
  public Map<FormField, String> problems(RequestForm form) {
    Map<FormField, String> problems = new EnumMap<>(FormField.class);
    String name = form.iamUserName();
    IamNames.userNameProblem(name)
        .ifPresentOrElse(
            p -> problems.put(FormField.IAM_USER_NAME, p),
            () -> {
              if (directory.userNameTaken(name)) {
                problems.put(
                    FormField.IAM_USER_NAME,
                    "An IAM user with this name already exists (names are not case-sensitive).");
              }
            });
    if (form.groupName() == null || form.groupName().isBlank()) {
      problems.put(FormField.GROUP, "Choose a group.");
    } else if (!directory.offeredGroups().contains(form.groupName())) {
      problems.put(
          FormField.GROUP, "Keysmith does not offer this group. Choose one from the list.");
    }
    if (form.accessType() == null) {
      problems.put(FormField.ACCESS_TYPE, "Choose the kind of access.");
    }
    if (form.ownerId() == null || form.ownerId().isBlank()) {
      problems.put(FormField.OWNER, "Choose who will use these credentials.");
    }
    String why = form.justification();
    if (why == null || why.isBlank()) {
      problems.put(FormField.JUSTIFICATION, "Say why this access is needed.");
    } else if (why.length() > MAX_JUSTIFICATION) {
      problems.put(
          FormField.JUSTIFICATION,
          "Keep it under " + MAX_JUSTIFICATION + " characters (" + why.length() + " now).");
    }
    return problems;
  }
}
