package dev.keysmith.config;

import dev.keysmith.logs.LogLayout;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keysmith's settings from the environment: Slack credentials, where the config file is, and the
 * HTTP port. {@link #toString()} hides the tokens, the signing secret and the metrics token.
 *
 * @param botToken {@code SLACK_BOT_TOKEN}, {@code xoxb-…}
 * @param signingSecret {@code SLACK_SIGNING_SECRET}; required in HTTP mode
 * @param appToken {@code SLACK_APP_TOKEN}, {@code xapp-…}; when present Keysmith uses Socket Mode
 * @param slackApiUrl {@code SLACK_API_URL}, the Web API methods prefix ending in {@code /api/}
 * @param configPath {@code KEYSMITH_CONFIG}, default {@code ./keysmith.yml}
 * @param port {@code PORT}, default 3000: Slack's events, {@code /health} and {@code /metrics} in
 *     HTTP mode; {@code /health} and {@code /metrics} in Socket Mode
 * @param maxConnections {@code KEYSMITH_HTTP_MAX_CONNECTIONS}, HTTP mode's cap on open connections
 * @param maxConnectionsPerAddress {@code KEYSMITH_HTTP_MAX_CONNECTIONS_PER_ADDRESS}, its cap per
 *     client address (behind a proxy, the proxy's)
 * @param startFresh {@code KEYSMITH_START_FRESH}: start with an empty database when the one in the
 *     data directory is lost or damaged, moving its files aside; default false
 * @param databaseLogin {@code KEYSMITH_DATABASE_USER} and {@code KEYSMITH_DATABASE_PASSWORD}, the
 *     login to the PostgreSQL server of the config file's {@code database.url}
 * @param metricsToken {@code KEYSMITH_METRICS_TOKEN}: when set, {@code GET /metrics} answers only a
 *     request with {@code Authorization: Bearer <token>}
 */
public record Settings(
    String botToken,
    Optional<String> signingSecret,
    Optional<String> appToken,
    Optional<String> slackApiUrl,
    Path configPath,
    int port,
    int maxConnections,
    int maxConnectionsPerAddress,
    boolean startFresh,
    DatabaseLogin databaseLogin,
    Optional<String> metricsToken) {

  static final String BOT_TOKEN = "SLACK_BOT_TOKEN";
  static final String APP_TOKEN = "SLACK_APP_TOKEN";
  static final String SIGNING_SECRET = "SLACK_SIGNING_SECRET";
  static final String API_URL = "SLACK_API_URL";
  static final String CONFIG = "KEYSMITH_CONFIG";
  static final String PORT = "PORT";
  static final int DEFAULT_PORT = 3000;
  static final String MAX_CONNECTIONS = "KEYSMITH_HTTP_MAX_CONNECTIONS";
  static final String MAX_CONNECTIONS_PER_ADDRESS = "KEYSMITH_HTTP_MAX_CONNECTIONS_PER_ADDRESS";
  static final String START_FRESH = "KEYSMITH_START_FRESH";
  static final String DATABASE_USER = "KEYSMITH_DATABASE_USER";
  static final String DATABASE_PASSWORD = "KEYSMITH_DATABASE_PASSWORD";
  static final String LOG_FORMAT = "KEYSMITH_LOG_FORMAT";
  static final String METRICS_TOKEN = "KEYSMITH_METRICS_TOKEN";
  private static final int MIN_METRICS_TOKEN_LENGTH = 16;

  /**
   * Who Keysmith logs in to PostgreSQL as; {@link #toString()} hides the password.
   *
   * @param user {@code KEYSMITH_DATABASE_USER}
   * @param password {@code KEYSMITH_DATABASE_PASSWORD}; unset when the server needs none (a client
   *     certificate, or a {@code .pgpass} file)
   */
  public record DatabaseLogin(Optional<String> user, Optional<String> password) {
    /** No login: SQLite needs none. */
    public static final DatabaseLogin NONE = new DatabaseLogin(Optional.empty(), Optional.empty());

    public DatabaseLogin {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    /** The user, or a {@link ConfigException} saying which variable to set. */
    public String requireUser() {
      return user.orElseThrow(
          () ->
              new ConfigException(
                  DATABASE_USER
                      + " is not set: the config file names a PostgreSQL server (database.url);"
                      + " give the user Keysmith logs in as (and its password in "
                      + DATABASE_PASSWORD
                      + ")"));
    }

    @Override
    public String toString() {
      return "DatabaseLogin[user="
          + user.orElse("(unset)")
          + ", password="
          + (password.isPresent() ? "(hidden)" : "(unset)")
          + "]";
    }
  }

  /**
   * Far more than Slack opens at once, yet a bound: a stalled connection is cut within seconds, so
   * only a flood can fill it, and the per-address cap keeps one client from doing that alone.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  /**
   * A quarter of the total: room for a burst of clicks through one proxy (a benchmark's 64
   * closed-loop clients briefly hold about 70 connections), while one address cannot take it all.
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

  public Settings {
    Objects.requireNonNull(botToken, "botToken");
    Objects.requireNonNull(signingSecret, "signingSecret");
    Objects.requireNonNull(appToken, "appToken");
    Objects.requireNonNull(slackApiUrl, "slackApiUrl");
    Objects.requireNonNull(configPath, "configPath");
    Objects.requireNonNull(databaseLogin, "databaseLogin");
    Objects.requireNonNull(metricsToken, "metricsToken");
    if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("connection caps must be at least 1");
    }
  }

  /** Settings whose {@code GET /metrics} needs no token. */
  public Settings(
      String botToken,
      Optional<String> signingSecret,
      Optional<String> appToken,
      Optional<String> slackApiUrl,
      Path configPath,
      int port,
      int maxConnections,
      int maxConnectionsPerAddress,
      boolean startFresh,
      DatabaseLogin databaseLogin) {
    this(
        botToken,
        signingSecret,
        appToken,
        slackApiUrl,
        configPath,
        port,
        maxConnections,
        maxConnectionsPerAddress,
        startFresh,
        databaseLogin,
        Optional.empty());
  }

  /** Settings that never start fresh on a lost database. */
  public Settings(
      String botToken,
      Optional<String> signingSecret,
      Optional<String> appToken,
      Optional<String> slackApiUrl,
      Path configPath,
      int port,
      int maxConnections,
      int maxConnectionsPerAddress) {
    this(
        botToken,
        signingSecret,
        appToken,
        slackApiUrl,
        configPath,
        port,
        maxConnections,
        maxConnectionsPerAddress,
        /* startFresh= */ false,
        DatabaseLogin.NONE);
  }

  /** Settings with the default connection caps. */
  public Settings(
      String botToken,
      Optional<String> signingSecret,
      Optional<String> appToken,
      Optional<String> slackApiUrl,
      Path configPath,
      int port) {
    this(
        botToken,
        signingSecret,
        appToken,
        slackApiUrl,
        configPath,
        port,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
  }

  /** Reads and validates the settings from {@code env} (normally {@code System.getenv()}). */
  public static Settings fromEnv(Map<String, String> env) {
    String botToken =
        optional(env, BOT_TOKEN)
            .orElseThrow(
                () ->
                    new ConfigException(
                        BOT_TOKEN + " is not set: give the app's Bot User OAuth Token (xoxb-...)"));
    if (!botToken.startsWith("xoxb-")) {
      throw new ConfigException(BOT_TOKEN + " is not a bot token: it must start with xoxb-");
    }
    Optional<String> appToken = optional(env, APP_TOKEN);
    if (appToken.isPresent() && !appToken.get().startsWith("xapp-")) {
      throw new ConfigException(
          APP_TOKEN + " is not an app-level token: it must start with xapp- (or be unset)");
    }
    Optional<String> signingSecret = optional(env, SIGNING_SECRET);
    if (appToken.isEmpty() && signingSecret.isEmpty()) {
      throw new ConfigException(
          SIGNING_SECRET
              + " is not set: HTTP mode needs the app's signing secret"
              + " (or set "
              + APP_TOKEN
              + " to use Socket Mode)");
    }
    checkLogFormat(env);
    return new Settings(
        botToken,
        signingSecret,
        appToken,
        optional(env, API_URL).map(Settings::apiUrl),
        configPath(env),
        number(env, PORT, DEFAULT_PORT, 65535, "a port number from 1 to 65535"),
        count(env, MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS),
        count(env, MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
        flag(env, START_FRESH),
        new DatabaseLogin(optional(env, DATABASE_USER), optional(env, DATABASE_PASSWORD)),
        optional(env, METRICS_TOKEN).map(Settings::metricsToken));
  }

  /** A bearer token: long enough not to guess, in characters a header carries as they are. */
  private static String metricsToken(String value) {
    if (value.length() < MIN_METRICS_TOKEN_LENGTH) {
      throw new ConfigException(
          METRICS_TOKEN
              + " is too short: use at least "
              + MIN_METRICS_TOKEN_LENGTH
              + " characters (openssl rand -hex 32 makes one), or unset it");
    }
    if (!value.matches("[A-Za-z0-9._~+/=-]+")) {
      throw new ConfigException(
          METRICS_TOKEN
              + " holds characters a bearer token cannot: use letters, digits and ._~+/=-"
              + " (openssl rand -hex 32 makes one)");
    }
    return value;
  }

  /**
   * Where the config file is: {@code KEYSMITH_CONFIG}, else {@code ./keysmith.yml} in the working
   * directory. Readable on its own, so a setup check can look at the file while a Slack variable is
   * still wrong.
   */
  public static Path configPath(Map<String, String> env) {
    return configPath(optional(env, CONFIG).orElse("./keysmith.yml"));
  }

  /** Whether Keysmith connects to Slack over Socket Mode (an app token is set) instead of HTTP. */
  public boolean socketMode() {
    return appToken.isPresent();
  }

  @Override
  public String toString() {
    return "Settings[botToken=(hidden)"
        + ", signingSecret="
        + (signingSecret.isPresent() ? "(hidden)" : "(unset)")
        + ", appToken="
        + (appToken.isPresent() ? "(hidden)" : "(unset)")
        + ", slackApiUrl="
        + slackApiUrl.orElse("(default)")
        + ", configPath="
        + configPath
        + ", port="
        + port
        + ", maxConnections="
        + maxConnections
        + ", maxConnectionsPerAddress="
        + maxConnectionsPerAddress
        + ", startFresh="
        + startFresh
        + ", databaseLogin="
        + databaseLogin
        + ", metricsToken="
        + (metricsToken.isPresent() ? "(hidden)" : "(unset)")
        + "]";
  }

  // An empty variable (FOO= in an env file) means unset.
  private static Optional<String> optional(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  /** The Web API methods prefix: {@code https://host[/path]/api/}. */
  private static String apiUrl(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw badApiUrl();
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw badApiUrl();
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    if (!path.endsWith("/api")) {
      path = path + "/api";
    }
    String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
    return scheme.toLowerCase(Locale.ROOT) + "://" + uri.getHost() + port + path + "/";
  }

  // Values are never repeated in messages: a variable set by mistake could hold a token.
  private static ConfigException badApiUrl() {
    return new ConfigException(
        API_URL
            + " is not an http(s) URL without query or credentials, like https://slack.com/api/");
  }

  private static Path configPath(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new ConfigException(CONFIG + " is not a valid path: " + e.getReason());
    }
  }

  private static int count(Map<String, String> env, String name, int defaultValue) {
    return number(
        env,
        name,
        defaultValue,
        1_000_000,
        "a whole number from 1 to 1000000 (default " + defaultValue + ")");
  }

  /** {@code name}'s value, from 1 to {@code max}; {@code defaultValue} when unset. */
  private static int number(
      Map<String, String> env, String name, int defaultValue, int max, String what) {
    Optional<String> value = optional(env, name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      int number = Integer.parseInt(value.get());
      if (number >= 1 && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new ConfigException(name + " is not " + what);
  }

  /**
   * {@code KEYSMITH_LOG_FORMAT} is read by {@code logback.xml}, before any setting; a value it does
   * not know logs plain text, and this stops the start so the mistake does not go unseen.
   */
  private static void checkLogFormat(Map<String, String> env) {
    Optional<String> value = optional(env, LOG_FORMAT);
    if (value.isPresent() && LogLayout.Format.named(value.get()) == null) {
      throw new ConfigException(LOG_FORMAT + " is neither plain nor json (default plain)");
    }
  }

  private static boolean flag(Map<String, String> env, String name) {
    Optional<String> value = optional(env, name);
    if (value.isEmpty() || value.get().equalsIgnoreCase("false")) {
      return false;
    }
    if (value.get().equalsIgnoreCase("true")) {
      return true;
    }
    throw new ConfigException(name + " is neither true nor false (default false)");
  }
}
