package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.iam.AwsClients;
import dev.keysmith.iam.IamCallMeter;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.UserTags;
import dev.keysmith.metrics.PrometheusMetrics;
import dev.keysmith.request.GroupPolicy;
import dev.keysmith.store.Database;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.FakeSocketMode;
import dev.keysmith.testing.IamFaultProxy;
import dev.keysmith.testing.MotoServer;
import dev.keysmith.testing.MutableClock;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.BlockAction;
import dev.keysmith.testing.SlackRequests.Reply;
import dev.keysmith.testing.TestDatabase;
import dev.keysmith.testing.TrackingExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Keysmith as people meet it: running in HTTP mode, its IAM calls going to moto, its Slack calls to
 * a fake Slack Web API, driven by Slack-signed requests, with a clock the test moves. On request it
 * runs in Socket Mode instead, driven by envelopes sent over a fake Socket Mode server.
 */
final class KeysmithFixture implements AutoCloseable {
  static final String SIGNING_SECRET = "e2e-signing-secret";
  static final String APPROVER = "U0APPROVER1";
  static final String APPROVER_2 = "U0APPROVER2";
  static final String GROUP_APPROVER = "U0GROUPAPPR";
  static final String APPROVER_GROUP = "S0APPROVERS";
  static final String REQUESTER = "U0REQUESTER";
  static final String OWNER = "U0OWNER0001";
  static final String STRANGER = "U0STRANGER1";
  static final String APPROVALS = "C0APPROVALS";
  static final String PROTECTED_GROUP = "Admins";
  static final Duration VISIBLE_FOR = Duration.ofMinutes(2);
  static final Duration OFFER = Duration.ofDays(7);
  static final Duration WAIT = Duration.ofSeconds(20);

  final MotoServer moto = MotoServer.get();
  final IamClient iam = moto.iamClient();
  final FakeSlackApi slack = FakeSlackApi.start();

  /** Between Keysmith's IAM client and moto: makes IAM late, failing or silent, per action. */
  final IamFaultProxy proxy = IamFaultProxy.start(moto.endpoint());

  // Near real time: moto stamps key creation and last use with its own clock, and rotation
  // compares those stamps with Keysmith's.
  final MutableClock clock =
      new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1)));
  final Path dataDir;

  /** IAM operations Keysmith called, such as {@code ListUserTags}, but not its caches' loads. */
  final List<String> iamCalls = Collections.synchronizedList(new ArrayList<>());

  /** While set, every IAM call Keysmith makes fails as if IAM could not be reached. */
  final AtomicBoolean iamDown = new AtomicBoolean();

  TrackingExecutor workers;
  Keysmith keysmith;
  SlackRequests send;

  KeysmithFixture(Path dataDir) throws Exception {
    this(dataDir, proxy -> {});
  }

  /**
   * A fixture whose Keysmith keeps its state in {@code database} (PostgreSQL, for replicas: see
   * {@link #startReplica()}) rather than SQLite in {@code dataDir}.
   */
  KeysmithFixture(Path dataDir, TestDatabase database) throws Exception {
    this(dataDir, database, /* socketMode= */ false);
  }

  /**
   * A fixture as {@link #KeysmithFixture(Path, TestDatabase)}, whose Keysmiths run in Socket Mode
   * when {@code socketMode} is set: each opens its own connection to {@link #socket}, the fake
   * Socket Mode server, and its HTTP port serves only the health check and the metrics; a test
   * sends envelopes there, not signed requests. A SQLite {@code database} is the one in {@code
   * dataDir}.
   */
  KeysmithFixture(Path dataDir, TestDatabase database, boolean socketMode) throws Exception {
    this.database = database.dialect() == Database.Dialect.POSTGRESQL ? database : null;
    this.dataDir = dataDir;
    if (socketMode) {
      socket = FakeSocketMode.start();
      slack.attach(socket);
    }
    moto.reset();
    iam.createGroup(g -> g.groupName("developers"));
    iam.createGroup(g -> g.groupName("readonly"));
    slack.setUserGroupMembers(APPROVER_GROUP, List.of(GROUP_APPROVER));
    start();
  }

  /**
   * The fake Slack Socket Mode server Keysmith connects to, when it runs in Socket Mode; null when
   * it runs in HTTP mode (the default).
   */
  @Nullable FakeSocketMode socket;

  /** The app token Keysmith starts with: set in Socket Mode, which it turns on. */
  static final String APP_TOKEN = "xapp-1-A0001-1-e2e";

  /** Where Keysmith keeps its state: PostgreSQL when set, else SQLite in {@code dataDir}. */
  @Nullable TestDatabase database;

  /** The replicas started besides the first, which share its database, Slack, IAM and clock. */
  final List<Replica> replicas = new ArrayList<>();

  /**
   * A second (third, ...) Keysmith process on the same database, with its own HTTP port (or, in
   * Socket Mode, its own connection).
   */
  final class Replica implements AutoCloseable {
    final TrackingExecutor workers = new TrackingExecutor();
    final Keysmith keysmith;

    /** Requests to this replica's HTTP port; null in Socket Mode. */
    final @Nullable SlackRequests send;

    Replica() throws Exception {
      keysmith = launch(workers);
      send = socket == null ? eventsOf(keysmith) : null;
    }

    @Override
    public void close() {
      keysmith.close();
    }
  }

  /** Starts another replica; the fixture's requests go to the first until {@link #via} says. */
  Replica startReplica() throws Exception {
    if (database == null || database.dialect() != Database.Dialect.POSTGRESQL) {
      throw new IllegalStateException("replicas share a PostgreSQL database");
    }
    Replica replica = new Replica();
    replicas.add(replica);
    return replica;
  }

  /** From now on, the fixture's requests go to {@code replica} (null: the first Keysmith). */
  void via(@Nullable Replica replica) {
    send =
        replica != null
            ? replica.send
            : new SlackRequests(
                URI.create("http://127.0.0.1:" + keysmith.port() + "/slack/events"),
                SIGNING_SECRET);
  }

  /** Keysmith's database, opened as a tool would open it beside Keysmith. */
  Database openDatabase() {
    return database != null ? database.open() : Database.open(dataDir);
  }

  /**
   * A fixture whose IAM already misbehaves as {@code iamBeforeStart} sets it when Keysmith starts.
   */
  KeysmithFixture(Path dataDir, Consumer<IamFaultProxy> iamBeforeStart) throws Exception {
    this.dataDir = dataDir;
    moto.reset();
    iam.createGroup(g -> g.groupName("developers"));
    iam.createGroup(g -> g.groupName("readonly"));
    slack.setUserGroupMembers(APPROVER_GROUP, List.of(GROUP_APPROVER));
    iamBeforeStart.accept(proxy);
    start();
  }

  private boolean rotationNeedsApproval;

  /**
   * How long edits of a posted Slack message wait for newer states; zero by default, so a test sees
   * each edit right after the work that made it, without stepping the clock.
   */
  Duration slackEditSettle = Duration.ZERO;

  /** The group policies the next {@link #start()} configures; none by default. */
  List<GroupPolicy> policies = List.of();

  /** The audit channel the next {@link #start()} configures; none by default. */
  @Nullable String auditChannel;

  /** The id of the audit channel a test configures. */
  static final String AUDIT = "C0AUDITLOG";

  /** Whether the next {@link #start()} sets {@code KEYSMITH_START_FRESH}. */
  boolean startFresh;

  /** The {@code KEYSMITH_METRICS_TOKEN} the next {@link #start()} sets; none by default. */
  Optional<String> metricsToken = Optional.empty();

  /**
   * {@code GET path} on the first Keysmith's HTTP port (in Socket Mode too), with {@code
   * authorization} as the {@code Authorization} header when not null.
   */
  HttpResponse<String> get(String path, @Nullable String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + keysmith.port() + path))
            .timeout(WAIT)
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  void start() throws Exception {
    workers = new TrackingExecutor();
    keysmith = launch(workers);
    // In Socket Mode there is no HTTP port to send to: envelopes go through the fake socket.
    send = socket == null ? eventsOf(keysmith) : null;
    idle();
  }

  private static SlackRequests eventsOf(Keysmith keysmith) {
    return new SlackRequests(
        URI.create("http://127.0.0.1:" + keysmith.port() + "/slack/events"), SIGNING_SECRET);
  }

  /** Starts a Keysmith on the fixture's Slack, IAM, clock and database, working on {@code pool}. */
  private Keysmith launch(TrackingExecutor pool) throws Exception {
    Settings settings =
        new Settings(
            "xoxb-e2e-test-token",
            Optional.of(SIGNING_SECRET),
            socket == null ? Optional.empty() : Optional.of(APP_TOKEN),
            Optional.of(slack.methodsUrl()),
            dataDir.resolve("keysmith.yml"),
            0,
            Settings.DEFAULT_MAX_CONNECTIONS,
            Settings.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            startFresh,
            database == null
                ? Settings.DatabaseLogin.NONE
                : new Settings.DatabaseLogin(
                    Optional.of(database.server().user()), database.server().password()),
            metricsToken);
    KeysmithConfig config =
        new KeysmithConfig(
            Set.of(APPROVER, APPROVER_2),
            Optional.of(APPROVER_GROUP),
            APPROVALS,
            List.of("developers", "readonly", "not-in-iam"),
            List.of(PROTECTED_GROUP),
            "/keysmith/",
            Optional.of("arn:aws:iam::123456789012:policy/KeysmithUserBoundary"),
            OFFER,
            VISIBLE_FOR,
            dataDir,
            withApproval(KeysmithConfig.KeyCare.defaults(), rotationNeedsApproval),
            KeysmithConfig.Pending.defaults(),
            policies,
            database == null
                ? Optional.empty()
                : Optional.of(new KeysmithConfig.DatabaseServer(database.server().url(), 4)));
    // As Keysmith.main wires them: the IAM client's calls counted in the metrics /metrics serves.
    PrometheusMetrics metrics = new PrometheusMetrics();
    if (auditChannel != null) {
      config = config.withAuditChannel(auditChannel);
    }
    return Keysmith.start(
        settings,
        config,
        new Keysmith.Wiring(
            clock,
            AwsClients.lazily(
                () ->
                    AwsClients.iam(
                        proxy.endpoint(),
                        MotoServer.CREDENTIALS,
                        List.of(new IamCallRecorder(iamCalls), new IamOutage(iamDown)),
                        List.of(new IamCallMeter(metrics)))),
            AwsClients.lazily(() -> AwsClients.sts(moto.endpoint(), MotoServer.CREDENTIALS)),
            pool,
            /* scheduleHousekeeping= */ false,
            slackEditSettle,
            metrics));
  }

  private static KeysmithConfig.KeyCare withApproval(KeysmithConfig.KeyCare d, boolean needed) {
    return new KeysmithConfig.KeyCare(
        needed,
        d.rotationGracePeriod(),
        d.deleteAfterDeactivation(),
        d.maxKeyAge(),
        d.unusedKeyAge());
  }

  /** Stops Keysmith as a crash or deploy would, and starts it again on the same data. */
  void restart() throws Exception {
    keysmith.close();
    start();
  }

  /** Restarts with rotations needing (or not) an approver's go-ahead. */
  void restart(boolean rotationNeedsApproval) throws Exception {
    this.rotationNeedsApproval = rotationNeedsApproval;
    restart();
  }

  /** Waits for the work handlers started after their acks. */
  void idle() throws InterruptedException {
    workers.awaitIdle(WAIT);
    for (Replica r : replicas) {
      r.workers.awaitIdle(WAIT);
    }
  }

  /** Opens the modal and submits it; returns the new request's id. */
  String submit(String requester, String name, String group, String type, String owner, String why)
      throws Exception {
    Reply reply = submitForm(requester, name, group, type, owner, why);
    assertEquals(200, reply.status(), reply.body());
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
    idle();
    JsonNode approval =
        slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .reduce((a, b) -> b)
            .orElseThrow()
            .json("blocks");
    return approval.get(0).path("text").path("text").asText().replace("IAM user request ", "");
  }

  Reply submitForm(
      String requester, String name, String group, String type, String owner, String why)
      throws Exception {
    return send.viewSubmission(
        requester, "keysmith_create_user", "", formValues(name, group, type, owner, why));
  }

  /** The create-user form's submission, signed, to send as the test likes. */
  SlackRequests.Signed signedSubmission(
      String requester, String name, String group, String type, String owner, String why) {
    return send.sign(
        send.viewSubmissionBody(
            requester, "keysmith_create_user", "", formValues(name, group, type, owner, why)));
  }

  static Map<String, Map<String, JsonNode>> formValues(
      String name, String group, String type, String owner, String why) {
    Map<String, Map<String, JsonNode>> values = new LinkedHashMap<>();
    values.put("iam_user_name", Map.of("value", SlackRequests.plainTextInput(name)));
    values.put("group", Map.of("value", SlackRequests.staticSelect(group, group)));
    values.put("access_type", Map.of("value", SlackRequests.radioButtons(type, type)));
    values.put("owner", Map.of("value", SlackRequests.usersSelect(owner)));
    values.put("justification", Map.of("value", SlackRequests.plainTextInput(why)));
    return values;
  }

  /** A click on the approvals message. */
  Reply click(String user, String actionId, String requestId) throws Exception {
    Reply reply =
        send.blockAction(
            BlockAction.click(user, actionId, requestId)
                .onMessage(APPROVALS, "1700000000.000100")
                .withResponseUrl(slack.newResponseUrl()));
    assertEquals(200, reply.status(), reply.body());
    idle();
    return reply;
  }

  /** A click on an ephemeral message (no message copy in the payload), with its response_url. */
  Reply clickEphemeral(String user, String actionId, String requestId, String responseUrl)
      throws Exception {
    Reply reply =
        send.blockAction(
            BlockAction.click(user, actionId, requestId)
                .onEphemeral()
                .withResponseUrl(responseUrl));
    assertEquals(200, reply.status(), reply.body());
    idle();
    return reply;
  }

  /** Runs {@code /iam <text>} and returns what Keysmith answered through the response_url. */
  String command(String user, String text) throws Exception {
    String url = slack.newResponseUrl();
    Reply reply = send.slashCommand(user, text, "t.1", url);
    assertEquals(200, reply.status(), reply.body());
    idle();
    List<FakeSlackApi.ResponseUrlPost> posts =
        slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertEquals(1, posts.size(), "one answer to " + text);
    assertEquals("ephemeral", posts.get(0).json().path("response_type").asText());
    return posts.get(0).raw();
  }

  /** An IAM user owned (by tag) by {@code owner} with one key; returns the key. */
  AccessKey ownedUserWithKey(String name, String owner) {
    iam.createUser(
        u -> u.userName(name).tags(Tag.builder().key("keysmith:owner").value(owner).build()));
    return iam.createAccessKey(a -> a.userName(name)).accessKey();
  }

  /** Signs one request to moto with {@code key}, so IAM records its last use. */
  void useKey(AccessKey key) {
    try (var client =
        AwsClients.sts(
            moto.endpoint(),
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))) {
      client.getCallerIdentity();
    }
  }

  /** Active, Inactive, or deleted. */
  String status(String user, String keyId) {
    return iam.listAccessKeys(a -> a.userName(user)).accessKeyMetadata().stream()
        .filter(m -> m.accessKeyId().equals(keyId))
        .map(AccessKeyMetadata::statusAsString)
        .findFirst()
        .orElse("deleted");
  }

  /** The stored state of request {@code id}, such as {@code APPROVED}. */
  String requestState(String id) {
    return query("SELECT state FROM requests WHERE id = ?", id).get(0);
  }

  /** The kinds of the jobs waiting to run about {@code subject}, earliest due first. */
  List<String> pendingJobs(String subject) {
    return query(
        "SELECT kind FROM jobs WHERE subject = ? AND state = 'PENDING' ORDER BY due_at, id",
        subject);
  }

  private List<String> query(String sql, String arg) {
    try (var db = openDatabase()) {
      return db.withConnection(
          "query",
          c -> {
            try (var ps = c.prepareStatement(sql)) {
              ps.setString(1, arg);
              List<String> rows = new ArrayList<>();
              try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                  rows.add(rs.getString(1));
                }
              }
              return rows;
            }
          });
    }
  }

  /** How many audit events with {@code action} there are. */
  long auditCount(String action) {
    try (var db = openDatabase()) {
      return db.withConnection(
          "count",
          c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM audit WHERE action = ?")) {
              ps.setString(1, action);
              try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            }
          });
    }
  }

  /** The first column of what {@code sql} selects from the database in {@code dataDir}. */
  static List<String> column(Path dataDir, String sql) throws SQLException {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("keysmith.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }

  /** {@code /iam link} by {@code requester}; returns the id on the approvals message it posted. */
  String askLink(String requester, String iamUser, String owner) throws Exception {
    java.util.function.Supplier<List<FakeSlackApi.Call>> posts =
        () ->
            slack.calls("chat.postMessage").stream()
                .filter(c -> APPROVALS.equals(c.param("channel")))
                .toList();
    int before = posts.get().size();
    String answer = command(requester, "link " + iamUser + " <@" + owner + "|someone>");
    assertTrue(answer.contains("waits in the approvals channel"), answer);
    List<FakeSlackApi.Call> after = posts.get();
    assertEquals(before + 1, after.size());
    return after
        .get(after.size() - 1)
        .json("blocks")
        .get(0)
        .path("text")
        .path("text")
        .asText()
        .replace("Link request ", "");
  }

  /** The owner tag IAM has on {@code iamUser}, if any. */
  Optional<String> ownerTag(String iamUser) {
    return iam.listUserTags(t -> t.userName(iamUser)).tags().stream()
        .filter(t -> t.key().equals(UserTags.OWNER))
        .map(Tag::value)
        .findFirst();
  }

  /** Whether IAM has a user of this name. */
  boolean userExists(String name) {
    try {
      iam.getUser(u -> u.userName(name));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  /**
   * Every row of every table of Keysmith's database, in order, as text: equal before and after
   * means nothing was stored, changed or audited in between.
   */
  String databaseState() throws SQLException {
    StringBuilder state = new StringBuilder();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("keysmith.db"));
        Statement tables = c.createStatement();
        ResultSet names =
            tables.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
      List<String> all = new ArrayList<>();
      while (names.next()) {
        all.add(names.getString(1));
      }
      for (String table : all) {
        state.append("## ").append(table).append('\n');
        try (Statement rows = c.createStatement();
            ResultSet rs = rows.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY rowid")) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              state.append(rs.getString(i)).append('\t');
            }
            state.append('\n');
          }
        }
      }
    }
    return state.toString();
  }

  /** Fails every IAM call while {@code down} is set, as an unreachable IAM would. */
  private static final class IamOutage implements ExecutionInterceptor {
    private final AtomicBoolean down;

    IamOutage(AtomicBoolean down) {
      this.down = down;
    }

    @Override
    public void beforeExecution(
        Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
      if (down.get()) {
        throw SdkClientException.create("Unable to execute HTTP request: Connect timed out");
      }
    }
  }

  /** Records each IAM operation, unless IamDirectory's caches load or refresh (reads only). */
  private static final class IamCallRecorder implements ExecutionInterceptor {
    private final List<String> calls;

    IamCallRecorder(List<String> calls) {
      this.calls = calls;
    }

    @Override
    public void beforeExecution(
        Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
      boolean cacheLoad =
          StackWalker.getInstance()
              .walk(
                  frames ->
                      frames.anyMatch(
                          f -> f.getClassName().startsWith(IamDirectory.class.getName())));
      if (!cacheLoad) {
        calls.add(context.request().getClass().getSimpleName().replaceFirst("Request$", ""));
      }
    }
  }

  /** Blocks of the direct messages {@code user} received, as JSON text. */
  List<String> dms(String user) {
    return slack.calls("chat.postMessage").stream()
        .filter(c -> user.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }

  @Override
  public void close() {
    replicas.forEach(Replica::close);
    if (keysmith != null) {
      keysmith.close();
    }
    proxy.close();
    slack.close();
    if (socket != null) {
      socket.close();
    }
  }
}
