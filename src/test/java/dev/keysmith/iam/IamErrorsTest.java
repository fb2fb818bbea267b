package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class IamErrorsTest {

  @Test
  void translate_clientFailure_saysIamWasNotReachedWithUnknownCode() {
    SdkClientException failure =
        SdkClientException.create("Unable to execute HTTP request: Connection refused");

    IamException e = IamErrors.translate("IAM", "create user alice", Map.of(), failure);

    assertEquals("Unknown", e.errorCode());
    assertEquals(
        "Keysmith could not reach IAM to create user alice: Unable to execute HTTP request:"
            + " Connection refused",
        e.getMessage());
    assertSame(failure, e.getCause());
  }

  @Test
  void translate_noCredentials_isPlainWordsForPeople_notTheSdksProviderList() {
    SdkClientException failure =
        SdkClientException.create(
            "Unable to load credentials from any of the providers in the chain"
                + " AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(),"
                + " EnvironmentVariableCredentialsProvider()]) : [SystemPropertyCredentialsProvider():"
                + " Unable to load credentials from system settings.]");

    IamException e = IamErrors.translate("IAM", "create user alice", Map.of(), failure);

    assertEquals(
        "Keysmith has no AWS credentials, so it could not reach IAM to create user alice;"
            + " whoever runs Keysmith must give it some",
        e.getMessage());
    assertTrue(e.isTransient(), "held-up work resumes once credentials are given");
  }

  @Test
  void translate_clientFailureOfManyLines_keepsItsFirstLine() {
    SdkClientException failure =
        SdkClientException.create("Unable to execute HTTP request: Read timed out\n\tat a.b.C");

    IamException e = IamErrors.translate("IAM", "create user alice", Map.of(), failure);

    assertEquals(
        "Keysmith could not reach IAM to create user alice: Unable to execute HTTP request: Read"
            + " timed out",
        e.getMessage());
  }

  @Test
  void translate_responseWithoutErrorCode_isUnknownAndNamesTheHttpStatus() {
    AwsServiceException failure = AwsServiceException.builder().statusCode(500).build();

    IamException e = IamErrors.translate("IAM", "delete user alice", Map.of(), failure);

    assertEquals("Unknown", e.errorCode());
    assertEquals(
        "IAM refused to delete user alice: it answered with an unexpected error (HTTP 500)"
            + " (Unknown).",
        e.getMessage());
  }

  @Test
  void translate_unmappedCode_fallsBackAndKeepsTheCodeAndAwsMessage() {
    IamException e =
        IamErrors.translate(
            "IAM", "add user alice to group ops", Map.of(), refusal("Weird", 400, "Odd."));

    assertEquals("Weird", e.errorCode());
    assertEquals(
        "IAM refused to add user alice to group ops: it answered with an unexpected error"
            + " (HTTP 400) (Weird). AWS says: Odd.",
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "EntityAlreadyExists | it already exists",
        "NoSuchEntity | something it names does not exist",
        "LimitExceeded | an IAM quota would be exceeded",
        "AccessDenied | Keysmith's AWS identity is not allowed to do that",
        "PasswordPolicyViolation | the password does not meet the account's password policy",
        "DeleteConflict | other things are still attached and must be removed first",
        "Throttling | AWS is slowing Keysmith down; try again in a minute",
      })
  void translate_knownCode_explainsItInPlainWords(String code, String explanation) {
    IamException e =
        IamErrors.translate(
            "IAM", "delete user alice", Map.of(), refusal(code, 409, "AWS's own words"));

    assertEquals(code, e.errorCode());
    assertTrue(e.getMessage().startsWith("IAM refused to delete user alice: " + explanation));
    assertTrue(e.getMessage().endsWith("(" + code + "). AWS says: AWS's own words"));
  }

  @ParameterizedTest
  @CsvSource({
    "Throttling, 400, true",
    "ServiceFailure, 500, true",
    "ServiceUnavailable, 503, true",
    "Weird, 502, true",
    "EntityAlreadyExists, 409, false",
    "NoSuchEntity, 404, false",
    "LimitExceeded, 409, false",
    "AccessDenied, 403, false",
  })
  void translate_answer_isTransientOnlyForThrottlingAnd5xx(String code, int status, boolean is) {
    IamException e =
        IamErrors.translate("IAM", "create user alice", Map.of(), refusal(code, status, "x"));

    assertEquals(is, e.isTransient(), code);
  }

  @Test
  void translate_noAnswer_isTransient() {
    assertTrue(
        IamErrors.translate(
                "IAM", "create user alice", Map.of(), SdkClientException.create("Read timed out"))
            .isTransient());
  }

  @Test
  void translate_specificExplanation_winsOverTheGeneralOne() {
    IamException e =
        IamErrors.translate(
            "IAM",
            "create user alice",
            Map.of("EntityAlreadyExists", "a user with that name already exists"),
            refusal("EntityAlreadyExists", 409, "User alice already exists"));

    assertEquals(
        "IAM refused to create user alice: a user with that name already exists"
            + " (EntityAlreadyExists). AWS says: User alice already exists",
        e.getMessage());
  }

  private static AwsServiceException refusal(String code, int status, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
        .build();
  }
}
