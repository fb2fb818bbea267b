package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.keysmith.core.Liveness;
import dev.keysmith.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;
import software.amazon.awssdk.services.iam.model.GetAccessKeyLastUsedResponse;
import software.amazon.awssdk.services.iam.model.GetAccountPasswordPolicyResponse;
import software.amazon.awssdk.services.sts.StsClient;

/** What moto cannot produce: throttling, access denied, out-of-range policies, odd answers. */
@ExtendWith(MockitoExtension.class)
class AwsIamGatewayTest {
  @Mock IamClient iam;
  @Mock StsClient sts;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final Liveness liveness = new Liveness(clock);

  @Test
  void calls_recordWhenIamLastAnsweredAndLastFailed() {
    when(iam.getAccountPasswordPolicy())
        .thenReturn(policyWithMinimumLength(10))
        .thenThrow(refusal("Throttling", 400, "Rate exceeded"));
    Instant first = clock.instant();

    var unused = gateway().passwordPolicy();
    clock.advance(Duration.ofMinutes(1));
    assertThrows(IamException.class, () -> gateway().passwordPolicy());

    assertEquals(new Liveness.Seen(first, clock.instant()), liveness.seen());
  }

  @Test
  void createUser_throttled_namesTheUserAndSaysToRetry() {
    when(iam.createUser(any(CreateUserRequest.class)))
        .thenThrow(refusal("Throttling", 400, "Rate exceeded"));

    IamException e =
        assertThrows(
            IamException.class,
            () -> gateway().createUser("alice", "/keysmith/", Map.of(), Optional.empty()));

    assertEquals("Throttling", e.errorCode());
    assertEquals(
        "IAM refused to create user alice: AWS is slowing Keysmith down; try again in a minute"
            + " (Throttling). AWS says: Rate exceeded",
        e.getMessage());
  }

  @Test
  @SuppressWarnings("unchecked")
  void deleteLoginProfile_accessDenied_isNotTakenForAMissingProfile() {
    when(iam.deleteLoginProfile(any(Consumer.class)))
        .thenThrow(refusal("AccessDenied", 403, "User is not authorized"));

    IamException e = assertThrows(IamException.class, () -> gateway().deleteLoginProfile("alice"));

    assertEquals("AccessDenied", e.errorCode());
    assertEquals(
        "IAM refused to delete the console password of user alice: Keysmith's AWS identity is"
            + " not allowed to do that; check its IAM policy and permissions boundary"
            + " (AccessDenied). AWS says: User is not authorized",
        e.getMessage());
  }

  @Test
  void passwordPolicy_belowIamMinimum_isClampedTo6() {
    when(iam.getAccountPasswordPolicy()).thenReturn(policyWithMinimumLength(4));

    assertEquals(6, gateway().passwordPolicy().minimumLength());
  }

  @Test
  void passwordPolicy_aboveIamMaximum_isClampedTo128() {
    when(iam.getAccountPasswordPolicy()).thenReturn(policyWithMinimumLength(500));

    assertEquals(128, gateway().passwordPolicy().minimumLength());
  }

  @Test
  void passwordPolicy_withoutMinimumLength_usesAwsDefaultLength() {
    when(iam.getAccountPasswordPolicy())
        .thenReturn(
            GetAccountPasswordPolicyResponse.builder()
                .passwordPolicy(p -> p.requireSymbols(true))
                .build());

    assertEquals(new PasswordPolicy(8, false, false, false, true), gateway().passwordPolicy());
  }

  @Test
  void tagUser_noTags_isRefusedWithoutCallingIam() {
    assertThrows(IllegalArgumentException.class, () -> gateway().tagUser("alice", Map.of()));

    verifyNoInteractions(iam);
  }

  @Test
  @SuppressWarnings("unchecked")
  void accessKeyLastUsed_answerWithoutUserName_failsSayingSo() {
    when(iam.getAccessKeyLastUsed(any(Consumer.class)))
        .thenReturn(
            GetAccessKeyLastUsedResponse.builder()
                .accessKeyLastUsed(u -> u.serviceName("N/A").region("N/A"))
                .build());

    IamException e =
        assertThrows(IamException.class, () -> gateway().accessKeyLastUsed("AKIAIOSFODNN7EXAMPLE"));

    assertEquals("Unknown", e.errorCode());
    assertEquals(
        "IAM did not say which user owns access key AKIAIOSFODNN7EXAMPLE.", e.getMessage());
  }

  private AwsIamGateway gateway() {
    return new AwsIamGateway(iam, sts, liveness);
  }

  private static GetAccountPasswordPolicyResponse policyWithMinimumLength(int length) {
    return GetAccountPasswordPolicyResponse.builder()
        .passwordPolicy(p -> p.minimumPasswordLength(length))
        .build();
  }

  private static AwsServiceException refusal(String code, int status, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
        .build();
  }
}
