package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runs the whole flow, with the production logging configuration, then looks for the secret access
 * key and the password everywhere they must never be: every log line, every file of the data
 * directory, every message Slack received that is not the owner's ephemeral reveal.
 */
class SecretHygieneIT {
  private static final Pattern SECRET =
      Pattern.compile("aws_secret_access_key = (\\S+?)(?:\\\\n|`|\\s)");
  private static final Pattern PASSWORD = Pattern.compile("Temporary password\\*\\\\n`([^`]+)`");

  @TempDir Path dataDir;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private KeysmithFixture k;

  @BeforeEach
  void productionLogging() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    // Our own code at its most talkative: a secret must not reach even a TRACE line.
    context.getLogger("dev.keysmith").setLevel(Level.TRACE);
    logs.setContext(context);
    logs.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logs);
    k = new KeysmithFixture(dataDir);
    // With an audit channel: its lines are among the Slack calls scanned below.
    k.auditChannel = KeysmithFixture.AUDIT;
    k.restart();
  }

  @AfterEach
  void restoreLogging() throws Exception {
    if (k != null) {
      k.close();
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback-test.xml"));
  }

  @Test
  void createUserAndRotation_secretsAndPassword_appearOnlyInTheOwnersEphemeralMessages()
      throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.click(STRANGER, "keysmith_get_credentials", id);
    k.clickEphemeral(STRANGER, "keysmith_reveal", id, k.slack.newResponseUrl());
    k.click(OWNER, "keysmith_get_credentials", id);
    // The Home tab while the offer waits, and again after each secret was shown: its views are
    // among the Slack calls scanned below.
    openHome(1);
    String revealUrl = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, revealUrl);
    openHome(2);
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
    k.clickEphemeral(STRANGER, "keysmith_hide", id, revealUrl);
    k.clickEphemeral(OWNER, "keysmith_hide", id, revealUrl);
    // Then a rotation of the new user's key, through its grace period and deactivation.
    String keyId =
        k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().get(0).accessKeyId();
    k.command(OWNER, "rotate-key");
    String rotateUrl = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + keyId + "|rotate", rotateUrl);
    openHome(3);
    k.clock.advance(java.time.Duration.ofDays(8));
    k.keysmith.housekeeping();
    String metrics = k.get("/metrics", null).body();
    k.keysmith.close();

    List<FakeSlackApi.ResponseUrlPost> shown =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.raw().contains("aws_secret_access_key"))
            .toList();
    assertEquals(2, shown.size(), "each secret is shown exactly once");
    FakeSlackApi.ResponseUrlPost reveal = shown.get(0);
    FakeSlackApi.ResponseUrlPost rotated = shown.get(1);
    assertEquals(revealUrl, reveal.url());
    assertEquals(rotateUrl, rotated.url());
    for (FakeSlackApi.ResponseUrlPost post : shown) {
      assertEquals("ephemeral", post.json().path("response_type").asText());
      assertTrue(post.json().path("replace_original").asBoolean());
    }
    List<String> secrets =
        List.of(
            group(SECRET, reveal.raw()),
            group(PASSWORD, reveal.raw()),
            group(SECRET, rotated.raw()));
    for (String secret : secrets) {
      assertTrue(secret.length() >= 20, secret.length() + " chars");
    }

    List<String> places = new ArrayList<>();
    for (ILoggingEvent e : logs.list) {
      places.add("log: " + e.getFormattedMessage() + " " + throwable(e));
    }
    assertTrue(logs.list.size() > 10, "the scan must see the log lines: " + logs.list.size());
    assertTrue(
        logs.list.stream().anyMatch(e -> e.getLoggerName().equals("keysmith.audit")),
        "audit lines are among them");
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        places.add(
            "file "
                + f.getFileName()
                + ": "
                + new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    assertTrue(places.stream().anyMatch(p -> p.startsWith("file keysmith.db")));
    assertTrue(
        k.slack.accepted("chat.postMessage").stream()
                .filter(c -> KeysmithFixture.AUDIT.equals(c.param("channel")))
                .count()
            >= 5,
        "the audit channel's lines are among the calls scanned");
    assertTrue(
        k.slack.accepted("views.publish").size() >= 3, "the Home tab's views are among the calls");
    for (FakeSlackApi.Call call : k.slack.allCalls()) {
      places.add("slack " + call.method() + ": " + call.rawBody() + " " + call.params());
    }
    for (FakeSlackApi.ResponseUrlPost post : k.slack.responseUrlPosts()) {
      if (!shown.contains(post)) {
        places.add("response_url: " + post.raw());
      }
    }
    assertTrue(metrics.contains("keysmith_deliveries_total"), "the scan must see the metrics");
    places.add("metrics: " + metrics);
    for (String place : places) {
      for (String secret : secrets) {
        // The failure names the place, with the secret itself masked out of the report.
        String where = cut(place.replace(secret, "<SECRET>"));
        assertFalse(place.contains(secret), "a secret found in " + where);
        assertFalse(place.contains(urlEncoded(secret)), "a url-encoded secret in " + where);
      }
    }
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertTrue(m.find(), "pattern " + p + " not in " + text);
    return m.group(1);
  }

  private static String throwable(ILoggingEvent e) {
    return e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy());
  }

  private static String urlEncoded(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String cut(String place) {
    return place.substring(0, Math.min(place.length(), 120)) + "…";
  }

  private void openHome(int n) throws Exception {
    SlackRequests.Reply ack =
        k.send.event(SlackRequests.homeOpenedBody(OWNER, "home", "Ev0HYGIENE" + n));
    assertEquals(200, ack.status(), ack.body());
    k.idle();
  }
}
