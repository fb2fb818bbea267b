package dev.keysmith.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {
  private static final String BOT = "xoxb-1111-2222-botsecretvalue";
  private static final String APP = "xapp-1-A111-333-appsecretvalue";
  private static final String SIGNING = "8f742231b10e8888abcd99yyyzzz85a5";

  // ---- unhappy paths ----

  @Test
  void fromEnv_botTokenMissing_namesVariable() {
    assertFails(env(Map.of("SLACK_SIGNING_SECRET", SIGNING)), "SLACK_BOT_TOKEN is not set");
    assertFails(
        env(Map.of("SLACK_BOT_TOKEN", "  ", "SLACK_SIGNING_SECRET", SIGNING)),
        "SLACK_BOT_TOKEN is not set");
  }

  @ParameterizedTest
  @ValueSource(strings = {"xoxp-user-token-value", "xapp-1-app-token-value", "bot-token-value"})
  void fromEnv_botTokenWrongKind_namesVariableNotValue(String token) {
    ConfigException e =
        assertFails(
            env(Map.of("SLACK_BOT_TOKEN", token, "SLACK_SIGNING_SECRET", SIGNING)),
            "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-");

    assertFalse(e.getMessage().contains(token), e.getMessage());
  }

  @Test
  void fromEnv_appTokenWrongKind_namesVariableNotValue() {
    String wrong = "xoxb-9999-not-an-app-token";

    ConfigException e =
        assertFails(
            env(Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_APP_TOKEN", wrong)),
            "SLACK_APP_TOKEN is not an app-level token");

    assertFalse(e.getMessage().contains(wrong), e.getMessage());
  }

  @Test
  void fromEnv_httpModeWithoutSigningSecret_namesVariable() {
    assertFails(env(Map.of("SLACK_BOT_TOKEN", BOT)), "SLACK_SIGNING_SECRET is not set");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "slack.example/api",
        "ftp://slack.com/api/",
        "https:///api",
        "http://localhost:8080/api/?x=1",
        "https://user:xoxb-secret@slack.com/api/",
        "http://local host/api/"
      })
  void fromEnv_badApiUrl_namesVariableNotValue(String url) {
    ConfigException e =
        assertFails(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING, "SLACK_API_URL", url)),
            "SLACK_API_URL is not an http(s) URL");

    assertFalse(e.getMessage().contains(url), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "-1", "http", "3000.5"})
  void fromEnv_badPort_namesVariable(String port) {
    assertFails(
        env(Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING, "PORT", port)),
        "PORT is not a port number from 1 to 65535");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "many", "1000001"})
  void fromEnv_badConnectionCap_namesVariableAndDefault(String cap) {
    assertFails(
        env(
            Map.of(
                "SLACK_BOT_TOKEN",
                BOT,
                "SLACK_SIGNING_SECRET",
                SIGNING,
                "KEYSMITH_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                cap)),
        "KEYSMITH_HTTP_MAX_CONNECTIONS_PER_ADDRESS is not a whole number from 1 to 1000000"
            + " (default 256)");
  }

  @Test
  void fromEnv_connectionCaps_areRead() {
    Settings settings =
        Settings.fromEnv(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN",
                    BOT,
                    "SLACK_SIGNING_SECRET",
                    SIGNING,
                    "KEYSMITH_HTTP_MAX_CONNECTIONS",
                    "4096",
                    "KEYSMITH_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                    "2048")));

    assertEquals(4096, settings.maxConnections());
    assertEquals(2048, settings.maxConnectionsPerAddress());
  }

  @Test
  void fromEnv_badConfigPath_namesVariable() {
    assertFails(
        env(
            Map.of(
                "SLACK_BOT_TOKEN",
                BOT,
                "SLACK_SIGNING_SECRET",
                SIGNING,
                "KEYSMITH_CONFIG",
                "a\0b")),
        "KEYSMITH_CONFIG is not a valid path");
  }

  // ---- happy paths ----

  @Test
  void fromEnv_httpMode_appliesDefaults() {
    Settings settings =
        Settings.fromEnv(env(Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING)));

    assertEquals(
        new Settings(
            BOT,
            Optional.of(SIGNING),
            Optional.empty(),
            Optional.empty(),
            Path.of("./keysmith.yml"),
            3000),
        settings);
    assertFalse(settings.socketMode());
  }

  @Test
  void fromEnv_appToken_meansSocketModeWithoutSigningSecret() {
    Settings settings =
        Settings.fromEnv(env(Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_APP_TOKEN", APP)));

    assertTrue(settings.socketMode());
    assertEquals(Optional.of(APP), settings.appToken());
    assertEquals(Optional.empty(), settings.signingSecret());
  }

  @Test
  void fromEnv_emptyOptionalVariables_meanUnset() {
    Settings settings =
        Settings.fromEnv(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN", BOT,
                    "SLACK_SIGNING_SECRET", SIGNING,
                    "SLACK_APP_TOKEN", "",
                    "SLACK_API_URL", "",
                    "KEYSMITH_CONFIG", "",
                    "PORT", "")));

    assertFalse(settings.socketMode());
    assertEquals(Optional.empty(), settings.slackApiUrl());
    assertEquals(Path.of("./keysmith.yml"), settings.configPath());
    assertEquals(3000, settings.port());
  }

  @Test
  void fromEnv_everything_readsEach() {
    Settings settings =
        Settings.fromEnv(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN",
                    BOT,
                    "SLACK_SIGNING_SECRET",
                    SIGNING,
                    "SLACK_APP_TOKEN",
                    APP,
                    "SLACK_API_URL",
                    "http://localhost:9999/api/",
                    "KEYSMITH_CONFIG",
                    "/etc/keysmith/keysmith.yml",
                    "PORT",
                    "8080")));

    assertEquals(
        new Settings(
            BOT,
            Optional.of(SIGNING),
            Optional.of(APP),
            Optional.of("http://localhost:9999/api/"),
            Path.of("/etc/keysmith/keysmith.yml"),
            8080),
        settings);
  }

  @ParameterizedTest
  @CsvSource({
    "https://slack.com/api/, https://slack.com/api/",
    "https://slack.com/api, https://slack.com/api/",
    "https://slack.com, https://slack.com/api/",
    "https://slack.com/, https://slack.com/api/",
    "HTTP://localhost:8080, http://localhost:8080/api/",
    "http://127.0.0.1:8080/fake//, http://127.0.0.1:8080/fake/api/",
    "http://localhost:8080/fake/api, http://localhost:8080/fake/api/"
  })
  void fromEnv_apiUrl_isNormalisedToMethodsPrefix(String given, String expected) {
    Settings settings =
        Settings.fromEnv(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN",
                    BOT,
                    "SLACK_SIGNING_SECRET",
                    SIGNING,
                    "SLACK_API_URL",
                    given)));

    assertEquals(Optional.of(expected), settings.slackApiUrl());
  }

  @Test
  void toString_withAllSecrets_hidesThem() {
    Settings settings =
        Settings.fromEnv(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN",
                    BOT,
                    "SLACK_SIGNING_SECRET",
                    SIGNING,
                    "SLACK_APP_TOKEN",
                    APP)));

    String text = settings.toString();

    assertFalse(text.contains("botsecretvalue"), text);
    assertFalse(text.contains("appsecretvalue"), text);
    assertFalse(text.contains(SIGNING), text);
    assertTrue(text.contains("port=3000"), text);
    assertTrue(text.contains("signingSecret=(hidden)"), text);
  }

  @Test
  void toString_withoutOptionalSecrets_saysUnset() {
    Settings settings =
        Settings.fromEnv(env(Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_APP_TOKEN", APP)));

    assertTrue(settings.toString().contains("signingSecret=(unset)"), settings.toString());
  }

  @Test
  void fromEnv_startFreshNeitherTrueNorFalse_namesVariable() {
    assertFails(
        env(
            Map.of(
                "SLACK_BOT_TOKEN",
                BOT,
                "SLACK_SIGNING_SECRET",
                SIGNING,
                "KEYSMITH_START_FRESH",
                "yes")),
        "KEYSMITH_START_FRESH is neither true nor false");
  }

  @Test
  void fromEnv_logFormatNeitherPlainNorJson_namesVariable() {
    assertFails(
        env(
            Map.of(
                "SLACK_BOT_TOKEN",
                BOT,
                "SLACK_SIGNING_SECRET",
                SIGNING,
                "KEYSMITH_LOG_FORMAT",
                "xml")),
        "KEYSMITH_LOG_FORMAT is neither plain nor json");
  }

  @Test
  void fromEnv_logFormat_plainOrJsonInEitherCase_isAccepted() {
    for (String format : new String[] {"plain", "json", "JSON"}) {
      Map<String, String> env =
          env(
              Map.of(
                  "SLACK_BOT_TOKEN",
                  BOT,
                  "SLACK_SIGNING_SECRET",
                  SIGNING,
                  "KEYSMITH_LOG_FORMAT",
                  format));
      assertDoesNotThrow(() -> Settings.fromEnv(env), format);
    }
  }

  @Test
  void fromEnv_startFresh_isReadAndOffByDefault() {
    Map<String, String> base = Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING);
    Map<String, String> fresh = new HashMap<>(base);
    fresh.put("KEYSMITH_START_FRESH", "TRUE");

    assertFalse(Settings.fromEnv(env(base)).startFresh());
    assertTrue(Settings.fromEnv(env(fresh)).startFresh());
  }

  @Test
  void fromEnv_databaseLogin_isReadAndItsPasswordNeverShown() {
    Map<String, String> base = Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING);
    Map<String, String> login = new HashMap<>(base);
    login.put("KEYSMITH_DATABASE_USER", "keysmith");
    login.put("KEYSMITH_DATABASE_PASSWORD", "pg-secret-value");

    Settings settings = Settings.fromEnv(env(login));

    assertEquals(Optional.of("keysmith"), settings.databaseLogin().user());
    assertEquals(Optional.of("pg-secret-value"), settings.databaseLogin().password());
    assertEquals("keysmith", settings.databaseLogin().requireUser());
    assertFalse(settings.toString().contains("pg-secret-value"), settings.toString());
    assertTrue(settings.toString().contains("password=(hidden)"), settings.toString());
    assertEquals(Settings.DatabaseLogin.NONE, Settings.fromEnv(env(base)).databaseLogin());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"short-token", "has spaces in the token value", "quote\"in-token-0123456"})
  void fromEnv_metricsTokenUnusable_namesVariableNotValue(String token) {
    ConfigException e =
        assertFails(
            env(
                Map.of(
                    "SLACK_BOT_TOKEN",
                    BOT,
                    "SLACK_SIGNING_SECRET",
                    SIGNING,
                    "KEYSMITH_METRICS_TOKEN",
                    token)),
            "KEYSMITH_METRICS_TOKEN");

    assertFalse(e.getMessage().contains(token), e.getMessage());
  }

  @Test
  void fromEnv_metricsToken_isReadAndHidden() {
    String token = "0123456789abcdef0123456789abcdef";
    Map<String, String> base = Map.of("SLACK_BOT_TOKEN", BOT, "SLACK_SIGNING_SECRET", SIGNING);
    Map<String, String> withToken = new HashMap<>(base);
    withToken.put("KEYSMITH_METRICS_TOKEN", token);

    Settings settings = Settings.fromEnv(env(withToken));

    assertEquals(Optional.of(token), settings.metricsToken());
    assertFalse(settings.toString().contains(token), settings.toString());
    assertTrue(settings.toString().contains("metricsToken=(hidden)"), settings.toString());
    assertEquals(Optional.empty(), Settings.fromEnv(env(base)).metricsToken());
  }

  @Test
  void requireUser_withoutTheVariable_namesItAndTheConfigKey() {
    ConfigException e =
        assertThrows(ConfigException.class, Settings.DatabaseLogin.NONE::requireUser);

    assertTrue(e.getMessage().startsWith("KEYSMITH_DATABASE_USER is not set"), e.getMessage());
    assertTrue(e.getMessage().contains("database.url"), e.getMessage());
  }

  private static Map<String, String> env(Map<String, String> values) {
    // Unrelated variables, as a real environment has, must not matter.
    Map<String, String> env = new HashMap<>(Map.of("HOME", "/root", "PATH", "/usr/bin"));
    env.putAll(values);
    return env;
  }

  private static ConfigException assertFails(Map<String, String> env, String expectedInMessage) {
    ConfigException e = assertThrows(ConfigException.class, () -> Settings.fromEnv(env));
    assertTrue(
        e.getMessage().contains(expectedInMessage),
        () -> "expected '" + expectedInMessage + "' in: " + e.getMessage());
    return e;
  }
}
