package dev.keysmith.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.config.KeysmithConfig.KeyCare;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.GroupPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  private static final Path BASE = Path.of("/srv/keysmith");
  private static final String VALID =
      """
      approvers:
        users: [U012ABCDEF, W0987ZYXWV]
        userGroup: S0123ABCDE
      approvalsChannel: C0123ABCDE
      groups: [developers, readonly]
      iam:
        path: /keysmith/
        permissionsBoundaryArn: arn:aws:iam::123456789012:policy/KeysmithBoundary
      delivery:
        offerLifetime: 7d
        secretVisibleFor: 2m
      keys:
        rotationNeedsApproval: true
        gracePeriod: 3d
        deleteAfter: 14d
        maxAge: 60d
        unusedAfter: 30d
      dataDir: ./data
      protectedGroups: [admins, Break-Glass]
      requests:
        remindApproversAfter: 2h
        expireAfter: 2d
      """;

  @TempDir Path tmp;

  // ---- unhappy paths ----

  @Test
  void load_missingFile_namesPathAndExample() {
    Path missing = tmp.resolve("keysmith.yml");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));

    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("keysmith.example.yml"), e.getMessage());
  }

  @Test
  void load_badFile_namesFileInMessage() throws Exception {
    Path file = tmp.resolve("prod.yml");
    Files.writeString(file, VALID.replace("C0123ABCDE", "general"));

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

    assertTrue(e.getMessage().startsWith("prod.yml: approvalsChannel 'general'"), e.getMessage());
  }

  @Test
  void parse_empty_isRefused() {
    assertFails("", "keysmith.yml: is empty");
    assertFails("# only a comment\n", "keysmith.yml: is empty");
  }

  @Test
  void parse_invalidYaml_namesLine() {
    assertFails("approvers:\n  users: [U012ABCDEF\n", "keysmith.yml: is not valid YAML at line");
  }

  @Test
  void parse_notAMapping_isRefused() {
    assertFails("- U012ABCDEF\n", "keysmith.yml: must be a mapping of settings");
  }

  @Test
  void parse_unknownTopLevelKey_namesKey() {
    assertFails(with("approvalsChannel:", "approvalChannel:"), "unknown key approvalChannel");
  }

  @Test
  void parse_unknownNestedKey_namesKeyWithItsParent() {
    assertFails(
        with("permissionsBoundaryArn:", "permissionBoundaryArn:"),
        "unknown key iam.permissionBoundaryArn");
    assertFails(with("offerLifetime:", "offerLifeTime:"), "unknown key delivery.offerLifeTime");
    assertFails(with("userGroup:", "usergroup:"), "unknown key approvers.usergroup");
    assertFails(with("gracePeriod:", "gracePeriode:"), "unknown key keys.gracePeriode");
  }

  @Test
  void parse_duplicateKey_isRefused() {
    assertFails(VALID + "groups: [admins]\n", "keysmith.yml: is not valid YAML");
  }

  @Test
  void parse_approversMissing_isRefused() {
    String yaml = "approvalsChannel: C0123ABCDE\ngroups: [developers]\n";

    assertFails(yaml, "keysmith.yml: approvers is missing");
  }

  @Test
  void parse_approversNotMapping_isRefused() {
    String yaml = "approvers: [U012ABCDEF]\napprovalsChannel: C0123ABCDE\ngroups: [developers]\n";

    assertFails(yaml, "keysmith.yml: approvers must be a mapping");
  }

  @Test
  void parse_badUserId_namesIndexAndValue() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.parse(with("W0987ZYXWV", "bob"), BASE));

    assertEquals(
        "keysmith.yml: approvers.users[1] 'bob' is not a Slack user id (like U0123ABCD)",
        e.getMessage());
  }

  @Test
  void parse_usersNotAList_isRefused() {
    assertFails(
        with("users: [U012ABCDEF, W0987ZYXWV]", "users: U012ABCDEF"),
        "keysmith.yml: approvers.users must be a list");
  }

  @Test
  void parse_userIdNotScalar_namesIndex() {
    assertFails(
        with("users: [U012ABCDEF, W0987ZYXWV]", "users: [U012ABCDEF, [W0987ZYXWV]]"),
        "keysmith.yml: approvers.users[1] must be a single value");
  }

  @Test
  void parse_badUserGroup_namesKey() {
    assertFails(
        with("userGroup: S0123ABCDE", "userGroup: '@oncall'"),
        "keysmith.yml: approvers.userGroup '@oncall' is not a Slack user group id");
  }

  @Test
  void parse_noApproverAtAll_isRefused() {
    String yaml = with("users: [U012ABCDEF, W0987ZYXWV]\n  userGroup: S0123ABCDE", "users: []");

    assertFails(yaml, "keysmith.yml: approvers needs at least one approver");
  }

  @Test
  void parse_channelMissing_isRefused() {
    assertFails(
        with("approvalsChannel: C0123ABCDE\n", ""), "keysmith.yml: approvalsChannel is missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"'#approvals'", "D0123ABCDE", "c0123abcde", "C01"})
  void parse_badChannel_namesKey(String channel) {
    assertFails(
        with("approvalsChannel: C0123ABCDE", "approvalsChannel: " + channel),
        "is not a Slack channel id (like C0123ABCD)");
  }

  @Test
  void parse_auditChannel_isOptionalAndMustBeAChannelId() {
    assertEquals(Optional.empty(), ConfigLoader.parse(VALID, BASE).auditChannel());
    assertEquals(
        Optional.of("C0AUDIT001"),
        ConfigLoader.parse(VALID + "auditChannel: C0AUDIT001\n", BASE).auditChannel());
    assertFails(
        VALID + "auditChannel: '#audit'\n",
        "auditChannel '#audit' is not a Slack channel id (like C0123ABCD)");
  }

  @Test
  void parse_groupsMissingOrEmpty_isRefused() {
    assertFails(with("groups: [developers, readonly]\n", ""), "keysmith.yml: groups must list");
    assertFails(
        with("groups: [developers, readonly]", "groups: []"), "keysmith.yml: groups must list");
  }

  @ParameterizedTest
  @ValueSource(strings = {"'power users'", "'dev/ops'", "''"})
  void parse_badGroupName_namesIndex(String name) {
    assertFails(
        with("groups: [developers, readonly]", "groups: [developers, " + name + "]"),
        "keysmith.yml: groups[1] ");
  }

  @Test
  void parse_groupNameTooLong_isRefused() {
    String longName = "g".repeat(129);

    assertFails(
        with("groups: [developers, readonly]", "groups: [" + longName + "]"),
        "keysmith.yml: groups[0] 'ggg");
  }

  @Test
  void parse_duplicateGroupIgnoringCase_namesBoth() {
    assertFails(
        with("groups: [developers, readonly]", "groups: [developers, readonly, Developers]"),
        "keysmith.yml: groups[2] 'Developers' repeats groups[0]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"'power users'", "'dev/ops'", "''"})
  void parse_badProtectedGroupName_namesIndex(String name) {
    assertFails(
        with("protectedGroups: [admins, Break-Glass]", "protectedGroups: [admins, " + name + "]"),
        "keysmith.yml: protectedGroups[1] ");
  }

  @Test
  void parse_duplicateProtectedGroupIgnoringCase_namesBoth() {
    assertFails(
        with("protectedGroups: [admins, Break-Glass]", "protectedGroups: [admins, ADMINS]"),
        "keysmith.yml: protectedGroups[1] 'ADMINS' repeats protectedGroups[0]");
  }

  @Test
  void parse_protectedGroupAlsoOffered_isRefused() {
    assertFails(
        with("protectedGroups: [admins, Break-Glass]", "protectedGroups: [admins, READONLY]"),
        "keysmith.yml: protectedGroups[1] 'READONLY' is also in groups");
  }

  @Test
  void parse_protectedGroupsNotAList_isRefused() {
    assertFails(
        with("protectedGroups: [admins, Break-Glass]", "protectedGroups: admins"),
        "keysmith.yml: protectedGroups must be a list");
  }

  @Test
  void parse_protectedGroupsEmpty_protectsNone() {
    KeysmithConfig config =
        ConfigLoader.parse(
            with("protectedGroups: [admins, Break-Glass]", "protectedGroups: []"), BASE);

    assertEquals(List.of(), config.protectedGroups());
  }

  @ParameterizedTest
  @ValueSource(strings = {"keysmith/", "/keysmith", "'/key smith/'", "''"})
  void parse_badIamPath_namesKey(String path) {
    assertFails(with("path: /keysmith/", "path: " + path), "keysmith.yml: iam.path ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:iam::123456789012:role/KeysmithBoundary",
        "arn:aws:iam::12345678901:policy/KeysmithBoundary",
        "arn:aws:s3:::bucket",
        "KeysmithBoundary"
      })
  void parse_badBoundaryArn_namesKey(String arn) {
    assertFails(
        with("arn:aws:iam::123456789012:policy/KeysmithBoundary", arn),
        "keysmith.yml: iam.permissionsBoundaryArn '" + arn + "' is not an IAM policy ARN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"7 days", "7w", "P1M", "''", "abc", "90", "1.5h"})
  void parse_badDuration_namesKey(String duration) {
    assertFails(
        with("offerLifetime: 7d", "offerLifetime: " + duration),
        "keysmith.yml: delivery.offerLifetime ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "PT0S", "PT-2M", "-P1D"})
  void parse_nonPositiveDuration_isRefused(String duration) {
    assertFails(
        with("offerLifetime: 7d", "offerLifetime: " + duration),
        "keysmith.yml: delivery.offerLifetime '" + duration + "' must be positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9s", "26m", "1h", "PT25M1S"})
  void parse_secretVisibleForOutOfRange_explainsWhy(String duration) {
    assertFails(
        with("secretVisibleFor: 2m", "secretVisibleFor: " + duration),
        "keysmith.yml: delivery.secretVisibleFor '"
            + duration
            + "' must be between 10s and 25m (a Slack response_url lives 30 minutes");
  }

  @Test
  void parse_deliveryNotMapping_isRefused() {
    assertFails(
        with("delivery:\n  offerLifetime: 7d\n  secretVisibleFor: 2m", "delivery: 7d"),
        "keysmith.yml: delivery must be a mapping");
  }

  @Test
  void parse_unknownKeysKey_listsTheKnownOnes() {
    assertFails(
        with("maxAge: 60d", "maxKeyAge: 60d"),
        "keysmith.yml: unknown key keys.maxKeyAge (expected one of keys.rotationNeedsApproval,"
            + " keys.gracePeriod, keys.deleteAfter, keys.maxAge, keys.unusedAfter)");
  }

  @Test
  void parse_keysNotMapping_isRefused() {
    assertFails(
        VALID.replaceAll("(?s)keys:.*unusedAfter: 30d", "keys: [90d]"),
        "keysmith.yml: keys must be a mapping");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "'no'", "on", "1", "'TRUE'", "[true]"})
  void parse_rotationNeedsApprovalNotTrueOrFalse_isRefused(String value) {
    assertFails(
        with("rotationNeedsApproval: true", "rotationNeedsApproval: " + value),
        "keysmith.yml: keys.rotationNeedsApproval must be true or false");
  }

  @ParameterizedTest
  @CsvSource({
    "gracePeriod: 3d, gracePeriod, 59m, 1h",
    "deleteAfter: 14d, deleteAfter, PT59M59S, 1h",
    "maxAge: 60d, maxAge, 23h, 1d",
    "unusedAfter: 30d, unusedAfter, PT23H59M, 1d"
  })
  void parse_keysDurationTooShort_namesKeyAndMinimum(
      String line, String key, String value, String minimum) {
    assertFails(
        with(line, key + ": " + value),
        "keysmith.yml: keys." + key + " '" + value + "' must be at least " + minimum);
  }

  @ParameterizedTest
  @CsvSource({
    "gracePeriod: 3d, gracePeriod, 0s",
    "deleteAfter: 14d, deleteAfter, PT-1H",
    "maxAge: 60d, maxAge, -P90D",
    "unusedAfter: 30d, unusedAfter, 0d"
  })
  void parse_keysDurationNotPositive_isRefused(String line, String key, String value) {
    assertFails(
        with(line, key + ": " + value),
        "keysmith.yml: keys." + key + " '" + value + "' must be positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"90 days", "3mo", "P3M"})
  void parse_keysBadDuration_namesKey(String value) {
    assertFails(
        with("maxAge: 60d", "maxAge: " + value),
        "keysmith.yml: keys.maxAge '" + value + "' is not a duration");
  }

  @ParameterizedTest
  @CsvSource({
    "remindApproversAfter: 2h, remindApproversAfter, 9m, 10m",
    "expireAfter: 2d, expireAfter, 59m, 1h"
  })
  void parse_requestsDurationTooShort_namesKeyAndMinimum(
      String line, String key, String value, String minimum) {
    assertFails(
        with(line, key + ": " + value),
        "keysmith.yml: requests." + key + " '" + value + "' must be at least " + minimum);
  }

  @Test
  void parse_reminderNotBeforeExpiry_isRefused() {
    assertFails(
        with("remindApproversAfter: 2h", "remindApproversAfter: 2d"),
        "keysmith.yml: requests.remindApproversAfter '2d' must be shorter than expireAfter (2d)");
    assertFails(
        with("remindApproversAfter: 2h\n  expireAfter: 2d", "expireAfter: 3h"),
        "keysmith.yml: requests.expireAfter '3h' must be longer than remindApproversAfter (4h)");
  }

  private static final String POLICIES =
      """
      policies:
        readonly:
          autoApprove: true
          maxLifetime: 8h
          accessTypes: [PROGRAMMATIC]
        developers:
          requesters:
            userGroup: S0ENGINEERS
          approvers:
            users: [U0SECURITY1, U0SECURITY2]
          quorum: 2
          defaultLifetime: 12h
          maxLifetime: 1d
          breakGlass: 4h
      """;

  @Test
  void parse_policies_readsEachGroupsPolicy() {
    KeysmithConfig config = ConfigLoader.parse(VALID + POLICIES, BASE);

    GroupPolicy readonly =
        config.policies().stream().filter(p -> p.group().equals("readonly")).findFirst().get();
    assertTrue(readonly.autoApprove());
    assertEquals(Optional.of(Duration.ofHours(8)), readonly.maxLifetime());
    assertEquals(Set.of(AccessType.PROGRAMMATIC), readonly.accessTypes());
    GroupPolicy developers =
        config.policies().stream().filter(p -> p.group().equals("developers")).findFirst().get();
    assertEquals(2, developers.quorum());
    assertEquals(Optional.of("S0ENGINEERS"), developers.requesters().get().userGroup());
    assertEquals(Set.of("U0SECURITY1", "U0SECURITY2"), developers.approvers().get().users());
    assertEquals(Optional.of(Duration.ofHours(12)), developers.defaultLifetime());
    assertFalse(developers.autoApprove());
    assertEquals(Optional.of(Duration.ofHours(4)), developers.breakGlass());
    assertEquals(Optional.empty(), readonly.breakGlass());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "quorum: 2|quorum: 3|policies.developers.quorum 3 is more than the 2 approvers",
        "quorum: 2|quorum: 0|policies.developers.quorum 0 must be between 1 and 5",
        "quorum: 2|quorum: two|policies.developers.quorum must be a whole number, not 'two'",
        "accessTypes: [PROGRAMMATIC]|accessTypes: [KEYS]|policies.readonly.accessTypes[0] 'KEYS'"
            + " is not an access type",
        "accessTypes: [PROGRAMMATIC]|accessTypes: []|policies.readonly.accessTypes is empty",
        "maxLifetime: 8h|maxLifetime: 2d|policies.readonly.autoApprove needs a short maxLifetime",
        "defaultLifetime: 12h|defaultLifetime: 2d|policies.developers.defaultLifetime '2d' is"
            + " longer than maxLifetime (1d)",
        "quorum: 2|quorrum: 2|unknown key policies.developers.quorrum",
        "breakGlass: 4h|breakGlass: 2d|policies.developers.breakGlass '2d' is too long",
        "userGroup: S0ENGINEERS|userGroup: engineers|policies.developers.requesters.userGroup"
            + " 'engineers' is not a Slack user group id"
      })
  void parse_badPolicy_namesTheKey(String from, String to, String expected) {
    assertTrue(POLICIES.contains(from), from);
    assertFails(VALID + POLICIES.replace(from, to), "keysmith.yml: " + expected);
  }

  @Test
  void parse_breakGlassLongerThanTheGroupsMaximum_isRefused() {
    assertFails(
        VALID
            + POLICIES
                .replace("defaultLifetime: 12h", "defaultLifetime: 1h")
                .replace("maxLifetime: 1d", "maxLifetime: 2h"),
        "keysmith.yml: policies.developers.breakGlass '4h' is longer than maxLifetime (2h)");
  }

  @Test
  void parse_policyForAGroupNotOffered_isRefused() {
    assertFails(
        VALID + POLICIES.replace("  readonly:", "  readonly-typo:"),
        "keysmith.yml: policies.readonly-typo is not in groups");
  }

  @Test
  void parse_protectedGroup_mayBeOfferedOnlyUnderAPolicy_neverAutoApproved() {
    String offered =
        with("groups: [developers, readonly]", "groups: [developers, readonly, admins]");
    assertFails(offered, "protectedGroups[0] 'admins' is also in groups");
    String withPolicy = offered + POLICIES + "  admins:\n    quorum: 2\n    maxLifetime: 1d\n";
    assertEquals(
        2,
        ConfigLoader.parse(withPolicy, BASE).policies().stream()
            .filter(p -> p.group().equals("admins"))
            .findFirst()
            .get()
            .quorum());
    assertFails(
        withPolicy.replace(
            "    quorum: 2\n    maxLifetime: 1d\n", "    autoApprove: true\n    maxLifetime: 4h\n"),
        "policies.admins.autoApprove is not allowed: the group is in protectedGroups");
  }

  @Test
  void parse_emptyDataDir_isRefused() {
    assertFails(with("dataDir: ./data", "dataDir: ''"), "keysmith.yml: dataDir is empty");
  }

  @Test
  void parse_database_readsThePostgresServer() {
    KeysmithConfig config =
        ConfigLoader.parse(
            VALID
                + "database:\n"
                + "  url: jdbc:postgresql://db.internal:5432/keysmith?sslmode=verify-full\n"
                + "  poolSize: 20\n",
            BASE);

    assertEquals(
        Optional.of(
            new KeysmithConfig.DatabaseServer(
                "jdbc:postgresql://db.internal:5432/keysmith?sslmode=verify-full", 20)),
        config.database());
    assertEquals(
        KeysmithConfig.DatabaseServer.DEFAULT_POOL_SIZE,
        ConfigLoader.parse(VALID + "database:\n  url: jdbc:postgresql://db/keysmith\n", BASE)
            .database()
            .orElseThrow()
            .poolSize());
    assertEquals(Optional.empty(), ConfigLoader.parse(VALID, BASE).database());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "jdbc:postgresql://db/keysmith?user=keysmith&password=hunter2 | database.url holds a"
            + " user: give the login in KEYSMITH_DATABASE_USER and KEYSMITH_DATABASE_PASSWORD",
        "jdbc:postgresql://db/keysmith?ssl=true&PASSWORD=hunter2 | database.url holds a password:",
        "jdbc:mysql://db/keysmith | database.url 'jdbc:mysql://db/keysmith' is not a PostgreSQL"
            + " JDBC URL",
        "postgres://db/keysmith | is not a PostgreSQL JDBC URL (like"
            + " jdbc:postgresql://db.internal:5432/keysmith)",
        "'' | database.url is missing: name the PostgreSQL database"
      })
  void parse_badDatabaseUrl_namesTheKeyAndNeverRepeatsAPassword(String url, String expected) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.parse(VALID + "database:\n  url: '" + url + "'\n", BASE));

    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 101})
  void parse_databasePoolSizeOutOfRange_isRefused(int size) {
    assertFails(
        VALID + "database:\n  url: jdbc:postgresql://db/keysmith\n  poolSize: " + size + "\n",
        "database.poolSize " + size + " must be from 2 to 100 connections");
  }

  @Test
  void parse_unknownKey_namesItsLine() {
    assertFails(with("maxAge: 60d", "maxKeyAge: 60d"), "keys.unusedAfter) (line 16)");
  }

  @Test
  void parse_unknownKeyWhereTheMeantKeyIsMissing_isReportedAsUnknown() {
    assertFails(
        with("users: [U012ABCDEF, W0987ZYXWV]\n  userGroup: S0123ABCDE", "user: [U012ABCDEF]"),
        "keysmith.yml: unknown key approvers.user"
            + " (expected one of approvers.users, approvers.userGroup) (line 2)");
  }

  @Test
  void parse_bindingError_namesLineOfTheValue() {
    assertFails(
        with("rotationNeedsApproval: true", "rotationNeedsApproval: yes"),
        "keysmith.yml: keys.rotationNeedsApproval must be true or false, not 'yes' (line 13)");
    assertFails(
        with("offerLifetime: 7d", "offerLifetime: 7w"),
        "keysmith.yml: delivery.offerLifetime '7w' is not a duration"
            + " (like 90s, 2m, 12h, 7d or PT2M) (line 10)");
    assertFails(
        with("users: [U012ABCDEF, W0987ZYXWV]", "users: U012ABCDEF"),
        "keysmith.yml: approvers.users must be a list, like [a, b], not 'U012ABCDEF' (line 2)");
  }

  @Test
  void parse_emptyListItem_isRefused() {
    assertFails(
        with("[developers, readonly]", "[developers, ~]"),
        "keysmith.yml: groups[1] must be a single value, not empty (line 5)");
  }

  @Test
  void parse_durationWrittenAsNumber_isNotADuration() {
    assertFails(
        with("offerLifetime: 7d", "offerLifetime: 90"),
        "keysmith.yml: delivery.offerLifetime '90' is not a duration");
  }

  // ---- happy paths ----

  @Test
  void parse_full_readsEverything() {
    KeysmithConfig config = ConfigLoader.parse(VALID, BASE);

    assertEquals(
        new KeysmithConfig(
            Set.of("U012ABCDEF", "W0987ZYXWV"),
            Optional.of("S0123ABCDE"),
            "C0123ABCDE",
            List.of("developers", "readonly"),
            List.of("admins", "Break-Glass"),
            "/keysmith/",
            Optional.of("arn:aws:iam::123456789012:policy/KeysmithBoundary"),
            Duration.ofDays(7),
            Duration.ofMinutes(2),
            BASE.resolve("data"),
            new KeyCare(
                true,
                Duration.ofDays(3),
                Duration.ofDays(14),
                Duration.ofDays(60),
                Duration.ofDays(30)),
            new KeysmithConfig.Pending(Duration.ofHours(2), Duration.ofDays(2)),
            List.of(
                dev.keysmith.request.GroupPolicy.defaults("developers"),
                dev.keysmith.request.GroupPolicy.defaults("readonly")),
            Optional.empty()),
        config);
  }

  @Test
  void parse_minimal_appliesDefaults() {
    String yaml =
        """
        approvers:
          users: [U012ABCDEF]
        approvalsChannel: G0123ABCDE
        groups: [developers]
        """;

    KeysmithConfig config = ConfigLoader.parse(yaml, BASE);

    assertEquals(Optional.empty(), config.approverGroupId());
    assertEquals(List.of(), config.protectedGroups());
    assertEquals("/keysmith/", config.iamPath());
    assertEquals(Optional.empty(), config.permissionsBoundaryArn());
    assertEquals(KeysmithConfig.Pending.defaults(), config.pending());
    assertEquals(Duration.ofHours(4), config.pending().remindApproversAfter());
    assertEquals(Duration.ofDays(3), config.pending().expireAfter());
    assertEquals(Duration.ofDays(7), config.offerLifetime());
    assertEquals(Duration.ofMinutes(2), config.secretVisibleFor());
    assertEquals(BASE.resolve("data"), config.dataDir());
    assertEquals(
        new KeyCare(
            false,
            Duration.ofDays(7),
            Duration.ofDays(7),
            Duration.ofDays(90),
            Duration.ofDays(45)),
        config.keyCare());
  }

  @Test
  void defaults_keyCare_areWhatTheExampleShows() {
    assertEquals(KeyCare.defaults(), ConfigLoader.load(Path.of("keysmith.example.yml")).keyCare());
  }

  @Test
  void parse_someKeysSettings_defaultsTheRest() {
    KeysmithConfig config =
        ConfigLoader.parse(
            VALID.replaceAll("(?s)keys:.*unusedAfter: 30d", "keys:\n  maxAge: 30d\n  unusedAfter:"),
            BASE);

    assertEquals(
        new KeyCare(
            false,
            Duration.ofDays(7),
            Duration.ofDays(7),
            Duration.ofDays(30),
            Duration.ofDays(45)),
        config.keyCare());
  }

  @Test
  void parse_keysAtTheirMinimums_isAccepted() {
    String yaml =
        VALID.replaceAll(
            "(?s)keys:.*unusedAfter: 30d",
            "keys:\n  rotationNeedsApproval: 'false'\n  gracePeriod: 1h\n  deleteAfter: 60m\n"
                + "  maxAge: 1d\n  unusedAfter: PT24H");

    assertEquals(
        new KeyCare(
            false,
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofDays(1),
            Duration.ofDays(1)),
        ConfigLoader.parse(yaml, BASE).keyCare());
  }

  @Test
  void parse_emptyOptionalValues_meanDefaults() {
    String yaml =
        """
        approvers:
          users: [U012ABCDEF]
          userGroup:
        approvalsChannel: C0123ABCDE
        groups: [developers]
        iam:
        delivery:
          offerLifetime:
        keys:
        """;

    KeysmithConfig config = ConfigLoader.parse(yaml, BASE);

    assertEquals(Optional.empty(), config.approverGroupId());
    assertEquals(List.of(), config.protectedGroups());
    assertEquals("/keysmith/", config.iamPath());
    assertEquals(Duration.ofDays(7), config.offerLifetime());
    assertEquals(KeyCare.defaults(), config.keyCare());
  }

  @Test
  void parse_userGroupOnly_isEnoughApprovers() {
    KeysmithConfig config =
        ConfigLoader.parse(
            with(
                "users: [U012ABCDEF, W0987ZYXWV]\n  userGroup: S0123ABCDE",
                "userGroup: S0123ABCDE"),
            BASE);

    assertEquals(Set.of(), config.approverIds());
    assertEquals(Optional.of("S0123ABCDE"), config.approverGroupId());
  }

  @Test
  void parse_approverIds_keepFileOrder() {
    KeysmithConfig config =
        ConfigLoader.parse(with("[U012ABCDEF, W0987ZYXWV]", "[W0987ZYXWV, U012ABCDEF]"), BASE);

    assertEquals(List.of("W0987ZYXWV", "U012ABCDEF"), List.copyOf(config.approverIds()));
  }

  @ParameterizedTest
  @CsvSource({"90s, PT90S", "2m, PT2M", "12h, PT12H", "7d, PT168H", "PT2M, PT2M", "P7D, PT168H"})
  void parse_durationForms_areUnderstood(String text, String expected) {
    KeysmithConfig config =
        ConfigLoader.parse(with("offerLifetime: 7d", "offerLifetime: " + text), BASE);

    assertEquals(Duration.parse(expected), config.offerLifetime());
  }

  @ParameterizedTest
  @CsvSource({"10s, PT10S", "25m, PT25M", "PT90S, PT90S"})
  void parse_secretVisibleForWithinBounds_isAccepted(String text, String expected) {
    KeysmithConfig config =
        ConfigLoader.parse(with("secretVisibleFor: 2m", "secretVisibleFor: " + text), BASE);

    assertEquals(Duration.parse(expected), config.secretVisibleFor());
  }

  @Test
  void parse_groupLikeYamlBooleanWord_isReadAsText() {
    KeysmithConfig config =
        ConfigLoader.parse(with("[developers, readonly]", "[developers, on, no]"), BASE);

    assertEquals(List.of("developers", "on", "no"), config.groups());
  }

  @Test
  void parse_groupLikeNumber_isReadAsText() {
    KeysmithConfig config =
        ConfigLoader.parse(with("[developers, readonly]", "[developers, 2024]"), BASE);

    assertEquals(List.of("developers", "2024"), config.groups());
  }

  @Test
  void parse_dataDir_relativeResolvedAbsoluteKept() {
    assertEquals(
        BASE.resolve("var/db"),
        ConfigLoader.parse(with("dataDir: ./data", "dataDir: var/./db"), BASE).dataDir());
    assertEquals(
        Path.of("/var/lib/keysmith"),
        ConfigLoader.parse(with("dataDir: ./data", "dataDir: /var/lib/keysmith"), BASE).dataDir());
  }

  @Test
  void load_file_resolvesDataDirAgainstItsDirectory() throws Exception {
    Path file = tmp.resolve("conf/keysmith.yml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, VALID);

    KeysmithConfig config = ConfigLoader.load(file);

    assertEquals(tmp.resolve("conf/data").toAbsolutePath(), config.dataDir());
  }

  @Test
  void load_shippedExample_isValid() {
    KeysmithConfig config = ConfigLoader.load(Path.of("keysmith.example.yml"));

    assertEquals("C0123ABCDE", config.approvalsChannel());
    assertEquals(Path.of("data").toAbsolutePath(), config.dataDir());
  }

  private static String with(String from, String to) {
    assertTrue(VALID.contains(from), () -> "test setup: '" + from + "' not found in VALID");
    return VALID.replace(from, to);
  }

  private static void assertFails(String yaml, String expectedInMessage) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, BASE));
    assertTrue(
        e.getMessage().contains(expectedInMessage),
        () -> "expected '" + expectedInMessage + "' in: " + e.getMessage());
  }
}
