package dev.keysmith.iam;

import static dev.keysmith.iam.IamErrors.DELETE_CONFLICT;
import static dev.keysmith.iam.IamErrors.ENTITY_ALREADY_EXISTS;
import static dev.keysmith.iam.IamErrors.LIMIT_EXCEEDED;
import static dev.keysmith.iam.IamErrors.NO_SUCH_ENTITY;
import static java.util.stream.Collectors.toUnmodifiableMap;

import dev.keysmith.core.Liveness;
import dev.keysmith.core.Secret;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyLastUsed;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;
import software.amazon.awssdk.services.iam.model.GetAccessKeyLastUsedResponse;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.MFADevice;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.SSHPublicKeyMetadata;
import software.amazon.awssdk.services.iam.model.SigningCertificate;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;

/** {@link IamGateway} over the AWS SDK's IAM and STS clients. */
public final class AwsIamGateway implements IamGateway {
  private static final Logger log = LoggerFactory.getLogger(AwsIamGateway.class);

  private static final Map<String, String> USER_MISSING =
      Map.of(NO_SUCH_ENTITY, "the user does not exist");

  // What GetAccessKeyLastUsed puts in ServiceName and Region for a key never used.
  private static final String NOT_APPLICABLE = "N/A";
  // IAM's largest ListUsers page (the default is 100): a tenth of the round trips per full list.
  private static final int LIST_PAGE = 1000;

  private final Supplier<IamClient> iam;
  private final Supplier<StsClient> sts;

  private final Liveness liveness;

  /**
   * A gateway over clients the caller owns and closes; IAM calls' outcomes go to {@code liveness}.
   */
  public AwsIamGateway(IamClient iam, StsClient sts, Liveness liveness) {
    this(
        constant(Objects.requireNonNull(iam, "iam")),
        constant(Objects.requireNonNull(sts, "sts")),
        liveness);
  }

  /**
   * A gateway over clients made when first needed (see {@link AwsClients#lazily}); each IAM call's
   * outcome goes to {@code liveness}: an answer as a success, an AWS SDK failure as a failure.
   */
  public AwsIamGateway(Supplier<IamClient> iam, Supplier<StsClient> sts, Liveness liveness) {
    this.iam = Objects.requireNonNull(iam, "iam");
    this.sts = Objects.requireNonNull(sts, "sts");
    this.liveness = Objects.requireNonNull(liveness, "liveness");
  }

  private static <T> Supplier<T> constant(T value) {
    return () -> value;
  }

  @Override
  public Set<String> groupNames() {
    return call(
        "list the IAM groups",
        Map.of(),
        () ->
            sorted(
                iam.get().listGroupsPaginator().groups().stream().map(Group::groupName).toList()));
  }

  @Override
  public Set<String> userNames() {
    return call(
        "list the IAM users",
        Map.of(),
        () ->
            sorted(
                iam.get().listUsersPaginator(r -> r.maxItems(LIST_PAGE)).users().stream()
                    .map(User::userName)
                    .toList()));
  }

  @Override
  public void createUser(
      String name, String path, Map<String, String> tags, Optional<String> boundaryArn) {
    CreateUserRequest.Builder request = CreateUserRequest.builder().userName(name).path(path);
    if (!tags.isEmpty()) {
      request.tags(awsTags(tags));
    }
    boundaryArn.ifPresent(request::permissionsBoundary);
    run(
        "create user " + name,
        Map.of(
            ENTITY_ALREADY_EXISTS,
            "a user with that name already exists (IAM user names are not case-sensitive)",
            NO_SUCH_ENTITY,
            "the permissions boundary policy does not exist"),
        () -> iam.get().createUser(request.build()));
    log.info("Created IAM user {} under path {}", name, path);
  }

  @Override
  public void addUserToGroup(String user, String group) {
    run(
        "add user " + user + " to group " + group,
        Map.of(
            NO_SUCH_ENTITY, "the user or the group does not exist",
            LIMIT_EXCEEDED, "the user is already in as many groups as IAM allows (10)"),
        () -> iam.get().addUserToGroup(r -> r.userName(user).groupName(group)));
  }

  @Override
  public void deleteUser(String name) {
    run(
        "delete user " + name,
        Map.of(
            DELETE_CONFLICT,
            "the user still has keys, a password, certificates, SSH keys, service credentials, MFA"
                + " devices, groups or policies, which must be removed first"),
        () -> {
          try {
            iam.get().deleteUser(r -> r.userName(name));
            log.info("Deleted IAM user {}", name);
          } catch (NoSuchEntityException gone) {
            log.info("IAM user {} does not exist; nothing to delete", name);
          }
        });
  }

  @Override
  public boolean hasLoginProfile(String user) {
    return call(
        "read the console password of user " + user,
        Map.of(),
        () -> {
          try {
            iam.get().getLoginProfile(r -> r.userName(user));
            return true;
          } catch (NoSuchEntityException none) {
            // IAM says NoSuchEntity both for no profile and for no user: either way, none.
            return false;
          }
        });
  }

  @Override
  public List<String> signingCertificates(String user) {
    return call(
        "list the signing certificates of user " + user,
        USER_MISSING,
        () ->
            iam
                .get()
                .listSigningCertificatesPaginator(r -> r.userName(user))
                .certificates()
                .stream()
                .map(SigningCertificate::certificateId)
                .toList());
  }

  @Override
  public void deleteSigningCertificate(String user, String certificateId) {
    run(
        "delete signing certificate " + certificateId + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () ->
                    iam.get()
                        .deleteSigningCertificate(
                            r -> r.userName(user).certificateId(certificateId))));
    log.info("Deleted signing certificate {} of IAM user {}", certificateId, user);
  }

  @Override
  public List<String> sshPublicKeys(String user) {
    return call(
        "list the SSH public keys of user " + user,
        USER_MISSING,
        () ->
            iam.get().listSSHPublicKeysPaginator(r -> r.userName(user)).sshPublicKeys().stream()
                .map(SSHPublicKeyMetadata::sshPublicKeyId)
                .toList());
  }

  @Override
  public void deleteSshPublicKey(String user, String sshPublicKeyId) {
    run(
        "delete SSH public key " + sshPublicKeyId + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () ->
                    iam.get()
                        .deleteSSHPublicKey(r -> r.userName(user).sshPublicKeyId(sshPublicKeyId))));
    log.info("Deleted SSH public key {} of IAM user {}", sshPublicKeyId, user);
  }

  @Override
  public List<ServiceCredential> serviceSpecificCredentials(String user) {
    // Not paginated: IAM allows two per service.
    return call(
        "list the service-specific credentials of user " + user,
        USER_MISSING,
        () ->
            iam
                .get()
                .listServiceSpecificCredentials(r -> r.userName(user))
                .serviceSpecificCredentials()
                .stream()
                .map(
                    c ->
                        new ServiceCredential(
                            c.serviceSpecificCredentialId(),
                            Objects.requireNonNullElse(c.serviceName(), "")))
                .toList());
  }

  @Override
  public void deleteServiceSpecificCredential(String user, String credentialId) {
    run(
        "delete service-specific credential " + credentialId + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () ->
                    iam.get()
                        .deleteServiceSpecificCredential(
                            r -> r.userName(user).serviceSpecificCredentialId(credentialId))));
    log.info("Deleted service-specific credential {} of IAM user {}", credentialId, user);
  }

  @Override
  public List<String> mfaDevices(String user) {
    return call(
        "list the MFA devices of user " + user,
        USER_MISSING,
        () ->
            iam.get().listMFADevicesPaginator(r -> r.userName(user)).mfaDevices().stream()
                .map(MFADevice::serialNumber)
                .toList());
  }

  @Override
  public void removeMfaDevice(String user, String serialNumber) {
    run(
        "deactivate MFA device " + serialNumber + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () ->
                    iam.get()
                        .deactivateMFADevice(r -> r.userName(user).serialNumber(serialNumber))));
    if (isVirtualMfa(serialNumber)) {
      // A hardware device's serial is not an ARN; it stays the account's, for another user.
      run(
          "delete virtual MFA device " + serialNumber,
          Map.of(),
          () ->
              ignoringMissing(
                  () -> iam.get().deleteVirtualMFADevice(r -> r.serialNumber(serialNumber))));
    }
    log.info("Removed MFA device {} of IAM user {}", serialNumber, user);
  }

  /** A virtual MFA device's serial number is its ARN, {@code arn:aws:iam::ACCOUNT:mfa/NAME}. */
  static boolean isVirtualMfa(String serialNumber) {
    return serialNumber.startsWith("arn:") && serialNumber.contains(":mfa/");
  }

  @Override
  public void removeUserFromGroup(String user, String group) {
    run(
        "remove user " + user + " from group " + group,
        Map.of(),
        () ->
            ignoringMissing(
                () -> iam.get().removeUserFromGroup(r -> r.userName(user).groupName(group))));
    log.info("Removed IAM user {} from group {}", user, group);
  }

  @Override
  public List<String> attachedPolicies(String user) {
    return call(
        "list the managed policies of user " + user,
        USER_MISSING,
        () ->
            iam
                .get()
                .listAttachedUserPoliciesPaginator(r -> r.userName(user))
                .attachedPolicies()
                .stream()
                .map(AttachedPolicy::policyArn)
                .toList());
  }

  @Override
  public void detachUserPolicy(String user, String policyArn) {
    run(
        "detach policy " + policyArn + " from user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () -> iam.get().detachUserPolicy(r -> r.userName(user).policyArn(policyArn))));
    log.info("Detached policy {} from IAM user {}", policyArn, user);
  }

  @Override
  public List<String> inlinePolicies(String user) {
    return call(
        "list the inline policies of user " + user,
        USER_MISSING,
        () ->
            iam.get().listUserPoliciesPaginator(r -> r.userName(user)).policyNames().stream()
                .toList());
  }

  @Override
  public void deleteUserPolicy(String user, String policyName) {
    run(
        "delete inline policy " + policyName + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () -> iam.get().deleteUserPolicy(r -> r.userName(user).policyName(policyName))));
    log.info("Deleted inline policy {} of IAM user {}", policyName, user);
  }

  @Override
  public Optional<Map<String, String>> userTags(String name) {
    return call(
        "read the tags of user " + name,
        Map.of(),
        () -> {
          try {
            return Optional.of(
                iam.get().listUserTagsPaginator(r -> r.userName(name)).tags().stream()
                    .collect(toUnmodifiableMap(Tag::key, Tag::value)));
          } catch (NoSuchEntityException noUser) {
            return Optional.empty();
          }
        });
  }

  @Override
  public Set<String> groupsOfUser(String user) {
    return call(
        "list the groups of user " + user,
        USER_MISSING,
        () ->
            sorted(
                iam.get().listGroupsForUserPaginator(r -> r.userName(user)).groups().stream()
                    .map(Group::groupName)
                    .toList()));
  }

  @Override
  public void tagUser(String user, Map<String, String> tags) {
    requireSomeTags(tags);
    run(
        "tag user " + user,
        Map.of(
            NO_SUCH_ENTITY, "the user does not exist",
            LIMIT_EXCEEDED, "the user would have more than 50 tags, the most IAM allows"),
        () -> iam.get().tagUser(r -> r.userName(user).tags(awsTags(tags))));
    log.info("Tagged IAM user {} with keys {}", user, new TreeSet<>(tags.keySet()));
  }

  @Override
  public NewAccessKey createAccessKey(String user) {
    AccessKey key =
        call(
            "create an access key for user " + user,
            Map.of(
                NO_SUCH_ENTITY, "the user does not exist",
                LIMIT_EXCEEDED,
                    "the user already has 2 access keys, the most IAM allows; delete one first"),
            () -> iam.get().createAccessKey(r -> r.userName(user)).accessKey());
    log.info("Created access key {} for IAM user {}", key.accessKeyId(), user);
    return new NewAccessKey(key.accessKeyId(), new Secret(key.secretAccessKey()));
  }

  @Override
  public List<AccessKeyInfo> listAccessKeys(String user) {
    return call(
        "list the access keys of user " + user,
        USER_MISSING,
        () ->
            iam.get().listAccessKeysPaginator(r -> r.userName(user)).accessKeyMetadata().stream()
                .map(k -> new AccessKeyInfo(k.accessKeyId(), status(k.status()), k.createDate()))
                .toList());
  }

  @Override
  public void deleteAccessKey(String user, String accessKeyId) {
    run(
        "delete access key " + accessKeyId + " of user " + user,
        Map.of(),
        () ->
            ignoringMissing(
                () -> iam.get().deleteAccessKey(r -> r.userName(user).accessKeyId(accessKeyId))));
    log.info("Deleted access key {} of IAM user {}", accessKeyId, user);
  }

  @Override
  public void setAccessKeyStatus(String user, String accessKeyId, boolean active) {
    StatusType status = active ? StatusType.ACTIVE : StatusType.INACTIVE;
    run(
        (active ? "activate" : "deactivate") + " access key " + accessKeyId + " of user " + user,
        Map.of(
            NO_SUCH_ENTITY, "the user has no access key with that id, or the user does not exist"),
        () ->
            iam.get()
                .updateAccessKey(r -> r.userName(user).accessKeyId(accessKeyId).status(status)));
    log.info("Made access key {} of IAM user {} {}", accessKeyId, user, status);
  }

  @Override
  public KeyLastUsed accessKeyLastUsed(String accessKeyId) {
    GetAccessKeyLastUsedResponse response =
        call(
            "look up the last use of access key " + accessKeyId,
            Map.of(NO_SUCH_ENTITY, "no access key with that id exists in this account"),
            () -> iam.get().getAccessKeyLastUsed(r -> r.accessKeyId(accessKeyId)));
    if (response.userName() == null || response.userName().isBlank()) {
      throw new IamException(
          IamErrors.UNKNOWN,
          "IAM did not say which user owns access key " + accessKeyId + ".",
          null);
    }
    AccessKeyLastUsed used = response.accessKeyLastUsed();
    return new KeyLastUsed(
        response.userName(),
        Optional.ofNullable(used == null ? null : used.lastUsedDate()),
        known(used == null ? null : used.serviceName()),
        known(used == null ? null : used.region()));
  }

  @Override
  public void createLoginProfile(String user, Secret password, boolean passwordResetRequired) {
    run(
        "create a console password for user " + user,
        Map.of(
            ENTITY_ALREADY_EXISTS, "the user already has a console password",
            NO_SUCH_ENTITY, "the user does not exist"),
        () ->
            iam.get()
                .createLoginProfile(
                    r ->
                        r.userName(user)
                            .password(password.reveal())
                            .passwordResetRequired(passwordResetRequired)));
    log.info("Created a console password for IAM user {}", user);
  }

  @Override
  public void deleteLoginProfile(String user) {
    run(
        "delete the console password of user " + user,
        Map.of(),
        () -> ignoringMissing(() -> iam.get().deleteLoginProfile(r -> r.userName(user))));
  }

  @Override
  public PasswordPolicy passwordPolicy() {
    return call(
        "read the account password policy",
        Map.of(),
        () -> {
          try {
            var policy = iam.get().getAccountPasswordPolicy().passwordPolicy();
            Integer length = policy.minimumPasswordLength();
            return new PasswordPolicy(
                length == null
                    ? PasswordPolicy.AWS_DEFAULT.minimumLength()
                    : Math.max(6, Math.min(128, length)),
                Boolean.TRUE.equals(policy.requireUppercaseCharacters()),
                Boolean.TRUE.equals(policy.requireLowercaseCharacters()),
                Boolean.TRUE.equals(policy.requireNumbers()),
                Boolean.TRUE.equals(policy.requireSymbols()));
          } catch (NoSuchEntityException noneSet) {
            return PasswordPolicy.AWS_DEFAULT;
          }
        });
  }

  @Override
  public String consoleSignInUrl() {
    Optional<String> alias =
        call(
            "list the account aliases",
            Map.of(),
            () -> iam.get().listAccountAliasesPaginator().accountAliases().stream().findFirst());
    String account = alias.orElseGet(this::accountId);
    return "https://" + account + ".signin.aws.amazon.com/console";
  }

  private String accountId() {
    try {
      return sts.get().getCallerIdentity().account();
    } catch (SdkException e) {
      throw IamErrors.translate("STS", "look up the AWS account id", Map.of(), e);
    }
  }

  private <T> T call(String action, Map<String, String> explanations, Supplier<T> body) {
    try {
      T result = body.get();
      liveness.ok();
      return result;
    } catch (SdkException e) {
      liveness.failed();
      throw IamErrors.translate("IAM", action, explanations, e);
    }
  }

  private void run(String action, Map<String, String> explanations, Runnable body) {
    call(
        action,
        explanations,
        () -> {
          body.run();
          return null;
        });
  }

  private static List<Tag> awsTags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
        .toList();
  }

  private static void requireSomeTags(Map<String, String> tags) {
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("TagUser needs at least one tag");
    }
  }

  private static Optional<String> known(@Nullable String value) {
    return value == null || value.isBlank() || NOT_APPLICABLE.equals(value)
        ? Optional.empty()
        : Optional.of(value);
  }

  private static void ignoringMissing(Runnable call) {
    try {
      call.run();
    } catch (NoSuchEntityException alreadyGone) {
      // Deleting something that is not there leaves the state the caller asked for.
    }
  }

  private static Set<String> sorted(List<String> names) {
    return Collections.unmodifiableSortedSet(new TreeSet<>(names));
  }

  private static KeyStatus status(StatusType status) {
    // IAM knows Active, Inactive and Expired (for some service credentials); only Active works.
    return status == StatusType.ACTIVE ? KeyStatus.ACTIVE : KeyStatus.INACTIVE;
  }
}
