package dev.keysmith.iam;

import dev.keysmith.core.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keysmith's port to AWS IAM. Every method either succeeds or throws {@link IamException} with a
 * plain-words message; no method logs or returns a secret except inside a {@link Secret}.
 */
public interface IamGateway {

  /** Names of all IAM groups in the account. */
  Set<String> groupNames();

  /** Names of all IAM users in the account. */
  Set<String> userNames();

  /**
   * Creates a user under {@code path} with {@code tags} and the boundary, when one is given. IAM
   * refuses a name that differs from an existing user's only in case ({@code EntityAlreadyExists}).
   */
  void createUser(String name, String path, Map<String, String> tags, Optional<String> boundaryArn);

  /** Adds {@code user} to {@code group}. */
  void addUserToGroup(String user, String group);

  /**
   * Deletes the user itself; IAM refuses ({@code DeleteConflict}) while anything of it remains
   * (keys, login profile, certificates, SSH keys, service credentials, MFA devices, groups,
   * policies), which {@code offboard.Teardown} removes first. A user that does not exist is not an
   * error.
   */
  void deleteUser(String name);

  /** Whether the user has a console password (a login profile). */
  boolean hasLoginProfile(String user);

  /** The ids of the user's X.509 signing certificates. */
  List<String> signingCertificates(String user);

  /** Deletes one signing certificate; one that no longer exists is not an error. */
  void deleteSigningCertificate(String user, String certificateId);

  /** The ids of the user's SSH public keys (for CodeCommit). */
  List<String> sshPublicKeys(String user);

  /** Deletes one SSH public key; one that no longer exists is not an error. */
  void deleteSshPublicKey(String user, String sshPublicKeyId);

  /** The user's service-specific credentials (CodeCommit, Keyspaces, Bedrock...). */
  List<ServiceCredential> serviceSpecificCredentials(String user);

  /** Deletes one service-specific credential; one that no longer exists is not an error. */
  void deleteServiceSpecificCredential(String user, String credentialId);

  /** The serial numbers of the user's MFA devices (an ARN for a virtual device). */
  List<String> mfaDevices(String user);

  /**
   * Deactivates one MFA device of the user and, for a virtual one, deletes it; one already gone is
   * not an error.
   */
  void removeMfaDevice(String user, String serialNumber);

  /** Removes {@code user} from {@code group}; not being in it is not an error. */
  void removeUserFromGroup(String user, String group);

  /** The ARNs of the managed policies attached to the user. */
  List<String> attachedPolicies(String user);

  /** Detaches one managed policy from the user; one not attached is not an error. */
  void detachUserPolicy(String user, String policyArn);

  /** The names of the user's inline policies. */
  List<String> inlinePolicies(String user);

  /** Deletes one inline policy of the user; one that no longer exists is not an error. */
  void deleteUserPolicy(String user, String policyName);

  /** The user's tags, or empty when the user does not exist. */
  Optional<Map<String, String>> userTags(String name);

  /** The names of the IAM groups {@code user} is in. */
  Set<String> groupsOfUser(String user);

  /** Adds {@code tags} (at least one) to {@code user}, replacing the values of keys it has. */
  void tagUser(String user, Map<String, String> tags);

  /** Creates an access key for {@code user}. */
  NewAccessKey createAccessKey(String user);

  /** The user's access keys. */
  List<AccessKeyInfo> listAccessKeys(String user);

  /** Deletes one access key; a key that no longer exists is not an error. */
  void deleteAccessKey(String user, String accessKeyId);

  /** Makes one of the user's access keys Active or Inactive. */
  void setAccessKeyStatus(String user, String accessKeyId, boolean active);

  /** Which user owns an access key of this account, and when and where it was last used. */
  KeyLastUsed accessKeyLastUsed(String accessKeyId);

  /** Creates the console login profile; the user must change the password when required. */
  void createLoginProfile(String user, Secret password, boolean passwordResetRequired);

  /** Deletes the console login profile; none is not an error. */
  void deleteLoginProfile(String user);

  /** The account password policy, or AWS's default when none is set. */
  PasswordPolicy passwordPolicy();

  /** The console sign-in URL, using the account alias when there is one, else the account id. */
  String consoleSignInUrl();

  /** A service-specific credential: its id and the service it is for, never its password. */
  record ServiceCredential(String id, String serviceName) {}

  /** A newly created access key: its id and, this once, its secret. */
  record NewAccessKey(String accessKeyId, Secret secretAccessKey) {}

  /** An existing access key, without its secret (IAM never returns it again). */
  record AccessKeyInfo(String accessKeyId, KeyStatus status, Instant createdAt) {
    /** Whether the key works now. */
    public boolean active() {
      return status.active();
    }
  }

  /**
   * The last use of an access key as IAM tracks it; all three are empty for a never-used key.
   *
   * @param userName the IAM user who owns the key
   * @param service the service the key last called, such as {@code iam} or {@code s3}
   * @param region the region of that call, such as {@code us-east-1}
   */
  record KeyLastUsed(
      String userName, Optional<Instant> at, Optional<String> service, Optional<String> region) {}
}
