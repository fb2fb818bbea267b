package dev.keysmith.iam;

import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns AWS SDK failures into {@link IamException}s whose message a person can act on. */
final class IamErrors {
  static final String UNKNOWN = "Unknown";
  static final String ENTITY_ALREADY_EXISTS = "EntityAlreadyExists";
  static final String NO_SUCH_ENTITY = "NoSuchEntity";
  static final String LIMIT_EXCEEDED = "LimitExceeded";
  static final String ACCESS_DENIED = "AccessDenied";
  static final String PASSWORD_POLICY_VIOLATION = "PasswordPolicyViolation";
  static final String DELETE_CONFLICT = "DeleteConflict";
  static final String THROTTLING = "Throttling";

  private static final Map<String, String> EXPLANATIONS =
      Map.of(
          ENTITY_ALREADY_EXISTS,
          "it already exists",
          NO_SUCH_ENTITY,
          "something it names does not exist",
          LIMIT_EXCEEDED,
          "an IAM quota would be exceeded",
          ACCESS_DENIED,
          "Keysmith's AWS identity is not allowed to do that; check its IAM policy and"
              + " permissions boundary",
          PASSWORD_POLICY_VIOLATION,
          "the password does not meet the account's password policy",
          DELETE_CONFLICT,
          "other things are still attached and must be removed first",
          THROTTLING,
          "AWS is slowing Keysmith down; try again in a minute",
          "ConcurrentModification",
          "another change to the same thing is in progress; try again",
          "InvalidInput",
          "IAM does not accept a value in the request",
          "ServiceFailure",
          "IAM failed internally; try again later");

  private IamErrors() {}

  /**
   * The failure of {@code action} (such as "create user alice") at {@code service}, explained by
   * {@code specific} when it names the error code, else by a general explanation.
   */
  static IamException translate(
      String service, String action, Map<String, String> specific, SdkException failure) {
    if (AwsClients.noCredentials(failure)) {
      // The SDK's message lists every provider it tried; people need to know whom to ask. Worth
      // asking again: whoever runs Keysmith can give it credentials, and held-up work resumes.
      return new IamException(
          UNKNOWN,
          "Keysmith has no AWS credentials, so it could not reach "
              + service
              + " to "
              + action
              + "; whoever runs Keysmith must give it some",
          failure,
          /* isTransient= */ true);
    }
    if (!(failure instanceof AwsServiceException refusal)) {
      // Not an answer from AWS: no connection, a timeout, an unreadable reply. Worth asking again.
      return new IamException(
          UNKNOWN,
          "Keysmith could not reach "
              + service
              + " to "
              + action
              + ": "
              + AwsClients.firstLine(failure.getMessage()),
          failure,
          /* isTransient= */ true);
    }
    AwsErrorDetails details = refusal.awsErrorDetails();
    String code =
        details == null || details.errorCode() == null || details.errorCode().isBlank()
            ? UNKNOWN
            : details.errorCode();
    String explanation =
        specific.getOrDefault(
            code,
            EXPLANATIONS.getOrDefault(
                code, "it answered with an unexpected error (HTTP " + refusal.statusCode() + ")"));
    String awsMessage = details == null ? null : details.errorMessage();
    String said = awsMessage == null || awsMessage.isBlank() ? "" : " AWS says: " + awsMessage;
    return new IamException(
        code,
        service + " refused to " + action + ": " + explanation + " (" + code + ")." + said,
        failure,
        IamException.TRANSIENT_CODES.contains(code) || refusal.statusCode() >= 500);
  }
}
