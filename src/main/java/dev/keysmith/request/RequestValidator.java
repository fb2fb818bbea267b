package dev.keysmith.request;

import dev.keysmith.core.SlackIds;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamNames;
import dev.keysmith.request.FormProblem.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Checks a create-user form the way IAM and Keysmith will, so problems show on the field. */
public final class RequestValidator {
  /** Longest justification accepted; Slack's text input is capped to the same length. */
  public static final int MAX_JUSTIFICATION = 1000;

  private final IamDirectory directory;

  public RequestValidator(IamDirectory directory) {
    this.directory = directory;
  }

  /** The problem with a user name that the open request {@code claimant} already asks for. */
  public static FormProblem claimedBy(AccessRequest claimant) {
    return FormProblem.of(Reason.USER_NAME_CLAIMED, claimant.id());
  }

  /**
   * Problems with {@code form} that IAM's cached facts show, by field; empty when the form may be
   * submitted, unless another open request claims the name, which {@link RequestService} checks in
   * the transaction that stores the request.
   */
  public Map<FormField, FormProblem> problems(RequestForm form) {
    Map<FormField, FormProblem> problems = new EnumMap<>(FormField.class);
    String name = form.iamUserName();
    userNameProblem(name)
        .ifPresentOrElse(
            p -> problems.put(FormField.IAM_USER_NAME, p),
            () -> {
              if (directory.userNameTaken(name)) {
                problems.put(FormField.IAM_USER_NAME, FormProblem.of(Reason.USER_NAME_TAKEN));
              }
            });
    if (form.groupName() == null || form.groupName().isBlank()) {
      problems.put(FormField.GROUP, FormProblem.of(Reason.GROUP_MISSING));
    } else if (!directory.offeredGroups().contains(form.groupName())) {
      problems.put(FormField.GROUP, FormProblem.of(Reason.GROUP_NOT_OFFERED));
    }
    if (form.accessType() == null) {
      problems.put(FormField.ACCESS_TYPE, FormProblem.of(Reason.ACCESS_TYPE_MISSING));
    }
    if (form.ownerId() == null || form.ownerId().isBlank()) {
      problems.put(FormField.OWNER, FormProblem.of(Reason.OWNER_MISSING));
    } else if (!SlackIds.isUserId(form.ownerId())) {
      problems.put(FormField.OWNER, FormProblem.of(Reason.OWNER_NOT_A_USER));
    }
    justificationProblem(form.justification())
        .ifPresent(p -> problems.put(FormField.JUSTIFICATION, p));
    return problems;
  }

  /** What is wrong with a justification: missing, or too long; empty when it is fine. */
  Optional<FormProblem> justificationProblem(@Nullable String why) {
    if (why == null || why.isBlank()) {
      return Optional.of(FormProblem.of(Reason.JUSTIFICATION_MISSING));
    }
    if (why.length() > MAX_JUSTIFICATION) {
      return Optional.of(
          FormProblem.of(
              Reason.JUSTIFICATION_TOO_LONG,
              String.valueOf(MAX_JUSTIFICATION),
              String.valueOf(why.length())));
    }
    return Optional.empty();
  }

  /** What IAM would refuse in {@code name} as a user name, or empty when it would take it. */
  private static Optional<FormProblem> userNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of(FormProblem.of(Reason.USER_NAME_EMPTY));
    }
    int length = name.codePointCount(0, name.length());
    String bad = IamNames.userNameCharactersNotAllowed(name);
    boolean tooLong = length > IamNames.MAX_USER_NAME_LENGTH;
    if (tooLong && !bad.isEmpty()) {
      return Optional.of(
          FormProblem.of(
              Reason.USER_NAME_TOO_LONG_AND_BAD_CHARACTERS, String.valueOf(length), bad));
    }
    if (tooLong) {
      return Optional.of(FormProblem.of(Reason.USER_NAME_TOO_LONG, String.valueOf(length)));
    }
    if (!bad.isEmpty()) {
      return Optional.of(FormProblem.of(Reason.USER_NAME_BAD_CHARACTERS, bad));
    }
    return Optional.empty();
  }
}
