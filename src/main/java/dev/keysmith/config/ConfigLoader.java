package dev.keysmith.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.keysmith.config.KeysmithConfig.KeyCare;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code keysmith.yml} into a {@link KeysmithConfig}, failing fast with a {@link
 * ConfigException} that names the bad key.
 */
public final class ConfigLoader {
  static final String DEFAULT_IAM_PATH = "/keysmith/";
  static final Duration DEFAULT_OFFER_LIFETIME = Duration.ofDays(7);
  static final Duration DEFAULT_SECRET_VISIBLE_FOR = Duration.ofMinutes(2);
  static final Duration MIN_SECRET_VISIBLE_FOR = Duration.ofSeconds(10);
  // A Slack response_url lives 30 minutes, and the wipe needs it; keep a margin.
  static final Duration MAX_SECRET_VISIBLE_FOR = Duration.ofMinutes(25);
  static final Duration MIN_KEY_WAIT = Duration.ofHours(1);
  static final Duration MIN_KEY_AGE = Duration.ofDays(1);

  private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{6,20}");
  private static final Pattern USER_GROUP_ID = Pattern.compile("S[A-Z0-9]{6,20}");
  private static final Pattern CHANNEL_ID = Pattern.compile("[CG][A-Z0-9]{6,20}");
  private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,128}");
  private static final Pattern IAM_PATH = Pattern.compile("/([\\x21-\\x7E]{0,510}/)?");
  private static final Pattern BOUNDARY_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+");
  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

  private static final List<String> TOP_KEYS =
      List.of("approvers", "approvalsChannel", "groups", "iam", "delivery", "keys", "dataDir");
  private static final List<String> APPROVERS_KEYS = List.of("users", "userGroup");
  private static final List<String> IAM_KEYS = List.of("path", "permissionsBoundaryArn");
  private static final List<String> DELIVERY_KEYS = List.of("offerLifetime", "secretVisibleFor");
  private static final List<String> KEYS_KEYS =
      List.of("rotationNeedsApproval", "gracePeriod", "deleteAfter", "maxAge", "unusedAfter");

  // YAML 1.1 reads yes, no, on and off as booleans; Keysmith takes only true and false.
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
          .build();

  private final String source;

  private ConfigLoader(String source) {
    this.source = source;
  }

  /** Reads and validates the config file at {@code yamlFile}. */
  public static KeysmithConfig load(Path yamlFile) {
    if (!Files.exists(yamlFile)) {
      throw new ConfigException(
          "config file "
              + yamlFile
              + " not found: copy keysmith.example.yml to "
              + yamlFile
              + " and edit it (or set KEYSMITH_CONFIG to where it is)");
    }
    String yaml;
    try {
      yaml = Files.readString(yamlFile);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + yamlFile + ": " + e, e);
    }
    Path baseDir = yamlFile.toAbsolutePath().getParent();
    return new ConfigLoader(String.valueOf(yamlFile.getFileName())).read(yaml, baseDir);
  }

  /** Validates {@code yaml}; a relative {@code dataDir} is resolved against {@code baseDir}. */
  public static KeysmithConfig parse(String yaml, Path baseDir) {
    return new ConfigLoader("keysmith.yml").read(yaml, baseDir);
  }

  private KeysmithConfig read(String yaml, Path baseDir) {
    JsonNode root = tree(yaml);
    requireKnownKeys(root, "", TOP_KEYS);
    Approvers approvers = approvers(root);
    String approvalsChannel =
        matching(
            optionalText(root, "approvalsChannel", "approvalsChannel")
                .orElseThrow(
                    () ->
                        fail(
                            "approvalsChannel is missing: set it to the id of the channel where"
                                + " requests are posted (like C0123ABCD)")),
            CHANNEL_ID,
            "approvalsChannel",
            "is not a Slack channel id (like C0123ABCD)");
    List<String> groups = groups(root);
    Iam iam = iam(root);
    Delivery delivery = delivery(root);
    return new KeysmithConfig(
        approvers.userIds(),
        approvers.userGroup(),
        approvalsChannel,
        groups,
        iam.path(),
        iam.boundaryArn(),
        delivery.offerLifetime(),
        delivery.secretVisibleFor(),
        dataDir(root, baseDir),
        keyCare(root));
  }

  private record Approvers(Set<String> userIds, Optional<String> userGroup) {}

  private record Iam(String path, Optional<String> boundaryArn) {}

  private record Delivery(Duration offerLifetime, Duration secretVisibleFor) {}

  private Approvers approvers(JsonNode root) {
    JsonNode approvers =
        mapping(root, "approvers", "approvers")
            .orElseThrow(
                () -> fail("approvers is missing: list Slack user ids under approvers.users"));
    requireKnownKeys(approvers, "approvers.", APPROVERS_KEYS);
    Set<String> userIds = new LinkedHashSet<>();
    List<String> users = list(approvers, "users", "approvers.users");
    for (int i = 0; i < users.size(); i++) {
      userIds.add(
          matching(
              users.get(i),
              USER_ID,
              "approvers.users[" + i + "]",
              "is not a Slack user id (like U0123ABCD)"));
    }
    Optional<String> userGroup =
        optionalText(approvers, "userGroup", "approvers.userGroup")
            .map(
                g ->
                    matching(
                        g,
                        USER_GROUP_ID,
                        "approvers.userGroup",
                        "is not a Slack user group id (like S0123ABCD)"));
    if (userIds.isEmpty() && userGroup.isEmpty()) {
      throw fail(
          "approvers needs at least one approver: Slack user ids under approvers.users"
              + " or a user group id as approvers.userGroup");
    }
    return new Approvers(Collections.unmodifiableSet(userIds), userGroup);
  }

  private Iam iam(JsonNode root) {
    Optional<JsonNode> iam = mapping(root, "iam", "iam");
    if (iam.isEmpty()) {
      return new Iam(DEFAULT_IAM_PATH, Optional.empty());
    }
    requireKnownKeys(iam.get(), "iam.", IAM_KEYS);
    String path =
        optionalText(iam.get(), "path", "iam.path")
            .map(
                p ->
                    matching(
                        p,
                        IAM_PATH,
                        "iam.path",
                        "must start and end with '/' (like /keysmith/), in at most 512"
                            + " printable ASCII characters"))
            .orElse(DEFAULT_IAM_PATH);
    Optional<String> boundaryArn =
        optionalText(iam.get(), "permissionsBoundaryArn", "iam.permissionsBoundaryArn")
            .map(
                a ->
                    matching(
                        a,
                        BOUNDARY_ARN,
                        "iam.permissionsBoundaryArn",
                        "is not an IAM policy ARN"
                            + " (like arn:aws:iam::123456789012:policy/KeysmithBoundary)"));
    return new Iam(path, boundaryArn);
  }

  private Delivery delivery(JsonNode root) {
    Optional<JsonNode> delivery = mapping(root, "delivery", "delivery");
    if (delivery.isEmpty()) {
      return new Delivery(DEFAULT_OFFER_LIFETIME, DEFAULT_SECRET_VISIBLE_FOR);
    }
    requireKnownKeys(delivery.get(), "delivery.", DELIVERY_KEYS);
    Duration offerLifetime =
        optionalText(delivery.get(), "offerLifetime", "delivery.offerLifetime")
            .map(d -> duration(d, "delivery.offerLifetime"))
            .orElse(DEFAULT_OFFER_LIFETIME);
    Optional<String> visible =
        optionalText(delivery.get(), "secretVisibleFor", "delivery.secretVisibleFor");
    Duration secretVisibleFor =
        visible
            .map(d -> duration(d, "delivery.secretVisibleFor"))
            .orElse(DEFAULT_SECRET_VISIBLE_FOR);
    if (secretVisibleFor.compareTo(MIN_SECRET_VISIBLE_FOR) < 0
        || secretVisibleFor.compareTo(MAX_SECRET_VISIBLE_FOR) > 0) {
      throw fail(
          "delivery.secretVisibleFor "
              + quote(visible.orElse(""))
              + " must be between 10s and 25m (a Slack response_url lives 30 minutes"
              + " and Keysmith needs it to wipe the secret)");
    }
    return new Delivery(offerLifetime, secretVisibleFor);
  }

  private KeyCare keyCare(JsonNode root) {
    KeyCare defaults = KeyCare.defaults();
    Optional<JsonNode> keys = mapping(root, "keys", "keys");
    if (keys.isEmpty()) {
      return defaults;
    }
    JsonNode k = keys.get();
    requireKnownKeys(k, "keys.", KEYS_KEYS);
    return new KeyCare(
        optionalBoolean(k, "rotationNeedsApproval", "keys.rotationNeedsApproval")
            .orElse(defaults.rotationNeedsApproval()),
        atLeast(k, "gracePeriod", MIN_KEY_WAIT, "1h").orElse(defaults.rotationGracePeriod()),
        atLeast(k, "deleteAfter", MIN_KEY_WAIT, "1h").orElse(defaults.deleteAfterDeactivation()),
        atLeast(k, "maxAge", MIN_KEY_AGE, "1d").orElse(defaults.maxKeyAge()),
        atLeast(k, "unusedAfter", MIN_KEY_AGE, "1d").orElse(defaults.unusedKeyAge()));
  }

  /** The duration {@code keys.name}, refused when shorter than {@code min}. */
  private Optional<Duration> atLeast(JsonNode keys, String name, Duration min, String minText) {
    String key = "keys." + name;
    return optionalText(keys, name, key)
        .map(
            text -> {
              Duration d = duration(text, key);
              if (d.compareTo(min) < 0) {
                throw fail(key + " " + quote(text) + " must be at least " + minText);
              }
              return d;
            });
  }

  private JsonNode tree(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(
          source + ": is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw fail("is empty: copy keysmith.example.yml and edit it");
    }
    if (!root.isObject()) {
      throw fail("must be a mapping of settings (approvers:, approvalsChannel:, groups:, ...)");
    }
    return root;
  }

  private List<String> groups(JsonNode root) {
    List<String> names = list(root, "groups", "groups");
    if (names.isEmpty()) {
      throw fail("groups must list at least one IAM group name people may ask for");
    }
    // IAM group names are unique ignoring case, like user names.
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String key = "groups[" + i + "]";
      String name =
          matching(
              names.get(i),
              GROUP_NAME,
              key,
              "is not an IAM group name (1 to 128 of letters, digits and +=,.@_-)");
      Integer earlier = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), i);
      if (earlier != null) {
        throw fail(key + " " + quote(name) + " repeats groups[" + earlier + "]");
      }
    }
    return List.copyOf(names);
  }

  private Path dataDir(JsonNode root, Path baseDir) {
    String text = optionalText(root, "dataDir", "dataDir").orElse("./data");
    if (text.isBlank()) {
      throw fail("dataDir is empty: leave it out for ./data, or name a directory");
    }
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw fail("dataDir " + quote(text) + " is not a valid path: " + e.getReason());
    }
    return (path.isAbsolute() ? path : baseDir.resolve(path)).normalize();
  }

  private Duration duration(String text, String key) {
    Duration d = parseDuration(text);
    if (d == null) {
      throw fail(key + " " + quote(text) + " is not a duration (like 90s, 2m, 12h, 7d or PT2M)");
    }
    if (d.isZero() || d.isNegative()) {
      throw fail(key + " " + quote(text) + " must be positive");
    }
    return d;
  }

  /** {@code 90s}, {@code 2m}, {@code 12h}, {@code 7d} or ISO-8601; null when neither. */
  static Duration parseDuration(String text) {
    Matcher m = SHORT_DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private void requireKnownKeys(JsonNode node, String prefix, List<String> known) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                throw fail(
                    "unknown key "
                        + prefix
                        + name
                        + " (expected one of "
                        + prefix
                        + String.join(", " + prefix, known)
                        + ")");
              }
            });
  }

  private Optional<JsonNode> mapping(JsonNode parent, String name, String key) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw fail(key + " must be a mapping of keys, not " + kind(node));
    }
    return Optional.of(node);
  }

  private List<String> list(JsonNode parent, String name, String key) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw fail(key + " must be a list, like [a, b], not " + kind(node));
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      values.add(text(node.get(i), key + "[" + i + "]"));
    }
    return values;
  }

  private Optional<String> optionalText(JsonNode parent, String name, String key) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    return Optional.of(text(node, key));
  }

  private Optional<Boolean> optionalBoolean(JsonNode parent, String name, String key) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isBoolean()) {
      return Optional.of(node.booleanValue());
    }
    // A quoted 'true' or 'false' means the same; anything else is refused.
    if (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false"))) {
      return Optional.of(Boolean.parseBoolean(node.asText()));
    }
    throw fail(key + " must be true or false, not " + kind(node));
  }

  private String text(JsonNode node, String key) {
    if (node.isTextual() || node.isNumber()) {
      return node.asText();
    }
    throw fail(key + " must be a single value, not " + kind(node));
  }

  private String matching(String value, Pattern pattern, String key, String problem) {
    if (!pattern.matcher(value).matches()) {
      throw fail(key + " " + quote(value) + " " + problem);
    }
    return value;
  }

  private ConfigException fail(String problem) {
    return new ConfigException(source + ": " + problem);
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    return node.isNull() ? "empty" : "'" + node.asText() + "'";
  }

  private static String quote(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return "'" + (oneLine.length() > 80 ? oneLine.substring(0, 77) + "..." : oneLine) + "'";
  }
}
