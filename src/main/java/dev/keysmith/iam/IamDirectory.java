package dev.keysmith.iam;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.core.Broadcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cached, read-mostly facts about the IAM account that Slack interactions need within their
 * 3-second ack: offered groups, taken user names, the console sign-in URL, the password policy.
 * Entries refresh in the background. The two that acks read (offered groups, taken names) never
 * wait for IAM, cold or warm: before the first load answers they say what Keysmith knows without
 * IAM (the configured groups; no name taken), and they keep the last answer while IAM is away. A
 * clash only IAM can see then comes from CreateUser, after the ack.
 *
 * <p>With several replicas, each keeps its own caches: what Keysmith changes in IAM (a user created
 * or deleted, an owner tag written) is applied here and sent to the others through a {@link
 * Broadcast} on the topic {@value #TOPIC}, which apply it the same way.
 */
public final class IamDirectory {
  private static final Logger log = LoggerFactory.getLogger(IamDirectory.class);
  private static final String KEY = "account";

  /** The broadcast topic of user changes. */
  public static final String TOPIC = "iam-users";

  private static final String CREATED = "created";
  private static final String DELETED = "deleted";
  private static final String OWNER = "owner";
  private static final String RELOAD = "reload";

  private final List<String> configuredGroups;
  private final LoadingCache<String, List<String>> offeredGroups;
  private final LoadingCache<String, Set<String>> takenNamesLower;
  private final LoadingCache<String, String> signInUrl;
  private final LoadingCache<String, PasswordPolicy> passwordPolicy;
  private final LoadingCache<String, Map<String, List<String>>> usersByOwner;
  private final Broadcast others;

  /**
   * Caches over {@code iam}, for a replica that runs alone; {@code configuredGroups} are offered
   * when they exist in IAM.
   */
  public IamDirectory(
      IamGateway iam, List<String> configuredGroups, Executor refreshExecutor, Ticker ticker) {
    this(iam, configuredGroups, refreshExecutor, ticker, Broadcast.alone());
  }

  /**
   * Caches over {@code iam} that tell {@code others} what this replica changed, and apply what they
   * change.
   */
  public IamDirectory(
      IamGateway iam,
      List<String> configuredGroups,
      Executor refreshExecutor,
      Ticker ticker,
      Broadcast others) {
    this.others = others;
    this.configuredGroups = List.copyOf(configuredGroups);
    this.offeredGroups =
        kept(
            refreshExecutor,
            ticker,
            Duration.ofMinutes(5),
            k -> {
              Set<String> existing = iam.groupNames();
              return configuredGroups.stream().filter(existing::contains).toList();
            });
    this.takenNamesLower =
        kept(
            refreshExecutor,
            ticker,
            Duration.ofMinutes(1),
            k ->
                iam.userNames().stream()
                    .map(n -> n.toLowerCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet()));
    this.signInUrl =
        cache(refreshExecutor, ticker, Duration.ofHours(1), k -> iam.consoleSignInUrl());
    this.passwordPolicy =
        cache(refreshExecutor, ticker, Duration.ofMinutes(10), k -> iam.passwordPolicy());
    // One ListUserTags per user: fine for hundreds of users, cached because it is not free.
    this.usersByOwner = cache(refreshExecutor, ticker, Duration.ofMinutes(15), k -> owners(iam));
    others.subscribe(
        TOPIC,
        new Broadcast.Listener() {
          @Override
          public void heard(String message) {
            applyHeard(message);
          }

          @Override
          public void mayHaveMissed() {
            reloadUsers();
          }
        });
  }

  /** Applies a change another replica made, as it applied it; an unreadable one reloads. */
  private void applyHeard(String message) {
    String[] words = message.split(" ", -1);
    switch (words[0]) {
      case CREATED -> {
        if (words.length == 3) {
          addUser(words[1], words[2]);
          return;
        }
      }
      case DELETED -> {
        if (words.length == 2) {
          removeUser(words[1]);
          return;
        }
      }
      case OWNER -> {
        if (words.length == 3) {
          setOwner(words[1], words[2]);
          return;
        }
      }
      case RELOAD -> {
        reloadUsers();
        return;
      }
      default -> {}
    }
    log.warn("a user change from another replica could not be read; reloading users");
    reloadUsers();
  }

  /** Tells the others; a failure leaves them to their next reload, never fails the change. */
  private void tellOthers(String... words) {
    try {
      others.publish(TOPIC, String.join(" ", words));
    } catch (RuntimeException e) {
      log.warn(
          "could not tell the other replicas of a user change ({}); they see it at their next"
              + " reload",
          e.toString());
    }
  }

  private static Map<String, List<String>> owners(IamGateway iam) {
    Map<String, List<String>> byOwner = new TreeMap<>();
    for (String user : new TreeSet<>(iam.userNames())) {
      iam.userTags(user)
          .map(tags -> tags.get(UserTags.OWNER))
          .ifPresent(owner -> byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(user));
    }
    byOwner.replaceAll((owner, users) -> List.copyOf(users));
    return Map.copyOf(byOwner);
  }

  private static <V> LoadingCache<String, V> cache(
      Executor executor,
      Ticker ticker,
      Duration refresh,
      com.github.benmanes.caffeine.cache.CacheLoader<String, V> loader) {
    return builder(executor, ticker, refresh)
        .expireAfterWrite(refresh.multipliedBy(10))
        .build(loader);
  }

  /** Like {@link #cache}, but an entry never expires: a stale answer beats waiting for IAM. */
  private static <V> LoadingCache<String, V> kept(
      Executor executor,
      Ticker ticker,
      Duration refresh,
      com.github.benmanes.caffeine.cache.CacheLoader<String, V> loader) {
    return builder(executor, ticker, refresh).build(loader);
  }

  private static Caffeine<Object, Object> builder(
      Executor executor, Ticker ticker, Duration refresh) {
    return Caffeine.newBuilder().executor(executor).ticker(ticker).refreshAfterWrite(refresh);
  }

  /** The cached value, or {@code meanwhile} while the first load runs in the background. */
  private static <V> V known(LoadingCache<String, V> cache, V meanwhile) {
    V value = cache.getIfPresent(KEY);
    if (value != null) {
      return value;
    }
    var unused = cache.refresh(KEY);
    V loaded = cache.getIfPresent(KEY); // there already if the load ran on this thread
    return loaded != null ? loaded : meanwhile;
  }

  /**
   * The configured groups that exist in IAM, in configured order; all configured groups until IAM
   * has answered once. Never waits for IAM.
   */
  public List<String> offeredGroups() {
    return known(offeredGroups, configuredGroups);
  }

  /**
   * Whether an IAM user with this name (ignoring case) existed at the last look; false until IAM
   * has answered once. Never waits for IAM.
   */
  public boolean userNameTaken(String name) {
    return known(takenNamesLower, Set.<String>of()).contains(name.toLowerCase(Locale.ROOT));
  }

  /** The console sign-in URL. */
  public String consoleSignInUrl() {
    return signInUrl.get(KEY);
  }

  /** The account password policy. */
  public PasswordPolicy passwordPolicy() {
    return passwordPolicy.get(KEY);
  }

  /** Every owner's IAM users, as of the last look. */
  public Map<String, List<String>> usersByOwner() {
    return usersByOwner.get(KEY);
  }

  /** The IAM users whose owner tag names {@code slackUserId}, as of the last look. */
  public List<String> usersOwnedBy(String slackUserId) {
    return usersByOwner.get(KEY).getOrDefault(slackUserId, List.of());
  }

  /**
   * Records a user Keysmith just created for {@code owner}, without asking IAM: a full reload costs
   * one ListUserTags per user, far too much to repeat after every provisioning. A reload already
   * under way when this lands is discarded, so it cannot bring back the world before the change.
   */
  public void userCreated(String name, String owner) {
    addUser(name, owner);
    tellOthers(CREATED, name, owner);
  }

  private void addUser(String name, String owner) {
    String lower = name.toLowerCase(Locale.ROOT);
    takenNamesLower
        .asMap()
        .computeIfPresent(
            KEY,
            (k, names) -> {
              Set<String> next = new HashSet<>(names);
              next.add(lower);
              return Set.copyOf(next);
            });
    setOwner(name, owner);
  }

  /** Records that Keysmith deleted the user {@code name}, without asking IAM. */
  public void userDeleted(String name) {
    removeUser(name);
    tellOthers(DELETED, name);
  }

  private void removeUser(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    takenNamesLower
        .asMap()
        .computeIfPresent(
            KEY,
            (k, names) -> {
              Set<String> next = new HashSet<>(names);
              next.remove(lower);
              return Set.copyOf(next);
            });
    usersByOwner
        .asMap()
        .computeIfPresent(
            KEY,
            (k, byOwner) -> {
              Map<String, List<String>> next = new TreeMap<>();
              byOwner.forEach(
                  (o, users) -> {
                    List<String> rest = users.stream().filter(u -> !u.equals(name)).toList();
                    if (!rest.isEmpty()) {
                      next.put(o, rest);
                    }
                  });
              return Map.copyOf(next);
            });
  }

  /** Records that {@code name}'s owner tag now names {@code owner}, without asking IAM. */
  public void ownerChanged(String name, String owner) {
    setOwner(name, owner);
    tellOthers(OWNER, name, owner);
  }

  private void setOwner(String name, String owner) {
    usersByOwner
        .asMap()
        .computeIfPresent(
            KEY,
            (k, byOwner) -> {
              Map<String, List<String>> next = new TreeMap<>();
              byOwner.forEach(
                  (o, users) -> {
                    List<String> rest = users.stream().filter(u -> !u.equals(name)).toList();
                    if (!rest.isEmpty()) {
                      next.put(o, rest);
                    }
                  });
              next.merge(
                  owner,
                  List.of(name),
                  (users, added) ->
                      Stream.concat(users.stream(), added.stream()).sorted().toList());
              return Map.copyOf(next);
            });
  }

  /**
   * Reloads what it knows of users in the background, after a change Keysmith cannot describe (such
   * as a provisioning that failed half-way). Lookups meanwhile answer from the last look, so no
   * Slack ack waits for IAM; a name taken in that moment is still refused by IAM's CreateUser when
   * its request is approved.
   */
  public void usersChanged() {
    reloadUsers();
    tellOthers(RELOAD);
  }

  private void reloadUsers() {
    takenNamesLower.refresh(KEY);
    usersByOwner.refresh(KEY);
  }

  /** Forgets what it knows of users, so the next lookup asks IAM; for background work only. */
  public void forgetUsers() {
    takenNamesLower.invalidateAll();
    usersByOwner.invalidateAll();
  }

  /** Loads everything once, so the first Slack interaction does not wait for IAM. */
  public void warmUp() {
    var groups = offeredGroups.get(KEY); // loads and waits: this runs in the background
    var names = takenNamesLower.get(KEY);
    log.debug("IAM: {} offered groups, {} user names", groups.size(), names.size());
    consoleSignInUrl();
    passwordPolicy();
  }
}
