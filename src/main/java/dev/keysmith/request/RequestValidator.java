package dev.keysmith.request;

import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamNames;
import dev.keysmith.store.RequestStore;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Checks a create-user form the way IAM and Keysmith will, so problems show on the field. */
public final class RequestValidator {
  /** Longest justification accepted; Slack's text input is capped to the same length. */
  public static final int MAX_JUSTIFICATION = 1000;

  private final IamDirectory directory;
  private final RequestStore store;

  public RequestValidator(IamDirectory directory, RequestStore store) {
    this.directory = directory;
    this.store = store;
  }

  /** Problems with {@code form}, by field; empty when the form may be submitted. */
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
              } else {
                List<AccessRequest> open = store.findClaiming(name);
                if (!open.isEmpty()) {
                  problems.put(
                      FormField.IAM_USER_NAME,
                      "Request " + open.get(0).id() + " already asks for this name.");
                }
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
