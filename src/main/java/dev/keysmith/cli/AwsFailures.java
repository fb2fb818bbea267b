package dev.keysmith.cli;

import dev.keysmith.iam.AwsClients;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** AWS SDK failures in words a person setting Keysmith up can act on. */
final class AwsFailures {
  private AwsFailures() {}

  /** What went wrong calling {@code action} (such as {@code iam:GetGroup}), and what to do. */
  static String describe(SdkException failure, String action) {
    if (AwsClients.noCredentials(failure)) {
      return "no AWS credentials found. " + AwsClients.WHERE_CREDENTIALS_COME_FROM;
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
    return "cannot reach AWS to call " + action + ": " + AwsClients.firstLine(failure.getMessage());
  }
}
