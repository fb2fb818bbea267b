package dev.keysmith.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import dev.keysmith.config.KeysmithConfig.KeyCare;
import dev.keysmith.config.KeysmithConfig.Pending;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.GroupPolicy;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The config file's shape, one record per mapping, bound by Jackson. Each record checks its values
 * as it is built; what is left out takes its default. Jackson passes null for what the file leaves
 * out, so a compact constructor replaces null even where the component is not nullable.
 */
record ConfigFile(
    Approvers approvers,
    String approvalsChannel,
    List<String> groups,
    List<String> protectedGroups,
    Iam iam,
    Delivery delivery,
    Keys keys,
    Requests requests,
    Map<String, Policy> policies,
    String dataDir,
    @Nullable Database database,
    @Nullable String auditChannel) {
  /** The records read from a mapping; the others are read from a single value. */
  static final Set<Class<?>> MAPPINGS =
      Set.of(
          ConfigFile.class,
          Approvers.class,
          Iam.class,
          Delivery.class,
          Keys.class,
          Requests.class,
          Policy.class,
          Audience.class,
          Database.class);

  private static final Form USER_ID =
      new Form("[UW][A-Z0-9]{6,20}", "is not a Slack user id (like U0123ABCD)");
  private static final Form USER_GROUP_ID =
      new Form("S[A-Z0-9]{6,20}", "is not a Slack user group id (like S0123ABCD)");
  private static final Form CHANNEL_ID =
      new Form("[CG][A-Z0-9]{6,20}", "is not a Slack channel id (like C0123ABCD)");
  private static final Form GROUP_NAME =
      new Form(
          "[A-Za-z0-9+=,.@_-]{1,128}",
          "is not an IAM group name (1 to 128 of letters, digits and +=,.@_-)");
  private static final Form IAM_PATH =
      new Form(
          "/([\\x21-\\x7E]{0,510}/)?",
          "must start and end with '/' (like /keysmith/), in at most 512 printable ASCII"
              + " characters");
  private static final Form BOUNDARY_ARN =
      new Form(
          "arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+",
          "is not an IAM policy ARN (like arn:aws:iam::123456789012:policy/KeysmithBoundary)");
  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

  ConfigFile {
    if (approvers == null) {
      throw new Invalid("approvers", "is missing: list Slack user ids under approvers.users");
    }
    if (approvalsChannel == null) {
      throw new Invalid(
          "approvalsChannel",
          "is missing: set it to the id of the channel where requests are posted (like"
              + " C0123ABCD)");
    }
    CHANNEL_ID.check("approvalsChannel", approvalsChannel);
    CHANNEL_ID.check("auditChannel", auditChannel);
    if (groups == null || groups.isEmpty()) {
      throw new Invalid("groups", "must list at least one IAM group name people may ask for");
    }
    groups = groupNames("groups", groups);
    protectedGroups =
        groupNames("protectedGroups", protectedGroups == null ? List.of() : protectedGroups);
    policies = policies == null ? Map.of() : policies;
    for (String group : policies.keySet()) {
      if (groups.stream().noneMatch(group::equalsIgnoreCase)) {
        throw new Invalid(
            "policies." + group,
            "is not in groups: a policy is for a group people may ask for; add it to groups or"
                + " check the spelling");
      }
    }
    for (int i = 0; i < protectedGroups.size(); i++) {
      String name = protectedGroups.get(i);
      if (groups.stream().anyMatch(name::equalsIgnoreCase) && policyOf(policies, name) == null) {
        // A new user of an offered group gets an owner, who could then rotate its keys in Slack.
        throw new Invalid(
            "protectedGroups[" + i + "]",
            quote(name)
                + " is also in groups: people may ask for a protected group only under a policy"
                + " written for it (policies."
                + name
                + "); add one, or take it out of one of the lists");
      }
    }
    for (Map.Entry<String, Policy> e : policies.entrySet()) {
      e.getValue()
          .check(
              "policies." + e.getKey(),
              protectedGroups.stream().anyMatch(e.getKey()::equalsIgnoreCase),
              approvers);
    }
    iam = iam == null ? Iam.defaults() : iam;
    delivery = delivery == null ? Delivery.defaults() : delivery;
    keys = keys == null ? new Keys(null, null, null, null, null) : keys;
    requests = requests == null ? new Requests(null, null) : requests;
    dataDir = dataDir == null ? "./data" : dataDir;
    if (dataDir.isBlank()) {
      throw new Invalid("dataDir", "is empty: leave it out for ./data, or name a directory");
    }
    try {
      var unused = Path.of(dataDir); // only checked here; resolved in toConfig
    } catch (InvalidPathException e) {
      throw new Invalid("dataDir", quote(dataDir) + " is not a valid path: " + e.getReason());
    }
  }

  /** The settings, with a relative {@code dataDir} resolved against {@code baseDir}. */
  KeysmithConfig toConfig(Path baseDir) {
    Path data = Path.of(dataDir);
    return new KeysmithConfig(
        Collections.unmodifiableSet(new LinkedHashSet<>(approvers.users())),
        Optional.ofNullable(approvers.userGroup()),
        approvalsChannel,
        groups,
        protectedGroups,
        iam.path(),
        Optional.ofNullable(iam.permissionsBoundaryArn()),
        delivery.offerLifetime().value(),
        delivery.secretVisibleFor().value(),
        (data.isAbsolute() ? data : baseDir.resolve(data)).normalize(),
        keys.keyCare(),
        requests.pending(),
        groups.stream()
            .map(
                g -> {
                  Policy p = policyOf(policies, g);
                  return p == null ? GroupPolicy.defaults(g) : p.toPolicy(g);
                })
            .toList(),
        Optional.ofNullable(database).map(Database::server),
        Optional.ofNullable(auditChannel));
  }

  /** The policy written for {@code group}, its name compared ignoring case, or null. */
  private static @Nullable Policy policyOf(Map<String, Policy> policies, String group) {
    return policies.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(group))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  /** IAM group names under {@code key}, each valid and none repeated. */
  private static List<String> groupNames(String key, List<String> names) {
    // IAM group names are unique ignoring case, like user names.
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      GROUP_NAME.check(key + "[" + i + "]", names.get(i));
      Integer earlier = seen.putIfAbsent(names.get(i).toLowerCase(Locale.ROOT), i);
      if (earlier != null) {
        throw new Invalid(
            key + "[" + i + "]", quote(names.get(i)) + " repeats " + key + "[" + earlier + "]");
      }
    }
    return List.copyOf(names);
  }

  /** {@code approvers:}, who may approve requests. */
  record Approvers(List<String> users, @Nullable String userGroup) {
    Approvers {
      users = users == null ? List.of() : users;
      for (int i = 0; i < users.size(); i++) {
        USER_ID.check("users[" + i + "]", users.get(i));
      }
      USER_GROUP_ID.check("userGroup", userGroup);
      if (users.isEmpty() && userGroup == null) {
        throw new Invalid(
            "",
            "needs at least one approver: Slack user ids under approvers.users"
                + " or a user group id as approvers.userGroup");
      }
    }
  }

  /**
   * {@code database:}, a PostgreSQL server that several replicas share instead of SQLite in {@code
   * dataDir}. Its login comes from the environment, never from this file.
   */
  record Database(String url, Integer poolSize) {
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://[^\\s?]+(\\?\\S*)?");
    private static final Pattern CREDENTIAL =
        Pattern.compile("(?i)[?&](user|password|sslpassword)=");

    Database {
      if (url == null || url.isBlank()) {
        throw new Invalid(
            "url",
            "is missing: name the PostgreSQL database (like"
                + " jdbc:postgresql://db.internal:5432/keysmith), or leave database out to keep"
                + " SQLite in dataDir");
      }
      if (!URL.matcher(url).matches()) {
        throw new Invalid(
            "url",
            quote(url)
                + " is not a PostgreSQL JDBC URL (like jdbc:postgresql://db.internal:5432/keysmith)");
      }
      Matcher credential = CREDENTIAL.matcher(url);
      if (credential.find()) {
        // Not quoted: the value may be a password.
        throw new Invalid(
            "url",
            "holds a "
                + credential.group(1).toLowerCase(Locale.ROOT)
                + ": give the login in KEYSMITH_DATABASE_USER and KEYSMITH_DATABASE_PASSWORD,"
                + " never in the file");
      }
      poolSize = poolSize == null ? KeysmithConfig.DatabaseServer.DEFAULT_POOL_SIZE : poolSize;
      if (poolSize < 2 || poolSize > 100) {
        throw new Invalid("poolSize", poolSize + " must be from 2 to 100 connections");
      }
    }

    KeysmithConfig.DatabaseServer server() {
      return new KeysmithConfig.DatabaseServer(url, poolSize);
    }
  }

  /** {@code iam:}, where new users go and what bounds them. */
  record Iam(String path, @Nullable String permissionsBoundaryArn) {
    private static final String DEFAULT_PATH = "/keysmith/";

    static Iam defaults() {
      return new Iam(DEFAULT_PATH, null);
    }

    Iam {
      path = path == null ? DEFAULT_PATH : path;
      IAM_PATH.check("path", path);
      BOUNDARY_ARN.check("permissionsBoundaryArn", permissionsBoundaryArn);
    }
  }

  /** {@code delivery:}, how new credentials are handed over. */
  record Delivery(WrittenDuration offerLifetime, WrittenDuration secretVisibleFor) {
    static Delivery defaults() {
      return new Delivery(WrittenDuration.of("7d"), WrittenDuration.of("2m"));
    }

    Delivery {
      offerLifetime = offerLifetime == null ? defaults().offerLifetime() : offerLifetime;
      secretVisibleFor =
          secretVisibleFor == null ? defaults().secretVisibleFor() : secretVisibleFor;
      // A Slack response_url lives 30 minutes, and the wipe needs it; keep a margin.
      if (secretVisibleFor.value().compareTo(Duration.ofSeconds(10)) < 0
          || secretVisibleFor.value().compareTo(Duration.ofMinutes(25)) > 0) {
        throw new Invalid(
            "secretVisibleFor",
            quote(secretVisibleFor.text())
                + " must be between 10s and 25m (a Slack response_url lives 30 minutes"
                + " and Keysmith needs it to wipe the secret)");
      }
    }
  }

  /** {@code keys:}, how access keys are rotated and when their owners are reminded. */
  record Keys(
      @Nullable Boolean rotationNeedsApproval,
      @Nullable WrittenDuration gracePeriod,
      @Nullable WrittenDuration deleteAfter,
      @Nullable WrittenDuration maxAge,
      @Nullable WrittenDuration unusedAfter) {
    Keys {
      atLeast("gracePeriod", gracePeriod, "1h");
      atLeast("deleteAfter", deleteAfter, "1h");
      atLeast("maxAge", maxAge, "1d");
      atLeast("unusedAfter", unusedAfter, "1d");
    }

    KeyCare keyCare() {
      KeyCare d = KeyCare.defaults();
      return new KeyCare(
          rotationNeedsApproval == null ? d.rotationNeedsApproval() : rotationNeedsApproval,
          gracePeriod == null ? d.rotationGracePeriod() : gracePeriod.value(),
          deleteAfter == null ? d.deleteAfterDeactivation() : deleteAfter.value(),
          maxAge == null ? d.maxKeyAge() : maxAge.value(),
          unusedAfter == null ? d.unusedKeyAge() : unusedAfter.value());
    }

    private static void atLeast(String key, @Nullable WrittenDuration d, String min) {
      if (d != null && d.value().compareTo(WrittenDuration.of(min).value()) < 0) {
        throw new Invalid(key, quote(d.text()) + " must be at least " + min);
      }
    }
  }

  /** Some Slack people: user ids and, optionally, a user group's members. */
  record Audience(List<String> users, @Nullable String userGroup) {
    Audience {
      users = users == null ? List.of() : users;
      for (int i = 0; i < users.size(); i++) {
        USER_ID.check("users[" + i + "]", users.get(i));
      }
      USER_GROUP_ID.check("userGroup", userGroup);
      if (users.isEmpty() && userGroup == null) {
        throw new Invalid("", "names nobody: list Slack user ids under users, or a userGroup");
      }
    }

    GroupPolicy.Audience toAudience() {
      return new GroupPolicy.Audience(new LinkedHashSet<>(users), Optional.ofNullable(userGroup));
    }
  }

  /** {@code policies.<group>:}, the access policy of one group. */
  record Policy(
      @Nullable Audience requesters,
      @Nullable Audience approvers,
      @Nullable Integer quorum,
      @Nullable List<String> accessTypes,
      @Nullable WrittenDuration defaultLifetime,
      @Nullable WrittenDuration maxLifetime,
      @Nullable Boolean autoApprove,
      @Nullable WrittenDuration breakGlass) {
    /** The longest a user of an auto-approved group may live: auto-approval is for short access. */
    static final String AUTO_APPROVE_MAX = "1d";

    static final int MAX_QUORUM = 5;

    Policy {
      if (quorum != null && (quorum < 1 || quorum > MAX_QUORUM)) {
        throw new Invalid("quorum", quorum + " must be between 1 and " + MAX_QUORUM);
      }
      if (accessTypes != null) {
        if (accessTypes.isEmpty()) {
          throw new Invalid("accessTypes", "is empty: list at least one, or leave it out for all");
        }
        for (int i = 0; i < accessTypes.size(); i++) {
          accessType("accessTypes[" + i + "]", accessTypes.get(i));
        }
      }
      Keys.atLeast("defaultLifetime", defaultLifetime, "1h");
      Keys.atLeast("maxLifetime", maxLifetime, "1h");
      if (defaultLifetime != null
          && maxLifetime != null
          && defaultLifetime.value().compareTo(maxLifetime.value()) > 0) {
        throw new Invalid(
            "defaultLifetime",
            quote(defaultLifetime.text())
                + " is longer than maxLifetime ("
                + maxLifetime.text()
                + ")");
      }
      if (breakGlass != null) {
        Keys.atLeast("breakGlass", breakGlass, "15m");
        if (breakGlass.value().compareTo(WrittenDuration.of(AUTO_APPROVE_MAX).value()) > 0) {
          throw new Invalid(
              "breakGlass",
              quote(breakGlass.text())
                  + " is too long: access one person grants themselves must end within "
                  + AUTO_APPROVE_MAX);
        }
        if (maxLifetime != null && breakGlass.value().compareTo(maxLifetime.value()) > 0) {
          throw new Invalid(
              "breakGlass",
              quote(breakGlass.text())
                  + " is longer than maxLifetime ("
                  + maxLifetime.text()
                  + ")");
        }
      }
      if (Boolean.TRUE.equals(autoApprove)) {
        if (maxLifetime == null
            || maxLifetime.value().compareTo(WrittenDuration.of(AUTO_APPROVE_MAX).value()) > 0) {
          throw new Invalid(
              "autoApprove",
              "needs a short maxLifetime (at most "
                  + AUTO_APPROVE_MAX
                  + "): access nobody approves must end by itself");
        }
      }
    }

    /** Checks what needs the rest of the file: protected groups, and who can reach the quorum. */
    void check(String key, boolean protectedGroup, ConfigFile.Approvers global) {
      if (protectedGroup && Boolean.TRUE.equals(autoApprove)) {
        throw new Invalid(
            key + ".autoApprove",
            "is not allowed: the group is in protectedGroups, and auto-approval never applies to"
                + " a protected group");
      }
      int needed = quorum == null ? 1 : quorum;
      List<String> users = approvers != null ? approvers.users() : global.users();
      @Nullable String userGroup = approvers != null ? approvers.userGroup() : global.userGroup();
      if (userGroup == null && new LinkedHashSet<>(users).size() < needed) {
        throw new Invalid(
            key + ".quorum",
            needed
                + " is more than the "
                + new LinkedHashSet<>(users).size()
                + " approvers who may decide for this group, so no request could ever be"
                + " approved");
      }
    }

    GroupPolicy toPolicy(String group) {
      return new GroupPolicy(
          group,
          Optional.ofNullable(requesters).map(Audience::toAudience),
          Optional.ofNullable(approvers).map(Audience::toAudience),
          quorum == null ? 1 : quorum,
          accessTypes == null
              ? EnumSet.allOf(AccessType.class)
              : accessTypes.stream()
                  .map(t -> accessType("accessTypes", t))
                  .collect(Collectors.toCollection(() -> EnumSet.noneOf(AccessType.class))),
          Optional.ofNullable(defaultLifetime).map(WrittenDuration::value),
          Optional.ofNullable(maxLifetime).map(WrittenDuration::value),
          Boolean.TRUE.equals(autoApprove),
          Optional.ofNullable(breakGlass).map(WrittenDuration::value));
    }

    private static AccessType accessType(String key, String text) {
      try {
        return AccessType.valueOf(text);
      } catch (IllegalArgumentException e) {
        throw new Invalid(
            key, quote(text) + " is not an access type (PROGRAMMATIC, CONSOLE or BOTH)");
      }
    }
  }

  /** {@code requests:}, how long a request may wait for a decision. */
  record Requests(
      @Nullable WrittenDuration remindApproversAfter, @Nullable WrittenDuration expireAfter) {
    Requests {
      Keys.atLeast("remindApproversAfter", remindApproversAfter, "10m");
      Keys.atLeast("expireAfter", expireAfter, "1h");
      Pending p = pending(remindApproversAfter, expireAfter);
      if (p.remindApproversAfter().compareTo(p.expireAfter()) >= 0) {
        String remind = remindApproversAfter != null ? remindApproversAfter.text() : "4h";
        String expire = expireAfter != null ? expireAfter.text() : "3d";
        throw remindApproversAfter != null
            ? new Invalid(
                "remindApproversAfter",
                quote(remind)
                    + " must be shorter than expireAfter ("
                    + expire
                    + "), so the reminder comes before the request expires")
            : new Invalid(
                "expireAfter",
                quote(expire)
                    + " must be longer than remindApproversAfter ("
                    + remind
                    + "), so the reminder comes before the request expires");
      }
    }

    Pending pending() {
      return pending(remindApproversAfter, expireAfter);
    }

    private static Pending pending(
        @Nullable WrittenDuration remindApproversAfter, @Nullable WrittenDuration expireAfter) {
      Pending d = Pending.defaults();
      return new Pending(
          remindApproversAfter == null ? d.remindApproversAfter() : remindApproversAfter.value(),
          expireAfter == null ? d.expireAfter() : expireAfter.value());
    }
  }

  /** A positive duration and the text it was written as, which messages quote. */
  record WrittenDuration(String text, Duration value) {
    /** Reads {@code 90s}, {@code 2m}, {@code 12h}, {@code 7d} or ISO-8601 ({@code PT2M}). */
    static WrittenDuration of(String text) {
      Duration value;
      Matcher m = SHORT_DURATION.matcher(text);
      try {
        value =
            !m.matches()
                ? Duration.parse(text)
                : switch (m.group(2)) {
                  case "s" -> Duration.ofSeconds(Long.parseLong(m.group(1)));
                  case "m" -> Duration.ofMinutes(Long.parseLong(m.group(1)));
                  case "h" -> Duration.ofHours(Long.parseLong(m.group(1)));
                  default -> Duration.ofDays(Long.parseLong(m.group(1)));
                };
      } catch (DateTimeParseException e) {
        throw new Invalid("", quote(text) + " is not a duration (like 90s, 2m, 12h, 7d or PT2M)");
      }
      if (value.isZero() || value.isNegative()) {
        throw new Invalid("", quote(text) + " must be positive");
      }
      return new WrittenDuration(text, value);
    }
  }

  /**
   * Reads a value from the text of a single value, so that {@code 90} reaches the duration reader
   * as text and a list or mapping is refused by Jackson with the key's line.
   */
  static final class FromText<T> extends StdScalarDeserializer<T> {
    private static final long serialVersionUID = 1L;

    private final Function<String, T> read;

    FromText(Class<T> type, Function<String, T> read) {
      super(type);
      this.read = read;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken token = p.currentToken();
      if (!token.isScalarValue()) {
        return (T) ctxt.handleUnexpectedToken(handledType(), p);
      }
      return read.apply(token.isBoolean() ? token.asString() : p.getText());
    }
  }

  /** A whole number, written as digits: not 2.5, not "two". */
  static Integer wholeNumber(String text) {
    if (!text.matches("-?[0-9]{1,9}")) {
      throw new Invalid("", "must be a whole number, not " + quote(text));
    }
    return Integer.valueOf(text);
  }

  /** Only true or false, quoted or not: not 1, TRUE, or YAML 1.1's yes, no, on and off. */
  static Boolean trueOrFalse(String text) {
    if (!text.equals("true") && !text.equals("false")) {
      throw new Invalid("", "must be true or false, not " + quote(text));
    }
    return Boolean.valueOf(text);
  }

  /** A value the file may not hold; {@code key} is relative to the record being built. */
  static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    final String key;

    Invalid(String key, String problem) {
      super(problem);
      this.key = key;
    }
  }

  /** The pattern a value must match, and what is wrong when it does not. */
  private record Form(Pattern pattern, String problem) {
    Form(String regex, String problem) {
      this(Pattern.compile(regex), problem);
    }

    /** Refuses {@code value} unless it matches; null, meaning left out, is for the caller. */
    void check(String key, @Nullable String value) {
      if (value != null && !pattern.matcher(value).matches()) {
        throw new Invalid(key, quote(value) + " " + problem);
      }
    }
  }

  /** {@code value} in single quotes, on one line and cut to 80 characters. */
  static String quote(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return "'" + (oneLine.length() > 80 ? oneLine.substring(0, 77) + "..." : oneLine) + "'";
  }
}
