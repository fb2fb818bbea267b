package dev.keysmith.testing;

import dev.keysmith.delivery.Secret;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.PasswordPolicy;
import java.time.Instant;
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
 * case-insensitive names and 2-key limit, a log of the calls made, and failures on demand.
 */
public final class FakeIamGateway implements IamGateway {
  /** One IAM user as the fake keeps it. */
  public static final class FakeUser {
    public final String name;
    public final String path;
    public final Map<String, String> tags;
    public final Optional<String> boundary;
    public final Set<String> groups = new TreeSet<>();
    public final List<AccessKeyInfo> keys = new ArrayList<>();
    public boolean loginProfile;

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
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private PasswordPolicy policy = PasswordPolicy.AWS_DEFAULT;
  private int keyCounter;

  /** The next call of {@code operation} fails with IAM error {@code code}. */
  public void failNext(String operation, String code) {
    failures.put(operation, code);
  }

  public void setPasswordPolicy(PasswordPolicy policy) {
    this.policy = policy;
  }

  private synchronized void call(String operation, String subject) {
    calls.add(operation + " " + subject);
    String code = failures.remove(operation);
    if (code != null) {
      throw new IamException(
          code, "IAM refused " + operation + " for " + subject + " (" + code + ")", null);
    }
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
  public Optional<String> findUserIgnoringCase(String name) {
    call("ListUsers", name);
    return users.keySet().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst();
  }

  @Override
  public void createUser(
      String name, String path, Map<String, String> tags, Optional<String> boundaryArn) {
    call("CreateUser", name);
    if (findUserIgnoringCase(name).isPresent()) {
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
  public void deleteUser(String name) {
    call("DeleteUser", name);
    users.remove(name);
  }

  @Override
  public Optional<Map<String, String>> userTags(String name) {
    call("ListUserTags", name);
    FakeUser u = users.get(name);
    return u == null ? Optional.empty() : Optional.of(Map.copyOf(u.tags));
  }

  @Override
  public synchronized NewAccessKey createAccessKey(String user) {
    call("CreateAccessKey", user);
    FakeUser u = user(user);
    if (u.keys.size() >= 2) {
      throw new IamException("LimitExceeded", "2 keys already (LimitExceeded)", null);
    }
    String id = String.format("AKIAFAKE%012d", ++keyCounter);
    u.keys.add(new AccessKeyInfo(id, "Active", Instant.EPOCH));
    return new NewAccessKey(id, new Secret("fake-secret-" + keyCounter + "-" + "x".repeat(20)));
  }

  @Override
  public List<AccessKeyInfo> listAccessKeys(String user) {
    call("ListAccessKeys", user);
    return List.copyOf(user(user).keys);
  }

  @Override
  public void deleteAccessKey(String user, String accessKeyId) {
    call("DeleteAccessKey", user + " " + accessKeyId);
    FakeUser u = users.get(user);
    if (u != null) {
      u.keys.removeIf(k -> k.accessKeyId().equals(accessKeyId));
    }
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
