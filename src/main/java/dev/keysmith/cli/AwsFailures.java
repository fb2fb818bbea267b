package dev.keysmith.cli;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** AWS SDK failures in words a person setting Keysmith up can act on. */
final class AwsFailures {
  private AwsFailures() {}

  /** What the SDK's own chain message says first, whatever providers it lists after. */
  static final String NO_CREDENTIALS = "Unable to load credentials";

  /** What went wrong calling {@code action} (such as {@code iam:GetGroup}), and what to do. */
  static String describe(SdkException failure, String action) {
    if (noCredentials(failure)) {
      return "no AWS credentials found. The AWS SDK looks in the environment"
          + " (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then in a profile (AWS_PROFILE,"
          + " ~/.aws/credentials and ~/.aws/config, SSO included), then for the instance or"
          + " container role (EC2, ECS, EKS); give Keysmith one of these";
    }
    if (failure instanceof AwsServiceException refusal) {
      AwsErrorDetails details = refusal.awsErrorDetails();
      String code = details == null ? null : details.errorCode();
      String said = details == null ? null : details.errorMessage();
      String because = said == null || said.isBlank() ? "" : ": " + said;
      if ("AccessDenied".equals(code)) {
        return "Keysmith's AWS identity may not call "
            + action
            + " (AccessDenied); policy/keysmith-bot-policy.json allows it";
      }
      if (code != null
          && (code.equals("InvalidClientTokenId")
              || code.equals("SignatureDoesNotMatch")
              || code.equals("ExpiredToken")
              || code.equals("UnrecognizedClientException"))) {
        return "AWS refused the credentials the SDK found (" + code + ")" + because;
      }
      return "AWS refused "
          + action
          + " ("
          + code
          + ", HTTP "
          + refusal.statusCode()
          + ")"
          + because;
    }
    return "cannot reach AWS to call " + action + ": " + firstLine(failure.getMessage());
  }

  private static boolean noCredentials(Throwable failure) {
    for (@Nullable Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.startsWith(NO_CREDENTIALS)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no reason given";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
