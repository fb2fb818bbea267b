package dev.keysmith.iam;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.stream.Collectors.toMap;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Liveness;
import dev.keysmith.core.Secret;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.KeyLastUsed;
import dev.keysmith.iam.IamGateway.NewAccessKey;
import dev.keysmith.offboard.OffboardStep;
import dev.keysmith.offboard.Teardown;
import dev.keysmith.testing.MotoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.CreateLoginProfileRequest;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;

class AwsIamGatewayIT {
  private static final String BOUNDARY = "arn:aws:iam::123456789012:policy/KeysmithBoundary";
  private static final String MOTO_ACCOUNT = "123456789012";
  private static final String POLICY_DOCUMENT =
      """
      {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
      """;

  private static final String UNKNOWN_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  private static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(1);

  private final Recorder recorder = new Recorder();
  private final PasswordGenerator passwords = new PasswordGenerator(new SecureRandom());
  private IamClient iam;
  private IamClient recordingIam;
  private AwsIamGateway gateway;
  private MotoServer moto;

  @BeforeEach
  void startFromEmptyAccount() {
    moto = MotoServer.get();
    moto.reset();
    iam = moto.iamClient();
    recordingIam = AwsClients.iam(moto.endpoint(), MotoServer.CREDENTIALS, List.of(recorder));
    gateway =
        new AwsIamGateway(
            recordingIam, moto.stsClient(), new Liveness(java.time.Clock.systemUTC()));
  }

  @AfterEach
  void closeRecordingClient() {
    if (recordingIam != null) {
      recordingIam.close();
    }
  }

  @Test
  void createUser_existingName_failsWithEntityAlreadyExistsNamingTheUser() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    IamException e =
        assertThrows(
            IamException.class, () -> gateway.createUser("alice", "/", Map.of(), Optional.empty()));

    assertEquals("EntityAlreadyExists", e.errorCode());
    assertTrue(
        e.getMessage()
            .startsWith(
                "IAM refused to create user alice: a user with that name already exists"
                    + " (IAM user names are not case-sensitive) (EntityAlreadyExists). AWS says: "),
        e.getMessage());
  }

  @Test
  void addUserToGroup_missingGroup_failsWithNoSuchEntityNamingBoth() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    IamException e =
        assertThrows(IamException.class, () -> gateway.addUserToGroup("alice", "no-such-group"));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(
        e.getMessage().startsWith("IAM refused to add user alice to group no-such-group: "),
        e.getMessage());
  }

  @Test
  void createAccessKey_thirdKey_failsWithLimitExceededAndNoSecretInTheMessage() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey first = gateway.createAccessKey("alice");
    NewAccessKey second = gateway.createAccessKey("alice");

    IamException e = assertThrows(IamException.class, () -> gateway.createAccessKey("alice"));

    assertEquals("LimitExceeded", e.errorCode());
    assertTrue(
        e.getMessage()
            .startsWith(
                "IAM refused to create an access key for user alice: the user already has 2"
                    + " access keys"),
        e.getMessage());
    assertNoSecretIn(e, first.secretAccessKey(), second.secretAccessKey());
  }

  @Test
  void createLoginProfile_secondTime_failsWithoutThePasswordInTheMessage() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    Secret first = passwords.generate(PasswordPolicy.AWS_DEFAULT);
    Secret second = passwords.generate(PasswordPolicy.AWS_DEFAULT);
    gateway.createLoginProfile("alice", first, /* passwordResetRequired= */ true);

    IamException e =
        assertThrows(
            IamException.class,
            () -> gateway.createLoginProfile("alice", second, /* passwordResetRequired= */ true));

    assertEquals("EntityAlreadyExists", e.errorCode());
    assertTrue(e.getMessage().contains("the user already has a console password"), e.getMessage());
    assertNoSecretIn(e, first, second);
  }

  @Test
  void groupsOfUser_missingUser_failsWithNoSuchEntity() {
    IamException e = assertThrows(IamException.class, () -> gateway.groupsOfUser("nobody"));

    assertEquals("NoSuchEntity", e.errorCode());
  }

  @Test
  void groupsOfUser_namesEveryGroupTheUserIsIn() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    iam.createGroup(g -> g.groupName("developers"));
    iam.createGroup(g -> g.groupName("admins"));
    iam.createGroup(g -> g.groupName("readonly"));
    gateway.addUserToGroup("alice", "developers");
    gateway.addUserToGroup("alice", "admins");

    assertEquals(Set.of("admins", "developers"), gateway.groupsOfUser("alice"));
  }

  @Test
  void tagUser_missingUser_failsWithNoSuchEntityNamingTheUser() {
    IamException e =
        assertThrows(IamException.class, () -> gateway.tagUser("nobody", Map.of("team", "ops")));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(
        e.getMessage()
            .startsWith("IAM refused to tag user nobody: the user does not exist (NoSuchEntity)."),
        e.getMessage());
  }

  @Test
  void tagUser_addsNewKeysAndReplacesExistingOnes() {
    gateway.createUser("alice", "/", Map.of("team", "ops", "ticket", "OPS-42"), Optional.empty());

    gateway.tagUser("alice", Map.of("team", "payments", "keysmith:rotated", "2026-11-24"));

    assertEquals(
        Optional.of(
            Map.of("team", "payments", "ticket", "OPS-42", "keysmith:rotated", "2026-11-24")),
        gateway.userTags("alice"));
  }

  @Test
  void setAccessKeyStatus_missingKey_failsWithNoSuchEntityNamingTheKey() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    IamException e =
        assertThrows(
            IamException.class,
            () -> gateway.setAccessKeyStatus("alice", UNKNOWN_KEY_ID, /* active= */ false));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(
        e.getMessage()
            .startsWith(
                "IAM refused to deactivate access key "
                    + UNKNOWN_KEY_ID
                    + " of user alice: the user has no access key with that id, or the user does"
                    + " not exist (NoSuchEntity)."),
        e.getMessage());
  }

  @Test
  void setAccessKeyStatus_keyOfAnotherUser_failsWithNoSuchEntity() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    gateway.createUser("bob", "/", Map.of(), Optional.empty());
    NewAccessKey bobs = gateway.createAccessKey("bob");

    IamException e =
        assertThrows(
            IamException.class,
            () -> gateway.setAccessKeyStatus("alice", bobs.accessKeyId(), /* active= */ false));

    assertEquals("NoSuchEntity", e.errorCode());
    assertEquals(KeyStatus.ACTIVE, gateway.listAccessKeys("bob").get(0).status());
  }

  @Test
  void setAccessKeyStatus_inactiveThenActive_listAccessKeysShowsEach() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");
    NewAccessKey other = gateway.createAccessKey("alice");

    gateway.setAccessKeyStatus("alice", key.accessKeyId(), /* active= */ false);

    assertEquals(
        Map.of(key.accessKeyId(), KeyStatus.INACTIVE, other.accessKeyId(), KeyStatus.ACTIVE),
        statuses(gateway.listAccessKeys("alice")));

    gateway.setAccessKeyStatus("alice", key.accessKeyId(), /* active= */ true);

    assertEquals(
        Map.of(key.accessKeyId(), KeyStatus.ACTIVE, other.accessKeyId(), KeyStatus.ACTIVE),
        statuses(gateway.listAccessKeys("alice")));
  }

  @Test
  void accessKeyLastUsed_unknownKey_failsWithNoSuchEntitySayingSo() {
    IamException e =
        assertThrows(IamException.class, () -> gateway.accessKeyLastUsed(UNKNOWN_KEY_ID));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(
        e.getMessage()
            .startsWith(
                "IAM refused to look up the last use of access key "
                    + UNKNOWN_KEY_ID
                    + ": no access key with that id exists in this account (NoSuchEntity)."),
        e.getMessage());
  }

  @Test
  void accessKeyLastUsed_deletedKey_failsWithNoSuchEntity() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");
    gateway.deleteAccessKey("alice", key.accessKeyId());

    IamException e =
        assertThrows(IamException.class, () -> gateway.accessKeyLastUsed(key.accessKeyId()));

    assertEquals("NoSuchEntity", e.errorCode());
  }

  @Test
  void accessKeyLastUsed_neverUsed_namesTheUserAndIsOtherwiseEmpty() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");

    // moto, like IAM, omits LastUsedDate and answers "N/A" for ServiceName and Region.
    assertEquals(
        new KeyLastUsed("alice", Optional.empty(), Optional.empty(), Optional.empty()),
        gateway.accessKeyLastUsed(key.accessKeyId()));
  }

  @Test
  void accessKeyLastUsed_afterAnIamCallSignedWithTheKey_showsWhenWhereAndWhichService() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");

    try (IamClient asAlice = AwsClients.iam(moto.endpoint(), credentialsOf(key))) {
      assertEquals("alice", asAlice.getUser().user().userName());
    }

    KeyLastUsed used = gateway.accessKeyLastUsed(key.accessKeyId());
    assertEquals("alice", used.userName());
    assertCloseToNow(used.at().orElseThrow());
    assertEquals(Optional.of("iam"), used.service());
    // moto records the region of the request's signature. With an endpoint override the SDK signs
    // IAM for Region.AWS_GLOBAL as "aws-global"; IAM itself reports us-east-1 for its calls.
    assertEquals(Optional.of("aws-global"), used.region());
  }

  @Test
  void accessKeyLastUsed_afterAnStsCallSignedWithTheKey_showsStsAndTheClientsRegion() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");

    try (StsClient asAlice = AwsClients.sts(moto.endpoint(), credentialsOf(key))) {
      assertTrue(asAlice.getCallerIdentity().arn().endsWith(":user/alice"));
    }

    KeyLastUsed used = gateway.accessKeyLastUsed(key.accessKeyId());
    assertEquals("alice", used.userName());
    assertCloseToNow(used.at().orElseThrow());
    assertEquals(Optional.of("sts"), used.service());
    assertEquals(Optional.of("us-east-1"), used.region());
  }

  @Test
  void userTags_missingUser_isEmpty() {
    assertEquals(Optional.empty(), gateway.userTags("nobody"));
  }

  @Test
  void createUser_withPathAndTags_storesBoth() {
    Map<String, String> tags = Map.of("keysmith:requested-by", "U123", "ticket", "OPS-42");

    gateway.createUser("alice", "/keysmith/", tags, Optional.empty());

    assertEquals(Optional.of(tags), gateway.userTags("alice"));
    User user = iam.getUser(r -> r.userName("alice")).user();
    assertEquals("/keysmith/", user.path());
  }

  @Test
  void createUser_withoutBoundary_sendsNone() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    assertEquals(null, recorder.createUsers.get(0).permissionsBoundary());
    String sent = recorder.createUserBodies.get(0);
    assertTrue(sent.contains("Action=CreateUser&"), sent);
    assertFalse(sent.contains("PermissionsBoundary"), sent);
  }

  @Test
  void createUser_withBoundary_sendsItToIam() {
    // moto accepts PermissionsBoundary and drops it, so look at what left the client.
    gateway.createUser("alice", "/keysmith/", Map.of(), Optional.of(BOUNDARY));

    assertEquals(BOUNDARY, recorder.createUsers.get(0).permissionsBoundary());
    String sent = recorder.createUserBodies.get(0);
    assertTrue(sent.contains("&PermissionsBoundary=" + URLEncoder.encode(BOUNDARY, UTF_8)), sent);
  }

  @Test
  void userNamesAndGroupNames_listEveryOne() {
    gateway.createUser("bob", "/", Map.of(), Optional.empty());
    gateway.createUser("alice", "/keysmith/", Map.of(), Optional.empty());
    iam.createGroup(r -> r.groupName("ops"));
    iam.createGroup(r -> r.groupName("devs"));

    assertEquals(List.of("alice", "bob"), List.copyOf(gateway.userNames()));
    assertEquals(List.of("devs", "ops"), List.copyOf(gateway.groupNames()));
  }

  @Test
  void createAccessKey_returnsIdAndSecret_andListAccessKeysShowsIt() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    NewAccessKey key = gateway.createAccessKey("alice");

    assertFalse(key.accessKeyId().isBlank());
    assertFalse(key.secretAccessKey().reveal().isBlank());
    List<AccessKeyInfo> keys = gateway.listAccessKeys("alice");
    assertEquals(1, keys.size());
    assertEquals(key.accessKeyId(), keys.get(0).accessKeyId());
    assertEquals(KeyStatus.ACTIVE, keys.get(0).status());
    assertNotNull(keys.get(0).createdAt());
    assertCloseToNow(keys.get(0).createdAt());
  }

  @Test
  void deleteAccessKey_deletesIt_andAMissingKeyIsFine() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());
    NewAccessKey key = gateway.createAccessKey("alice");

    gateway.deleteAccessKey("alice", key.accessKeyId());

    assertEquals(List.of(), gateway.listAccessKeys("alice"));
    assertDoesNotThrow(() -> gateway.deleteAccessKey("alice", key.accessKeyId()));
  }

  @Test
  void deleteLoginProfile_noneExists_isFine() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    assertDoesNotThrow(() -> gateway.deleteLoginProfile("alice"));
  }

  @Test
  void createLoginProfile_resetRequired_isSentToIam() {
    // moto ignores PasswordResetRequired, so check what the SDK was asked to send.
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    gateway.createLoginProfile(
        "alice", passwords.generate(PasswordPolicy.AWS_DEFAULT), /* passwordResetRequired= */ true);

    assertEquals(List.of(true), recorder.loginProfileResetRequired);
  }

  @Test
  void deleteUser_missingUser_isFine() {
    assertDoesNotThrow(() -> gateway.deleteUser("nobody"));
  }

  @Test
  void teardown_everyKindMotoHas_removesEachInIamsOrderThenTheUser() {
    gateway.createUser("alice", "/keysmith/", Map.of("ticket", "OPS-42"), Optional.empty());
    gateway.createLoginProfile(
        "alice",
        passwords.generate(PasswordPolicy.AWS_DEFAULT),
        /* passwordResetRequired= */ false);
    gateway.createAccessKey("alice");
    gateway.createAccessKey("alice");
    String cert =
        iam.uploadSigningCertificate(
                r -> r.userName("alice").certificateBody(resource("iam/signing-certificate.pem")))
            .certificate()
            .certificateId();
    String sshKey =
        iam.uploadSSHPublicKey(
                r -> r.userName("alice").sshPublicKeyBody(resource("iam/ssh-public-key.pub")))
            .sshPublicKey()
            .sshPublicKeyId();
    String mfa =
        iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("alice"))
            .virtualMFADevice()
            .serialNumber();
    iam.enableMFADevice(
        r ->
            r.userName("alice")
                .serialNumber(mfa)
                .authenticationCode1("123456")
                .authenticationCode2("654321"));
    iam.createGroup(r -> r.groupName("devs"));
    gateway.addUserToGroup("alice", "devs");
    String policyArn =
        iam.createPolicy(r -> r.policyName("read-only").policyDocument(POLICY_DOCUMENT))
            .policy()
            .arn();
    iam.attachUserPolicy(r -> r.userName("alice").policyArn(policyArn));
    iam.putUserPolicy(
        r -> r.userName("alice").policyName("inline").policyDocument(POLICY_DOCUMENT));
    assertEquals(List.of(cert), gateway.signingCertificates("alice"));
    assertEquals(List.of(sshKey), gateway.sshPublicKeys("alice"));
    assertEquals(List.of(mfa), gateway.mfaDevices("alice"));
    assertTrue(gateway.hasLoginProfile("alice"));
    recorder.operations.clear();

    Teardown teardown = new Teardown(gateway);
    for (OffboardStep step : OffboardStep.values()) {
      // moto has no service-specific credentials (it answers HTTP 500); OffboardIT stands in.
      if (step != OffboardStep.SERVICE_CREDENTIALS) {
        teardown.run(step, "alice", (s, thing) -> {});
      }
    }

    assertFalse(gateway.userNames().contains("alice"));
    // moto deletes a user that still has keys, a login profile or groups (AWS refuses), and then
    // leaves it listed in the group; so check what was called, and the group itself.
    List<String> deletions =
        recorder.operations.stream()
            .filter(op -> !op.startsWith("List") && !op.startsWith("Get"))
            .toList();
    assertEquals(
        List.of(
            "DeleteAccessKey",
            "DeleteAccessKey",
            "DeleteLoginProfile",
            "DeleteSigningCertificate",
            "DeleteSSHPublicKey",
            "DeactivateMFADevice",
            "DeleteVirtualMFADevice",
            "RemoveUserFromGroup",
            "DetachUserPolicy",
            "DeleteUserPolicy",
            "DeleteUser"),
        deletions);
    assertEquals(List.of(), iam.getGroup(r -> r.groupName("devs")).users());
    assertTrue(iam.listVirtualMFADevices().virtualMFADevices().isEmpty());
  }

  /** A text file of the test resources. */
  static String resource(String path) {
    try (InputStream in = AwsIamGatewayIT.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + path);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void removals_ofThingsAlreadyGone_areFine() {
    gateway.createUser("alice", "/", Map.of(), Optional.empty());

    assertDoesNotThrow(
        () -> {
          gateway.deleteSigningCertificate("alice", "A".repeat(24));
          gateway.deleteSshPublicKey("alice", "APKA" + "A".repeat(16));
          gateway.removeMfaDevice("alice", "arn:aws:iam::123456789012:mfa/nobody");
          gateway.removeUserFromGroup("alice", "nowhere");
          gateway.detachUserPolicy("alice", "arn:aws:iam::123456789012:policy/none");
          gateway.deleteUserPolicy("alice", "none");
          gateway.deleteLoginProfile("alice");
        });
    assertFalse(gateway.hasLoginProfile("alice"));
  }

  @Test
  void listings_ofAMissingUser_failWithNoSuchEntity() {
    IamException e = assertThrows(IamException.class, () -> gateway.sshPublicKeys("nobody"));

    assertEquals("NoSuchEntity", e.errorCode());
  }

  @Test
  void passwordPolicy_noneSet_isAwsDefault() {
    assertEquals(PasswordPolicy.AWS_DEFAULT, gateway.passwordPolicy());
  }

  @Test
  void passwordPolicy_afterUpdate_isTheAccountsPolicy() {
    iam.updateAccountPasswordPolicy(
        r -> r.minimumPasswordLength(14).requireSymbols(true).requireNumbers(true));

    assertEquals(new PasswordPolicy(14, false, false, true, true), gateway.passwordPolicy());
  }

  @Test
  void consoleSignInUrl_usesTheAccountIdThenTheAliasOnceThereIsOne() {
    assertEquals(
        "https://" + MOTO_ACCOUNT + ".signin.aws.amazon.com/console", gateway.consoleSignInUrl());

    iam.createAccountAlias(r -> r.accountAlias("acme-prod"));

    assertEquals("https://acme-prod.signin.aws.amazon.com/console", gateway.consoleSignInUrl());
  }

  private static Map<String, KeyStatus> statuses(List<AccessKeyInfo> keys) {
    return keys.stream().collect(toMap(AccessKeyInfo::accessKeyId, AccessKeyInfo::status));
  }

  private static AwsCredentialsProvider credentialsOf(NewAccessKey key) {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey().reveal()));
  }

  // moto stamps times with its own clock, which is this machine's real one.
  private static void assertCloseToNow(Instant at) {
    Duration off = Duration.between(at, Instant.now()).abs();
    assertTrue(off.compareTo(CLOCK_TOLERANCE) < 0, () -> at + " is " + off + " away from now");
  }

  private static void assertNoSecretIn(Throwable failure, Secret... secrets) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      for (Secret secret : secrets) {
        assertFalse(
            String.valueOf(t.getMessage()).contains(secret.reveal()), t.getClass().getName());
        assertFalse(t.toString().contains(secret.reveal()), t.getClass().getName());
      }
    }
  }

  /** Captures each operation's name and every CreateUser request as modelled and as sent. */
  private static final class Recorder implements ExecutionInterceptor {
    final List<String> operations = new CopyOnWriteArrayList<>();
    final List<CreateUserRequest> createUsers = new CopyOnWriteArrayList<>();
    final List<String> createUserBodies = new CopyOnWriteArrayList<>();
    final List<Boolean> loginProfileResetRequired = new CopyOnWriteArrayList<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
      if (context.request() instanceof CreateUserRequest request) {
        createUsers.add(request);
      }
      if (context.request() instanceof CreateLoginProfileRequest request) {
        loginProfileResetRequired.add(request.passwordResetRequired());
      }
    }

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      // For IAM's query protocol, context.requestBody() is empty here; the signed form body is
      // the full HTTP request's content.
      if (context.request() instanceof CreateUserRequest
          && context.httpRequest() instanceof SdkHttpFullRequest sent) {
        createUserBodies.add(
            sent.contentStreamProvider().map(body -> read(body.newStream())).orElse(""));
      }
    }

    private static String read(InputStream body) {
      try (body) {
        return new String(body.readAllBytes(), UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
