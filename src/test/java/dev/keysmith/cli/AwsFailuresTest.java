package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsFailuresTest {
  private static AwsServiceException refusal(String code, int status, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
        .build();
  }

  @Test
  void describe_accessDenied_namesTheActionAndThePolicyThatAllowsIt() {
    assertEquals(
        "Keysmith's AWS identity may not call iam:GetGroup (AccessDenied);"
            + " policy/keysmith-bot-policy.json allows it",
        AwsFailures.describe(refusal("AccessDenied", 403, "not authorized"), "iam:GetGroup"));
  }

  @Test
  void describe_credentialsRefused_saysSoWithAwsWords() {
    assertEquals(
        "AWS refused the credentials the SDK found (InvalidClientTokenId): The security token"
            + " included in the request is invalid.",
        AwsFailures.describe(
            refusal(
                "InvalidClientTokenId",
                403,
                "The security token included in the request is invalid."),
            "sts:GetCallerIdentity"));
  }

  @Test
  void describe_noCredentialsDeepInTheCauses_isStillPlainWords() {
    SdkClientException wrapped =
        SdkClientException.builder()
            .message("Unable to execute HTTP request")
            .cause(
                SdkClientException.create(
                    "Unable to load credentials from any of the providers in the chain"
                        + " AwsCredentialsProviderChain(credentialsProviders=[...])"))
            .build();
    String described = AwsFailures.describe(wrapped, "sts:GetCallerIdentity");
    assertTrue(described.startsWith("no AWS credentials found."), described);
  }

  @Test
  void describe_noConnection_isOneLineSayingAwsCannotBeReached() {
    String described =
        AwsFailures.describe(
            SdkClientException.create(
                "Unable to execute HTTP request: Connect to sts.amazonaws.com:443 failed\n"
                    + "more detail"),
            "sts:GetCallerIdentity");
    assertEquals(
        "cannot reach AWS to call sts:GetCallerIdentity: Unable to execute HTTP request: Connect"
            + " to sts.amazonaws.com:443 failed",
        described);
  }
}
