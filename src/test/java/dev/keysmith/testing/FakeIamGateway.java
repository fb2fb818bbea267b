package dev.keysmith.testing;

import dev.keysmith.core.Secret;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.KeyStatus;
import dev.keysmith.iam.PasswordPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link IamGateway} for unit tests: users, groups, keys and login profiles, IAM's
 * case-insensitive names and 2-key limit, key status and last use, a log of the calls made, and
 * failures on demand.
 */
public final class FakeIamGateway implements IamGateway {
  /** IAM's quota of tags on one user. */
  public static final int MAX_TAGS = 50;

  /** One access key as the fake keeps it: its status and last use change. */
  public static final class FakeKey {
    public final String id;
    public final String user;
    public final Instant createdAt;
    public boolean active = true;
    public Optional<Instant> lastUsedAt = Optional.empty();
    public Optional<String> lastUsedService = Optional.empty();
    public Optional<String> lastUsedRegion = Optional.empty();

    FakeKey(String id, String user, Instant createdAt) {
      this.id = id;
      this.user = user;
      this.createdAt = createdAt;
    }

    /** The key as {@link IamGateway#listAccessKeys} shows it. */
    public AccessKeyInfo info() {
      return new AccessKeyInfo(id, active ? KeyStatus.ACTIVE : KeyStatus.INACTIVE, createdAt);
    }
  }

  /** One IAM user as the fake keeps it. */
  public static final class FakeUser {
    public final String name;
    public final String path;
    public final Map<String, String> tags;
    public final Optional<String> boundary;
    public final Set<String> groups = new TreeSet<>();
    public final List<FakeKey> keys = new ArrayList<>();
    public boolean loginProfile;
    public final List<String> signingCertificates = new ArrayList<>();
    public final List<String> sshPublicKeys = new ArrayList<>();
    public final List<ServiceCredential> serviceCredentials = new ArrayList<>();
    public final List<String> mfaDevices = new ArrayList<>();
    public final List<String> attachedPolicies = new ArrayList<>();
    public final List<String> inlinePolicies = new ArrayList<>();

    /** Whether IAM would refuse to delete the user ({@code DeleteConflict}). */
    boolean hasDependents() {
      return !keys.isEmpty()
          || loginProfile
          || !signingCertificates.isEmpty()
          || !sshPublicKeys.isEmpty()
          || !serviceCredentials.isEmpty()
          || !mfaDevices.isEmpty()
          || !groups.isEmpty()
          || !attachedPolicies.isEmpty()
          || !inlinePolicies.isEmpty();
    }

    FakeUser(String name, String path, Map<String, String> tags, Optional<String> boundary) {
      this.name = name;
      this.path = path;
      this.tags = new LinkedHashMap<>(tags);
      this.boundary = boundary;
    }
  }

  public final Map<String, FakeUser> users = new ConcurrentHashMap<>();
  public final Set<String> groups = ConcurrentHashMap.newKeySet();
  public final List<String> calls = new ArrayList<>();

  /** The account's virtual MFA devices, by serial number (an ARN). */
  public final Set<String> virtualMfaDevices = ConcurrentHashMap.newKeySet();

  /**
   * Whether DeleteUser refuses a user that still has anything ({@code DeleteConflict}), as IAM does
   * (moto does not); off by default for tests that delete users to set a scene.
   */
  public volatile boolean refusesDeleteWithDependents;

  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
  private final Clock clock;
  private PasswordPolicy policy = PasswordPolicy.AWS_DEFAULT;
  private int keyCounter;

  /** A fake whose keys are all created at the epoch. */
  public FakeIamGateway() {
    this(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
  }

  /** A fake that dates new keys by {@code clock}. */
  public FakeIamGateway(Clock clock) {
    this.clock = clock;
  }

  /** The next call of {@code operation} fails with IAM error {@code code}. */
  public void failNext(String operation, String code) {
    failures.put(operation, code);
  }

  public void setPasswordPolicy(PasswordPolicy policy) {
    this.policy = policy;
  }

  /** Records that key {@code keyId} was used, as IAM would after a request signed with it. */
  public synchronized void markUsed(String keyId, Instant at, String service, String region) {
    FakeKey key =
        key(keyId).orElseThrow(() -> new IllegalArgumentException("no fake key " + keyId));
    key.lastUsedAt = Optional.of(at);
    key.lastUsedService = Optional.of(service);
    key.lastUsedRegion = Optional.of(region);
  }

  /**
   * Runs {@code hook} on the calling thread when CreateAccessKey is next called, before the fake
   * takes its lock, so the hook may wait for another thread's calls (to pin down a race).
   */
  public void onNextCreateAccessKey(Runnable hook) {
    hooks.put("CreateAccessKey", hook);
  }

  private synchronized void call(String operation, String subject) {
    calls.add(operation + " " + subject);
    String code = failures.remove(operation);
    if (code != null) {
      throw new IamException(
          code, "IAM refused " + operation + " for " + subject + " (" + code + ")", null);
    }
  }

  private Optional<FakeKey> key(String keyId) {
    return users.values().stream()
        .flatMap(u -> u.keys.stream())
        .filter(k -> k.id.equals(keyId))
        .findFirst();
  }

  private FakeUser user(String name) {
    FakeUser u = users.get(name);
    if (u == null) {
      throw new IamException("NoSuchEntity", "no user " + name + " (NoSuchEntity)", null);
    }
    return u;
  }

  @Override
  public Set<String> groupNames() {
    call("ListGroups", "");
    return Set.copyOf(groups);
  }

  @Override
  public Set<String> userNames() {
    call("ListUsers", "");
    return Set.copyOf(users.keySet());
  }

  @Override
  public void createUser(
      String name, String path, Map<String, String> tags, Optional<String> boundaryArn) {
    call("CreateUser", name);
    // As IAM: names that differ only in case are the same name (moto compares them exactly).
    if (users.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
      throw new IamException("EntityAlreadyExists", "user " + name + " exists", null);
    }
    users.put(name, new FakeUser(name, path, tags, boundaryArn));
  }

  @Override
  public void addUserToGroup(String user, String group) {
    call("AddUserToGroup", user + " " + group);
    if (!groups.contains(group)) {
      throw new IamException("NoSuchEntity", "no group " + group + " (NoSuchEntity)", null);
    }
    user(user).groups.add(group);
  }

  @Override
  public synchronized void deleteUser(String name) {
    call("DeleteUser", name);
    FakeUser u = users.get(name);
    if (u != null && refusesDeleteWithDependents && u.hasDependents()) {
      throw new IamException(
          "DeleteConflict", "user " + name + " still has things (DeleteConflict)", null);
    }
    users.remove(name);
  }

  @Override
  public synchronized boolean hasLoginProfile(String user) {
    call("GetLoginProfile", user);
    FakeUser u = users.get(user);
    return u != null && u.loginProfile;
  }

  @Override
  public synchronized List<String> signingCertificates(String user) {
    call("ListSigningCertificates", user);
    return List.copyOf(user(user).signingCertificates);
  }

  @Override
  public synchronized void deleteSigningCertificate(String user, String certificateId) {
    call("DeleteSigningCertificate", user + " " + certificateId);
    ifPresent(user, u -> u.signingCertificates.remove(certificateId));
  }

  @Override
  public synchronized List<String> sshPublicKeys(String user) {
    call("ListSSHPublicKeys", user);
    return List.copyOf(user(user).sshPublicKeys);
  }

  @Override
  public synchronized void deleteSshPublicKey(String user, String sshPublicKeyId) {
    call("DeleteSSHPublicKey", user + " " + sshPublicKeyId);
    ifPresent(user, u -> u.sshPublicKeys.remove(sshPublicKeyId));
  }

  @Override
  public synchronized List<ServiceCredential> serviceSpecificCredentials(String user) {
    call("ListServiceSpecificCredentials", user);
    return List.copyOf(user(user).serviceCredentials);
  }

  @Override
  public synchronized void deleteServiceSpecificCredential(String user, String credentialId) {
    call("DeleteServiceSpecificCredential", user + " " + credentialId);
    ifPresent(user, u -> u.serviceCredentials.removeIf(c -> c.id().equals(credentialId)));
  }

  @Override
  public synchronized List<String> mfaDevices(String user) {
    call("ListMFADevices", user);
    return List.copyOf(user(user).mfaDevices);
  }

  @Override
  public synchronized void removeMfaDevice(String user, String serialNumber) {
    call("DeactivateMFADevice", user + " " + serialNumber);
    ifPresent(user, u -> u.mfaDevices.remove(serialNumber));
    if (serialNumber.startsWith("arn:")) {
      call("DeleteVirtualMFADevice", serialNumber);
      virtualMfaDevices.remove(serialNumber);
    }
  }

  @Override
  public synchronized void removeUserFromGroup(String user, String group) {
    call("RemoveUserFromGroup", user + " " + group);
    ifPresent(user, u -> u.groups.remove(group));
  }

  @Override
  public synchronized List<String> attachedPolicies(String user) {
    call("ListAttachedUserPolicies", user);
    return List.copyOf(user(user).attachedPolicies);
  }

  @Override
  public synchronized void detachUserPolicy(String user, String policyArn) {
    call("DetachUserPolicy", user + " " + policyArn);
    ifPresent(user, u -> u.attachedPolicies.remove(policyArn));
  }

  @Override
  public synchronized List<String> inlinePolicies(String user) {
    call("ListUserPolicies", user);
    return List.copyOf(user(user).inlinePolicies);
  }

  @Override
  public synchronized void deleteUserPolicy(String user, String policyName) {
    call("DeleteUserPolicy", user + " " + policyName);
    ifPresent(user, u -> u.inlinePolicies.remove(policyName));
  }

  private void ifPresent(String user, java.util.function.Consumer<FakeUser> change) {
    FakeUser u = users.get(user);
    if (u != null) {
      change.accept(u);
    }
  }

  @Override
  public Optional<Map<String, String>> userTags(String name) {
    call("ListUserTags", name);
    FakeUser u = users.get(name);
    return u == null ? Optional.empty() : Optional.of(Map.copyOf(u.tags));
  }

  @Override
  public synchronized Set<String> groupsOfUser(String user) {
    call("ListGroupsForUser", user);
    return Set.copyOf(user(user).groups);
  }

  @Override
  public synchronized void tagUser(String user, Map<String, String> tags) {
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("TagUser needs at least one tag");
    }
    call("TagUser", user);
    FakeUser u = user(user);
    // IAM User Guide, "Tagging IAM resources": user tag keys are not case sensitive, so Team
    // replaces team (moto keeps both). Which spelling IAM then keeps is not documented; this keeps
    // the new one.
    Map<String, String> merged = new LinkedHashMap<>(u.tags);
    tags.keySet().forEach(k -> merged.keySet().removeIf(k::equalsIgnoreCase));
    merged.putAll(tags);
    if (merged.size() > MAX_TAGS) {
      throw new IamException(
          "LimitExceeded", "user " + user + " would have more than 50 tags (LimitExceeded)", null);
    }
    u.tags.clear();
    u.tags.putAll(merged);
  }

  @Override
  public NewAccessKey createAccessKey(String user) {
    Runnable hook = hooks.remove("CreateAccessKey");
    if (hook != null) {
      hook.run();
    }
    return mintKey(user);
  }

  private synchronized NewAccessKey mintKey(String user) {
    call("CreateAccessKey", user);
    FakeUser u = user(user);
    if (u.keys.size() >= 2) {
      throw new IamException("LimitExceeded", "2 keys already (LimitExceeded)", null);
    }
    String id = String.format("AKIAFAKE%012d", ++keyCounter);
    u.keys.add(new FakeKey(id, user, clock.instant()));
    return new NewAccessKey(id, new Secret("fake-secret-" + keyCounter + "-" + "x".repeat(20)));
  }

  @Override
  public synchronized List<AccessKeyInfo> listAccessKeys(String user) {
    call("ListAccessKeys", user);
    return user(user).keys.stream().map(FakeKey::info).toList();
  }

  @Override
  public synchronized void deleteAccessKey(String user, String accessKeyId) {
    call("DeleteAccessKey", user + " " + accessKeyId);
    FakeUser u = users.get(user);
    if (u != null) {
      u.keys.removeIf(k -> k.id.equals(accessKeyId));
    }
  }

  @Override
  public synchronized void setAccessKeyStatus(String user, String accessKeyId, boolean active) {
    call("UpdateAccessKey", user + " " + accessKeyId + " " + (active ? "Active" : "Inactive"));
    FakeKey key =
        user(user).keys.stream()
            .filter(k -> k.id.equals(accessKeyId))
            .findFirst()
            .orElseThrow(
                () ->
                    new IamException(
                        "NoSuchEntity",
                        "user " + user + " has no access key " + accessKeyId + " (NoSuchEntity)",
                        null));
    key.active = active;
  }

  @Override
  public synchronized KeyLastUsed accessKeyLastUsed(String accessKeyId) {
    call("GetAccessKeyLastUsed", accessKeyId);
    FakeKey key =
        key(accessKeyId)
            .orElseThrow(
                () ->
                    new IamException(
                        "NoSuchEntity",
                        "no access key " + accessKeyId + " exists in this account (NoSuchEntity)",
                        null));
    return new KeyLastUsed(key.user, key.lastUsedAt, key.lastUsedService, key.lastUsedRegion);
  }

  @Override
  public void createLoginProfile(String user, Secret password, boolean passwordResetRequired) {
    call("CreateLoginProfile", user);
    user(user).loginProfile = true;
  }

  @Override
  public void deleteLoginProfile(String user) {
    call("DeleteLoginProfile", user);
    FakeUser u = users.get(user);
    if (u != null) {
      u.loginProfile = false;
    }
  }

  @Override
  public PasswordPolicy passwordPolicy() {
    call("GetAccountPasswordPolicy", "");
    return policy;
  }

  @Override
  public String consoleSignInUrl() {
    call("ListAccountAliases", "");
    return "https://123456789012.signin.aws.amazon.com/console";
  }
}
