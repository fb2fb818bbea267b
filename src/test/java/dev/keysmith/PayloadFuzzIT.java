package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.GROUP_APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keysmith.core.SlackIds;
import dev.keysmith.iam.IamNames;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import dev.keysmith.testing.TrapServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * Thousands of Slack-signed payloads on Keysmith's real callback and action ids, with random shapes
 * and values, through the HTTP server and the Bolt app, as someone holding a leaked signing secret
 * could send them. Two kinds: forged ones, each with at least one part Slack never sends (a
 * response_url that is not Slack's, a user id that is not one, a malformed value, metadata or
 * argument, a form Keysmith must refuse), which must be refused before any IAM call; and
 * well-formed ones from someone with no rights (a stranger), which may read IAM but change nothing.
 * For every one: no 5xx, no state change in the database, no IAM change, no stack trace or
 * exception name in anything sent to Slack, nothing sent anywhere but the payload's own Slack
 * response_url, and every log line one line. Bounded to about 30 seconds.
 */
class PayloadFuzzIT {
  private static final Duration BUDGET = Duration.ofSeconds(30);
  private static final int TRIES = 8_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonNode ABSENT = MissingNode.getInstance();

  /** A well-formed access key id no account has: AWS's own documentation example. */
  private static final String UNKNOWN_KEY_ID = "AKIAIOSFODNN7EXAMPLE";

  private static final ObjectNode BLOCK_ACTIONS = fixture("block_actions.json");
  private static final ObjectNode VIEW_SUBMISSION = fixture("view_submission.json");
  private static final ObjectNode SLASH_COMMAND = fixture("slash_command.json");

  /** What a stack trace or an exception's name looks like in text sent to Slack. */
  private static final Pattern TRACE =
      Pattern.compile(
          "Exception|Throwable|\\w+Error\\b|\\bat [\\w$.]+\\(|"
              + "\\b(java|javax|jdk|sun|com\\.slack|dev\\.keysmith|software\\.amazon|okhttp3|"
              + "org\\.sqlite|com\\.fasterxml)\\.[a-z]");

  /** Web API methods a payload may make Keysmith call: none that posts or changes a message. */
  private static final Set<String> HARMLESS_CALLS =
      Set.of("views.open", "auth.test", "usergroups.users.list");

  private static final List<String> INJECTIONS =
      List.of(
          "<!channel>",
          "<!here>",
          "<!subteam^S0APPROVERS>",
          "<@U0APPROVER1>",
          "<@U0APPROVER1|approver>",
          "' OR 1=1 --",
          "\"; DROP TABLE requests; --",
          "${jndi:ldap://127.0.0.1:1/a}",
          "../../../etc/passwd",
          "%0d%0aSet-Cookie: x=y",
          "{{7*7}}",
          "null",
          "undefined",
          "\u0000",
          "\r\n2026-12-01T00:00:00Z INFO  [main] keysmith.audit - {\"action\":\"forged\"}",
          "||",
          "|",
          "-",
          "\u202e\u200b\ufeff",
          "𝕂𝕊-𝔸𝔹ℂ𝟙𝟚𝟛",
          "KS-ABC123\r\n",
          " KS-ABC123",
          "ks-abc123",
          "RT-ABC12",
          "U0APPROVER1\n",
          "u0approver1",
          "legacy|" + UNKNOWN_KEY_ID + "|lost|extra",
          "legacy|-|stolen",
          "legacy||rotate",
          "http://169.254.169.254/latest/meta-data/");

  private static final Pattern REQUEST_ID = Pattern.compile("KS-[0-9A-Z]{6}");
  private static final Pattern ROTATION_ID = Pattern.compile("RT-[0-9A-Z]{6}");
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
  private static final Pattern KEY_CHOICE = Pattern.compile("([^|]*)\\|([^|]*)\\|(lost|rotate)");

  private static Path dataDir;
  private static KeysmithFixture k;
  private static TrapServer trap;
  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static final Map<String, Level> levels = new LinkedHashMap<>();
  private static final Map<Logger, Boolean> additivity = new LinkedHashMap<>();
  private static Seed seed;
  private static long deadline;
  private static volatile boolean failing;
  private static final AtomicInteger run = new AtomicInteger();
  private static final AtomicInteger skipped = new AtomicInteger();
  private static final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
  private static long startedNanos;

  /** The state payloads aim at: requests in three states, an owned user, a waiting rotation. */
  private record Seed(
      String pendingId,
      String provisionedId,
      String revealedId,
      String rotationId,
      String ownedUser,
      String keyId) {}

  // ---- Lifecycle

  @BeforeContainer
  static void start() throws Exception {
    captureLogs("dev.keysmith", Level.INFO);
    captureLogs("keysmith.audit", Level.INFO);
    captureLogs("com.slack.api", Level.WARN);
    trap = TrapServer.start();
    dataDir = Files.createTempDirectory("keysmith-fuzz");
    k = new KeysmithFixture(dataDir);
    k.restart(/* rotationNeedsApproval= */ true);
    seed = seed();
    k.slack.clear();
    k.iamCalls.clear();
    logs.list.clear();
    startedNanos = System.nanoTime();
    deadline = startedNanos + BUDGET.toNanos();
  }

  @AfterContainer
  static void stop() throws IOException {
    long seconds = Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
    if (k != null) {
      k.close();
    }
    if (trap != null) {
      trap.close();
    }
    additivity.forEach(Logger::setAdditive);
    levels.forEach((name, level) -> logger(name).setLevel(level));
    additivity.keySet().forEach(l -> l.detachAppender(logs));
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    System.out.printf(
        "PayloadFuzzIT: %d signed payloads in %d s (%d tries past the time budget skipped): %s%n",
        run.get(), seconds, skipped.get(), new TreeMap<>(outcomes));
  }

  private static Seed seed() throws Exception {
    String pending = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    String provisioned = k.submit(REQUESTER, "bob", "developers", "BOTH", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", provisioned);
    String revealed = k.submit(REQUESTER, "alice", "readonly", "PROGRAMMATIC", OWNER, "audits");
    k.click(APPROVER, "keysmith_approve", revealed);
    k.click(OWNER, "keysmith_get_credentials", revealed);
    k.clickEphemeral(OWNER, "keysmith_reveal", revealed, k.slack.newResponseUrl());
    AccessKey key = k.ownedUserWithKey("legacy", OWNER);
    k.clickEphemeral(
        OWNER,
        "keysmith_rotate",
        "legacy|" + key.accessKeyId() + "|rotate",
        k.slack.newResponseUrl());
    String rotation =
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .flatMap(c -> buttonValues(c.json("blocks"), "keysmith_rotation_approve"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no rotation posted for approval"));
    return new Seed(pending, provisioned, revealed, rotation, "legacy", key.accessKeyId());
  }

  // ---- The property

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE) // the pools hold the edge cases
  void signedPayload_thatSlackWouldNotSendOrFromAStranger_changesNothing(
      @ForAll("payloads") Payload p) throws Exception {
    if (!failing && System.nanoTime() > deadline) {
      skipped.incrementAndGet();
      return;
    }
    try {
      check(p);
    } catch (AssertionError | RuntimeException e) {
      failing = true; // let jqwik shrink it whatever the clock says
      throw e;
    }
  }

  private static void check(Payload p) throws Exception {
    run.incrementAndGet();
    k.slack.clear();
    k.iamCalls.clear();
    int trapped = trap.requests().size();
    int logged = logs.list.size();
    // Against the state just before, not the seed's: once a failure changed it, shrinking must
    // still find the payload that changes it, not any payload at all.
    String before = k.databaseState();

    Reply reply = k.send.send(k.send.sign(p.body()));
    k.idle();
    outcomes
        .computeIfAbsent(p.kind() + " " + reply.status(), s -> new AtomicInteger())
        .incrementAndGet();

    assertTrue(reply.status() < 500, () -> "HTTP " + reply.status() + " " + reply.body());
    noTrace("the HTTP answer", reply.body(), p);
    for (FakeSlackApi.ResponseUrlPost post : k.slack.responseUrlPosts()) {
      assertEquals(
          p.responseUrl(), post.url(), "posted to a response_url the payload did not name");
      noTrace("a response_url post", post.raw(), p);
    }
    for (FakeSlackApi.Call call : k.slack.allCalls()) {
      assertTrue(HARMLESS_CALLS.contains(call.method()), () -> "called " + call.method());
      noTrace(call.method(), call.rawBody(), p);
    }
    assertEquals(trapped, trap.requests().size(), () -> "sent to the trap: " + trap.requests());
    List<String> iam = List.copyOf(k.iamCalls);
    if (p.forged()) {
      assertEquals(List.of(), iam, "IAM called for a forged payload");
    } else {
      assertTrue(
          iam.stream().allMatch(op -> op.startsWith("Get") || op.startsWith("List")),
          () -> "IAM changed for a stranger: " + iam);
    }
    assertEquals(before, k.databaseState(), "the database changed");
    List<ILoggingEvent> lines;
    synchronized (logs) { // the appender adds under this lock
      lines = List.copyOf(logs.list.subList(logged, logs.list.size()));
    }
    for (ILoggingEvent e : lines) {
      if (!e.getLoggerName().startsWith("com.slack.api")) {
        String line = e.getFormattedMessage();
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\r') < 0, () -> "log: " + line);
        assertTrue(!e.getLevel().isGreaterOrEqual(Level.ERROR), () -> "ERROR: " + line);
      }
    }
  }

  /** Fails on a stack trace or exception name in {@code text}, unless the payload itself had it. */
  private static void noTrace(String where, String text, Payload p) {
    Matcher m = TRACE.matcher(text);
    while (m.find()) {
      String found = m.group();
      assertTrue(p.body().contains(URLEncoder.encode(found, UTF_8)), where + " says " + found);
    }
  }

  // ---- What the payloads are made of

  /** One signed request body, and what the property needs to know of it. */
  record Payload(
      boolean forged, String surface, String body, String responseUrl, String description) {
    String kind() {
      return (forged ? "forged " : "stranger ") + surface;
    }

    @Override
    public String toString() {
      return kind() + ": " + description;
    }
  }

  @Provide
  Arbitrary<Payload> payloads() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, forged()), net.jqwik.api.Tuple.of(1, fromAStranger()));
  }

  private Arbitrary<Payload> forged() {
    return Arbitraries.oneOf(
        forgedClicks(), forgedCreateUser(), forgedDeny(), forgedExtend(), forgedCommands());
  }

  private Arbitrary<Payload> fromAStranger() {
    return Arbitraries.oneOf(
        strangerClicks(), strangerDeny(), strangerExtend(), strangerCommands());
  }

  // Block actions: actor, value, response_url; at least one of them malformed.
  private Arbitrary<Payload> forgedClicks() {
    return Arbitraries.of(Action.values())
        .flatMap(
            action ->
                Combinators.combine(
                        Arbitraries.integers().between(1, 7),
                        goodActors(),
                        badUserIds(),
                        goodValues(action),
                        badValues(action),
                        goodUrls(),
                        badUrls(),
                        noise(CLICK_NOISE))
                    .as(
                        (mask, actor, badActor, value, badValue, url, badUrl, noise) ->
                            click(
                                true,
                                action,
                                (mask & 1) != 0 ? badActor : text(actor),
                                (mask & 2) != 0 ? badValue : text(value),
                                (mask & 4) != 0 ? badUrl : text(url),
                                noise)));
  }

  private Arbitrary<Payload> strangerClicks() {
    return Arbitraries.of(Action.values())
        .flatMap(
            action ->
                Combinators.combine(strangers(), goodValues(action), goodUrls(), noise(CLICK_NOISE))
                    .as(
                        (actor, value, url, noise) ->
                            click(false, action, text(actor), text(value), text(url), noise)));
  }

  // The create-user form: at least one of actor, name, group, access type, owner, justification
  // is something Keysmith must refuse.
  private Arbitrary<Payload> forgedCreateUser() {
    Arbitrary<Form> good =
        Combinators.combine(
                goodActors(),
                Arbitraries.of("dave", "erin", "svc-reports@example.com"),
                Arbitraries.of("developers", "readonly"),
                Arbitraries.of("PROGRAMMATIC", "CONSOLE", "BOTH"),
                goodActors(),
                Arbitraries.of("reports", "quarterly audit"))
            .as(
                (actor, name, group, type, owner, why) ->
                    new Form(
                        text(actor),
                        textInput(text(name)),
                        select("static_select", text(group)),
                        select("radio_buttons", text(type)),
                        usersSelect(text(owner)),
                        textInput(text(why))));
    Arbitrary<Form> bad =
        Combinators.combine(
                badUserIds(),
                // Keysmith strips the name before checking it, so the bad ones stay bad stripped.
                badString(n -> isIamUser(n.strip())).map(PayloadFuzzIT::text).map(this::textInput),
                badString(g -> g.equals("developers") || g.equals("readonly"))
                    .map(g -> select("static_select", text(g))),
                Arbitraries.oneOf(
                    badString(t -> List.of("PROGRAMMATIC", "CONSOLE", "BOTH").contains(t))
                        .map(t -> select("radio_buttons", text(t))),
                    Arbitraries.just(nothingSelected("radio_buttons"))),
                badString(SlackIds::isUserId).map(o -> usersSelect(text(o))),
                Arbitraries.oneOf(
                        Arbitraries.of("", "   ", "\n"),
                        Arbitraries.strings()
                            .withCharRange('a', 'z')
                            .ofMinLength(1001)
                            .ofMaxLength(4000))
                    .map(w -> textInput(text(w))))
            .as(Form::new);
    return Combinators.combine(Arbitraries.integers().between(1, 63), good, bad, noise(VIEW_NOISE))
        .as((mask, g, b, noise) -> createUser(g.mixedWith(b, mask), noise));
  }

  private Arbitrary<Payload> forgedDeny() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 3),
            goodActors(),
            badUserIds(),
            requestIds(),
            badValues(Action.APPROVE),
            Arbitraries.oneOf(Arbitraries.just("not needed"), junk()),
            noise(VIEW_NOISE))
        .as(
            (mask, actor, badActor, id, badId, reason, noise) ->
                deny(
                    true,
                    (mask & 1) != 0 ? badActor : text(actor),
                    (mask & 2) != 0 ? badId : text(id),
                    reason,
                    noise));
  }

  private Arbitrary<Payload> strangerDeny() {
    return Combinators.combine(strangers(), requestIds(), junk(), noise(VIEW_NOISE))
        .as((actor, id, reason, noise) -> deny(false, text(actor), text(id), reason, noise));
  }

  // The extend form: actor or metadata malformed; the lifetime anything.
  private Arbitrary<Payload> forgedExtend() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 3),
            goodActors(),
            badUserIds(),
            requestIds(),
            badValues(Action.APPROVE),
            Arbitraries.oneOf(Arbitraries.of("PT24H", "none", "P3D"), junk()),
            noise(VIEW_NOISE))
        .as(
            (mask, actor, badActor, id, badId, lifetime, noise) ->
                extend(
                    true,
                    (mask & 1) != 0 ? badActor : text(actor),
                    (mask & 2) != 0 ? badId : text(id),
                    lifetime,
                    noise));
  }

  /** Someone who owns nothing asks to extend a user: refused, nothing stored. */
  private Arbitrary<Payload> strangerExtend() {
    return Combinators.combine(
            strangers(), requestIds(), Arbitraries.of("PT1H", "PT24H"), noise(VIEW_NOISE))
        .as((actor, id, lifetime, noise) -> extend(false, text(actor), text(id), lifetime, noise));
  }

  // /iam: response_url, user id, and for the subcommands that take them, arguments.
  private Arbitrary<Payload> forgedCommands() {
    Arbitrary<Payload> anySubcommand =
        Combinators.combine(
                Arbitraries.integers().between(1, 3),
                goodActors(),
                badUserIds(),
                goodCommandTexts(),
                goodUrls(),
                badUrls(),
                noise(COMMAND_NOISE))
            .as(
                (mask, actor, badActor, text, url, badUrl, noise) ->
                    command(
                        true,
                        (mask & 1) != 0 ? badActor : text(actor),
                        text,
                        (mask & 2) != 0 ? badUrl : text(url),
                        noise));
    Arbitrary<Payload> badArguments =
        Combinators.combine(goodActors(), badCommandTexts(), goodUrls(), noise(COMMAND_NOISE))
            .as((actor, text, url, noise) -> command(true, text(actor), text, text(url), noise));
    return Arbitraries.oneOf(anySubcommand, badArguments);
  }

  private Arbitrary<Payload> strangerCommands() {
    return Combinators.combine(strangers(), goodCommandTexts(), goodUrls(), noise(COMMAND_NOISE))
        .as((actor, text, url, noise) -> command(false, text(actor), text, text(url), noise));
  }

  // ---- Pools of values

  /** The buttons Keysmith posts, with the kind of value each carries. */
  enum Action {
    APPROVE("keysmith_approve"),
    DENY("keysmith_deny"),
    CANCEL_REQUEST("keysmith_cancel_request"),
    EXTEND("keysmith_extend"),
    GET_CREDENTIALS("keysmith_get_credentials"),
    REVEAL("keysmith_reveal"),
    HIDE("keysmith_hide"),
    DEACTIVATE_KEY("keysmith_deactivate_key"),
    ROTATE_PROMPT("keysmith_rotate_prompt"),
    ROTATE("keysmith_rotate"),
    DELETE_FOR_ROOM("keysmith_delete_for_room"),
    DEACTIVATE_OLD_NOW("keysmith_deactivate_old_now"),
    ROTATION_APPROVE("keysmith_rotation_approve"),
    ROTATION_DENY("keysmith_rotation_deny"),
    DELETE_USER("keysmith_delete_user"),
    DELETE_USER_PROMPT("keysmith_delete_user_prompt"),
    REASSIGN("keysmith_reassign"),
    CANCEL_DELETE_USER("keysmith_delete_user_cancel");

    final String id;

    Action(String id) {
      this.id = id;
    }

    /** Whether Keysmith would read {@code v} as this button's value (the test's own oracle). */
    boolean reads(String v) {
      return switch (this) {
        case APPROVE, DENY, CANCEL_REQUEST, EXTEND, GET_CREDENTIALS, REVEAL ->
            REQUEST_ID.matcher(v).matches();
        case HIDE -> REQUEST_ID.matcher(v).matches() || ROTATION_ID.matcher(v).matches();
        case DEACTIVATE_KEY -> ACCESS_KEY_ID.matcher(v).matches();
        case ROTATE_PROMPT, DELETE_USER, DELETE_USER_PROMPT, REASSIGN, CANCEL_DELETE_USER ->
            isIamUser(v);
        case ROTATE, DELETE_FOR_ROOM -> {
          Matcher m = KEY_CHOICE.matcher(v);
          yield m.matches()
              && isIamUser(m.group(1))
              && ((this == ROTATE && m.group(2).equals("-"))
                  || ACCESS_KEY_ID.matcher(m.group(2)).matches());
        }
        case DEACTIVATE_OLD_NOW, ROTATION_APPROVE, ROTATION_DENY ->
            ROTATION_ID.matcher(v).matches();
      };
    }
  }

  private Arbitrary<String> goodActors() {
    return Arbitraries.of(APPROVER, APPROVER_2, GROUP_APPROVER, OWNER, REQUESTER, STRANGER);
  }

  /** Well-formed user ids of people with no rights anywhere. */
  private Arbitrary<String> strangers() {
    return Arbitraries.oneOf(
        Arbitraries.just(STRANGER),
        Arbitraries.strings()
            .withCharRange('A', 'Z')
            .withCharRange('0', '9')
            .ofMinLength(8)
            .ofMaxLength(12)
            .map(s -> "W0" + s));
  }

  private Arbitrary<String> requestIds() {
    return Arbitraries.of(seed.pendingId(), seed.provisionedId(), seed.revealedId(), "KS-ZZZZZZ");
  }

  private Arbitrary<String> goodValues(Action action) {
    List<String> values =
        List.of(
            seed.pendingId(),
            seed.provisionedId(),
            seed.revealedId(),
            seed.rotationId(),
            "KS-ZZZZZZ",
            "RT-ZZZZZZ",
            seed.ownedUser(),
            "alice",
            "nobody",
            seed.keyId(),
            UNKNOWN_KEY_ID,
            seed.ownedUser() + "|" + seed.keyId() + "|rotate",
            seed.ownedUser() + "|" + seed.keyId() + "|lost",
            seed.ownedUser() + "|-|rotate",
            "alice|-|lost");
    return Arbitraries.of(values.stream().filter(action::reads).toList());
  }

  /** Values the action cannot read: junk, wrong JSON types, or none at all. */
  private Arbitrary<JsonNode> badValues(Action action) {
    return Arbitraries.oneOf(
        badString(action::reads).map(PayloadFuzzIT::text),
        Arbitraries.of(ABSENT, NullNode.getInstance(), NODES.objectNode(), NODES.arrayNode()),
        // Slack's JSON has strings here; a number reads as its digits, which no value matches
        // except a user name (the Rotate prompt's, Delete user's), so numbers are left to the
        // other buttons.
        action.reads("12345")
            ? Arbitraries.just(ABSENT)
            : Arbitraries.integers().between(-99999, 99999).map(i -> (JsonNode) new IntNode(i)));
  }

  private Arbitrary<JsonNode> badUserIds() {
    return Arbitraries.oneOf(
        badString(SlackIds::isUserId).map(PayloadFuzzIT::text),
        Arbitraries.of(
            ABSENT,
            NullNode.getInstance(),
            new IntNode(12345),
            BooleanNode.TRUE,
            NODES.objectNode(),
            text("U" + "A".repeat(60))));
  }

  private Arbitrary<String> goodUrls() {
    return Arbitraries.create(() -> k.slack.newResponseUrl());
  }

  /** response_urls that are not Slack's: the metadata service, the trap in disguises, junk. */
  private Arbitrary<JsonNode> badUrls() {
    int port = trap.port();
    String fake = k.slack.methodsUrl().replace("/api/", "");
    return Arbitraries.oneOf(
        Arbitraries.of(
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "http://127.0.0.1:" + port + "/response/1",
                "http://localhost:" + port + "/response/1",
                "http://127.1:" + port + "/response/1",
                "http://2130706433:" + port + "/response/1",
                "https://hooks.slack.com@127.0.0.1:" + port + "/actions",
                "http://127.0.0.1:" + port + "#@hooks.slack.com/actions",
                "http://127.0.0.1:" + port + "\\@hooks.slack.com/actions",
                fake + "@127.0.0.1:" + port + "/response/1",
                fake.replace("http://", "https://") + "/response/1",
                "http://hooks.slack.com/actions/T0001/1/x",
                "https://hooks.slack.com.127.0.0.1.nip.io:" + port + "/actions",
                "file:///etc/passwd",
                "gopher://127.0.0.1:" + port + "/_POST",
                "//hooks.slack.com/actions",
                "")
            .map(PayloadFuzzIT::text),
        junk().map(PayloadFuzzIT::text),
        Arbitraries.of(ABSENT, NullNode.getInstance(), new IntNode(80), NODES.objectNode()));
  }

  private Arbitrary<String> goodCommandTexts() {
    return Arbitraries.of(
        "",
        "help",
        "create-user",
        "keys",
        "keys legacy",
        "keys nobody",
        "rotate-key",
        "rotate-key legacy",
        "lost-key legacy",
        "deactivate-key " + seed.keyId(),
        "deactivate-key " + UNKNOWN_KEY_ID,
        // Asking to be linked is a request anyone may make (it waits for an approver), so the
        // stranger asks for one that must be refused: legacy already belongs to OWNER.
        "link legacy <@" + OWNER + "|owner>",
        "link nobody <@" + OWNER + ">",
        "delete-user legacy",
        "delete-user nobody",
        "frobnicate");
  }

  /** A subcommand with an argument Keysmith cannot read. */
  private Arbitrary<String> badCommandTexts() {
    Arbitrary<String> token = junk().map(s -> s.replaceAll("\\s", "").strip());
    return Arbitraries.oneOf(
        token
            .filter(t -> !t.isEmpty() && !isIamUser(t))
            .flatMap(
                t ->
                    Arbitraries.of(
                        "keys " + t,
                        "rotate-key " + t,
                        "lost-key " + t,
                        "delete-user " + t,
                        "link " + t + " <@U0X1>")),
        token.filter(t -> !ACCESS_KEY_ID.matcher(t).matches()).map(t -> "deactivate-key " + t),
        token.filter(t -> !linkMention(t)).map(t -> "link legacy " + t));
  }

  /** Strings of every kind: any Unicode, control characters, injections, huge ones. */
  private static Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings()
            .withChars("\r\n\t\0\u2028\u202e<>|&@!`'\"\\;%{}$ -_.")
            .ofMaxLength(24),
        Arbitraries.of(INJECTIONS),
        Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(3000).ofMaxLength(30000),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(8).map(s -> "KS-ABC123" + s),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(8).map(s -> s + "U0APPROVER1"));
  }

  private static Arbitrary<String> badString(Predicate<String> good) {
    return junk().filter(s -> !good.test(s));
  }

  // ---- Noise: parts of the payload that Keysmith does not read, made odd

  private static final List<String> CLICK_NOISE =
      List.of(
          "team",
          "channel",
          "container",
          "trigger_id",
          "api_app_id",
          "token",
          "message",
          "state",
          "enterprise",
          "is_enterprise_install",
          "user",
          "actions");
  private static final List<String> VIEW_NOISE =
      List.of(
          "team",
          "trigger_id",
          "api_app_id",
          "token",
          "response_urls",
          "enterprise",
          "user",
          "view");
  private static final List<String> COMMAND_NOISE =
      List.of(
          "team_id",
          "team_domain",
          "channel_id",
          "channel_name",
          "user_name",
          "trigger_id",
          "api_app_id",
          "token",
          "is_enterprise_install");

  /** An edit of a payload's other fields: dropped, of another JSON type, or an extra field. */
  record Noise(String field, JsonNode value) {
    void apply(ObjectNode payload) {
      put(payload, field, value);
    }

    @Override
    public String toString() {
      return field + "=" + shown(value);
    }
  }

  private static Arbitrary<List<Noise>> noise(List<String> fields) {
    Arbitrary<JsonNode> odd =
        Arbitraries.oneOf(
            Arbitraries.of(
                ABSENT,
                NullNode.getInstance(),
                new IntNode(7),
                BooleanNode.FALSE,
                NODES.arrayNode(),
                NODES.objectNode()),
            junk().map(PayloadFuzzIT::text));
    Arbitrary<Noise> edit =
        Arbitraries.oneOf(
            Combinators.combine(Arbitraries.of(fields), odd).as(Noise::new),
            junk().map(v -> new Noise("x_extra", text(v))));
    // Half the payloads keep the fixture's shape, so most reach Keysmith's listeners.
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.just(List.<Noise>of())),
        net.jqwik.api.Tuple.of(1, edit.list().ofMinSize(1).ofMaxSize(2)));
  }

  // ---- Building payloads

  private Payload click(
      boolean forged,
      Action action,
      JsonNode actor,
      JsonNode value,
      JsonNode url,
      List<Noise> noise) {
    ObjectNode p = BLOCK_ACTIONS.deepCopy();
    put((ObjectNode) p.get("user"), "id", actor);
    put(p, "response_url", url);
    ObjectNode a = (ObjectNode) p.withArray("actions").get(0);
    a.put("action_id", action.id).put("block_id", "actions");
    put(a, "value", value);
    noise.forEach(n -> n.apply(p));
    return new Payload(
        forged,
        action.id,
        form(p),
        url.isTextual() ? url.asText() : "",
        "user=" + shown(actor) + " value=" + shown(value) + " url=" + shown(url) + " " + noise);
  }

  private Payload createUser(Form f, List<Noise> noise) {
    ObjectNode p = VIEW_SUBMISSION.deepCopy();
    put((ObjectNode) p.get("user"), "id", f.actor());
    ObjectNode view = (ObjectNode) p.get("view");
    view.put("callback_id", "keysmith_create_user");
    ObjectNode values = view.putObject("state").putObject("values");
    values.putObject("iam_user_name").set("value", f.name());
    values.putObject("group").set("value", f.group());
    values.putObject("access_type").set("value", f.type());
    values.putObject("owner").set("value", f.owner());
    values.putObject("justification").set("value", f.why());
    noise.forEach(n -> n.apply(p));
    return new Payload(true, "keysmith_create_user", form(p), "", f + " " + noise);
  }

  private Payload deny(
      boolean forged, JsonNode actor, JsonNode metadata, String reason, List<Noise> noise) {
    ObjectNode p = VIEW_SUBMISSION.deepCopy();
    put((ObjectNode) p.get("user"), "id", actor);
    ObjectNode view = (ObjectNode) p.get("view");
    view.put("callback_id", "keysmith_deny");
    put(view, "private_metadata", metadata);
    view.putObject("state")
        .putObject("values")
        .putObject("deny_reason")
        .set("value", textInput(text(reason)));
    noise.forEach(n -> n.apply(p));
    return new Payload(
        forged,
        "keysmith_deny view",
        form(p),
        "",
        "user=" + shown(actor) + " metadata=" + shown(metadata) + " " + noise);
  }

  private Payload extend(
      boolean forged, JsonNode actor, JsonNode metadata, String lifetime, List<Noise> noise) {
    ObjectNode p = VIEW_SUBMISSION.deepCopy();
    put((ObjectNode) p.get("user"), "id", actor);
    ObjectNode view = (ObjectNode) p.get("view");
    view.put("callback_id", "keysmith_extend");
    put(view, "private_metadata", metadata);
    ObjectNode values = view.putObject("state").putObject("values");
    values.putObject("lifetime").set("value", SlackRequests.staticSelect(lifetime, lifetime));
    values.putObject("justification").set("value", textInput(text("still needed")));
    noise.forEach(n -> n.apply(p));
    return new Payload(
        forged,
        "keysmith_extend view",
        form(p),
        "",
        "user=" + shown(actor) + " metadata=" + shown(metadata) + " " + noise);
  }

  private Payload command(
      boolean forged, JsonNode actor, String text, JsonNode url, List<Noise> noise) {
    ObjectNode p = SLASH_COMMAND.deepCopy();
    put(p, "user_id", actor);
    p.put("text", text);
    put(p, "response_url", url);
    noise.forEach(n -> n.apply(p));
    StringBuilder body = new StringBuilder();
    p.properties()
        .forEach(
            e -> {
              if (!e.getValue().isObject() && !e.getValue().isArray()) {
                body.append(body.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(e.getKey(), UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(e.getValue().asText(), UTF_8));
              }
            });
    return new Payload(
        forged,
        "/iam",
        body.toString(),
        url.isTextual() ? url.asText() : "",
        "user=" + shown(actor) + " text=" + shown(text(text)) + " url=" + shown(url) + " " + noise);
  }

  /** The create-user form's parts, as JSON state values. */
  record Form(
      JsonNode actor, JsonNode name, JsonNode group, JsonNode type, JsonNode owner, JsonNode why) {
    /** This form with the parts {@code mask} names taken from {@code bad}. */
    Form mixedWith(Form bad, int mask) {
      return new Form(
          (mask & 1) != 0 ? bad.actor : actor,
          (mask & 2) != 0 ? bad.name : name,
          (mask & 4) != 0 ? bad.group : group,
          (mask & 8) != 0 ? bad.type : type,
          (mask & 16) != 0 ? bad.owner : owner,
          (mask & 32) != 0 ? bad.why : why);
    }

    @Override
    public String toString() {
      return "user="
          + shown(actor)
          + " name="
          + shown(name)
          + " group="
          + shown(group)
          + " type="
          + shown(type)
          + " owner="
          + shown(owner)
          + " why="
          + shown(why);
    }
  }

  private JsonNode textInput(JsonNode value) {
    ObjectNode n = NODES.objectNode().put("type", "plain_text_input");
    put(n, "value", value);
    return n;
  }

  private static JsonNode select(String type, JsonNode value) {
    ObjectNode n = NODES.objectNode().put("type", type);
    ObjectNode option = n.putObject("selected_option");
    option.putObject("text").put("type", "plain_text").put("text", "x");
    put(option, "value", value);
    return n;
  }

  private static JsonNode nothingSelected(String type) {
    ObjectNode n = NODES.objectNode().put("type", type);
    n.putNull("selected_option");
    return n;
  }

  private static JsonNode usersSelect(JsonNode user) {
    ObjectNode n = NODES.objectNode().put("type", "users_select");
    put(n, "selected_user", user);
    return n;
  }

  // ---- Helpers

  private static boolean isIamUser(String s) {
    return !s.isEmpty()
        && s.length() <= IamNames.MAX_USER_NAME_LENGTH
        && IamNames.userNameCharactersNotAllowed(s).isEmpty();
  }

  private static boolean linkMention(String t) {
    Matcher m = Pattern.compile("<@([^|>]*)(?:\\|[^>]*)?>").matcher(t);
    return m.matches() && SlackIds.isUserId(m.group(1));
  }

  private static JsonNode text(String s) {
    return new TextNode(s);
  }

  private static void put(ObjectNode o, String field, JsonNode value) {
    if (value.isMissingNode()) {
      o.remove(field);
    } else {
      o.set(field, value);
    }
  }

  private static String shown(JsonNode n) {
    String s = n.isMissingNode() ? "(absent)" : n.toString();
    return s.length() > 80 ? s.substring(0, 80) + "…(" + s.length() + ")" : s;
  }

  private static String form(ObjectNode payload) {
    try {
      return "payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<String> buttonValues(JsonNode blocks, String actionId) {
    List<String> values = new ArrayList<>();
    for (JsonNode block : blocks) {
      for (JsonNode element : block.path("elements")) {
        if (actionId.equals(element.path("action_id").asText())) {
          values.add(element.path("value").asText());
        }
      }
    }
    return values.stream();
  }

  private static void captureLogs(String name, Level level) {
    Logger logger = logger(name);
    levels.put(name, logger.getLevel());
    additivity.put(logger, logger.isAdditive());
    logger.setLevel(level);
    logger.setAdditive(false); // captured here, not printed thousands of times
    logger.addAppender(logs);
    logs.start();
  }

  private static Logger logger(String name) {
    return (Logger) LoggerFactory.getLogger(name);
  }

  private static ObjectNode fixture(String name) {
    try (InputStream in = PayloadFuzzIT.class.getResourceAsStream("/slack/" + name)) {
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
