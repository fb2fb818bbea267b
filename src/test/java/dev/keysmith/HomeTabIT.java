package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Home tab through the real Bolt app: rendered when opened, refreshed when something it shows
 * changes, its buttons the messages' own and checked on the server alike; and the global shortcut.
 */
class HomeTabIT {
  private static final AtomicLong EVENTS = new AtomicLong();

  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  // --- unhappy paths first ---------------------------------------------------------------------

  @Test
  void approveFromHome_byTheRequester_isRefusedOnTheServerAndSaidOnTheTab() throws Exception {
    String id = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "reports");
    open(REQUESTER);
    assertFalse(
        lastHome(REQUESTER).toString().contains("keysmith_approve"), "not theirs to decide");
    int before = homes(REQUESTER).size();

    // A forged click: the requester's own tab never shows them Approve.
    homeClick(REQUESTER, "keysmith_approve", id);

    assertEquals("PENDING", k.requestState(id));
    assertEquals(0, k.auditCount("request.approved"));
    assertTrue(homes(REQUESTER).size() > before, "the refusal is told on the tab");
    assertTrue(k.slack.responseUrlPosts().isEmpty(), "nothing goes to a response_url");
  }

  @Test
  void getCredentialsFromHome_neverRevealsThere_andPointsToTheDirectMessage() throws Exception {
    String id = provisionedFor(OWNER, "dave-ci");
    open(OWNER);

    homeClick(OWNER, "keysmith_get_credentials", id);

    assertEquals("PROVISIONED", k.requestState(id), "nothing was minted");
    assertTrue(k.slack.responseUrlPosts().isEmpty());
    String home = lastHome(OWNER).toString();
    assertTrue(home.contains("direct messages with Keysmith"), home);
    assertFalse(home.contains("Secret access key"), home);
  }

  @Test
  void homeOpened_onTheMessagesTab_publishesNothing() throws Exception {
    SlackRequests.Reply ack = k.send.event(homeOpened(OWNER, "messages"));
    assertEquals(200, ack.status(), ack.body());
    k.idle();

    assertTrue(homes(OWNER).isEmpty());
  }

  // --- the tab ---------------------------------------------------------------------------------

  @Test
  void home_ofAnOwner_showsTheirKeysAndOfferWithTheMessagesButtons() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    String id = provisionedFor(OWNER, "bob-ci");

    open(OWNER);

    JsonNode view = lastHome(OWNER);
    assertEquals("home", view.path("type").asText());
    assertTrue(view.path("blocks").size() <= 100);
    assertEquals(List.of("alice"), values(view, "keysmith_rotate_prompt"));
    assertEquals(List.of(key), values(view, "keysmith_deactivate_key"));
    assertEquals(List.of(id), values(view, "keysmith_get_credentials"));
  }

  @Test
  void deactivateFromHome_byTheOwner_deactivatesAndTheTabSaysSo() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    open(OWNER);

    homeClick(OWNER, "keysmith_deactivate_key", key);

    assertEquals("Inactive", k.status("alice", key));
    JsonNode view = lastHome(OWNER);
    assertTrue(view.toString().contains("is deactivated"), view.toString());
    assertEquals(List.of(), values(view, "keysmith_deactivate_key"), "inactive: no buttons");
  }

  @Test
  void approveFromHome_byAnApprover_approvesAndRefreshesTheRequestersOpenedTab() throws Exception {
    open(REQUESTER);
    open(APPROVER);
    String id = k.submit(REQUESTER, "erin", "developers", "PROGRAMMATIC", OWNER, "billing");
    // Both tabs refreshed by the request's messages, without being opened again.
    assertEquals(List.of(id), values(lastHome(REQUESTER), "keysmith_cancel_request"), "refreshed");
    assertEquals(List.of(id), values(lastHome(APPROVER), "keysmith_approve"));
    assertEquals(List.of(id), values(lastHome(APPROVER), "keysmith_deny"));

    homeClick(APPROVER, "keysmith_approve", id);
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("PROVISIONED", k.requestState(id));
    assertTrue(lastHome(APPROVER).toString().contains("Your approval of request " + id));
    assertEquals(List.of(), values(lastHome(APPROVER), "keysmith_approve"));
    assertEquals(List.of(), values(lastHome(REQUESTER), "keysmith_cancel_request"));
    assertTrue(homes(OWNER).isEmpty(), "the owner never opened the tab: nothing published");
  }

  @Test
  void rotateFromHome_sendsTheOwnerADirectMessageWhoseRotateLeadsToTheUsualPrompt()
      throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    open(OWNER);

    homeClick(OWNER, "keysmith_rotate_prompt", "alice");

    List<FakeSlackApi.Call> dms =
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> OWNER.equals(c.param("channel")))
            .filter(c -> c.param("blocks").contains("keysmith_rotate_prompt"))
            .toList();
    assertEquals(1, dms.size());
    assertTrue(lastHome(OWNER).toString().contains("I sent you a direct message"));
    assertTrue(k.slack.responseUrlPosts().isEmpty(), "no key minted, nothing shown");

    // The DM's button is the /iam keys one: its prompt comes through the click's response_url.
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate_prompt", "alice", url);
    assertTrue(
        k.slack.responseUrlPosts().stream()
            .anyMatch(p -> p.url().equals(url) && p.raw().contains("keysmith_rotate")));
  }

  @Test
  void rotateFromHome_ofSomeoneElsesUser_isRefusedWithNoMessage() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    open(REQUESTER);

    homeClick(REQUESTER, "keysmith_rotate_prompt", "alice");

    assertTrue(
        k.slack.calls("chat.postMessage").stream()
            .noneMatch(c -> REQUESTER.equals(c.param("channel"))));
    assertTrue(
        lastHome(REQUESTER).toString().contains("not yours"), lastHome(REQUESTER).toString());
  }

  @Test
  void denyFromHome_byAnApprover_asksForTheReasonInTheUsualModal() throws Exception {
    String id = k.submit(REQUESTER, "gina", "developers", "PROGRAMMATIC", OWNER, "audit");
    open(APPROVER);

    homeClick(APPROVER, "keysmith_deny", id);

    List<FakeSlackApi.Call> opened = k.slack.calls("views.open");
    assertEquals(1, opened.size());
    assertEquals("keysmith_deny", opened.get(0).json("view").path("callback_id").asText());
    assertEquals(id, opened.get(0).json("view").path("private_metadata").asText());
    assertEquals("PENDING", k.requestState(id), "nothing decided before the reason");
  }

  @Test
  void home_ofAnApprover_listsKeysPastTheMaximumAgeAsTheDailyCheckFoundThem() throws Exception {
    open(APPROVER);
    assertTrue(lastHome(APPROVER).toString().contains("Not checked yet"));
    String key = k.ownedUserWithKey("ancient", OWNER).accessKeyId();

    k.clock.advance(Duration.ofDays(100));
    k.keysmith.housekeeping();
    k.idle();
    open(APPROVER);

    String home = lastHome(APPROVER).toString();
    assertTrue(home.contains("`ancient`  `" + key + "`"), home);
    assertTrue(home.contains("1 in all. As the daily key check found them"), home);
  }

  @Test
  void cancelFromHome_byTheRequester_cancels() throws Exception {
    String id = k.submit(REQUESTER, "frank", "developers", "PROGRAMMATIC", OWNER, "tests");
    open(REQUESTER);

    homeClick(REQUESTER, "keysmith_cancel_request", id);

    assertEquals("CANCELLED", k.requestState(id));
    assertTrue(lastHome(REQUESTER).toString().contains("You cancelled request " + id));
  }

  @Test
  void pagerFromHome_movesToTheNextPageOfTheQueue() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(k.submit(REQUESTER, "queued" + i, "developers", "PROGRAMMATIC", OWNER, "q" + i));
    }
    open(APPROVER);
    List<String> first = values(lastHome(APPROVER), "keysmith_approve");
    assertEquals(10, first.size());
    assertEquals(List.of("queue:2"), values(lastHome(APPROVER), "keysmith_home_next"));

    homeClick(APPROVER, "keysmith_home_next", "queue:2");

    List<String> second = values(lastHome(APPROVER), "keysmith_approve");
    assertEquals(2, second.size());
    assertEquals(List.of("queue:1"), values(lastHome(APPROVER), "keysmith_home_previous"));
    List<String> seen = new ArrayList<>(first);
    seen.addAll(second);
    assertEquals(new HashSet<>(ids), new HashSet<>(seen));
  }

  @Test
  void globalShortcut_opensTheCreateUserFormOncePerTrigger() throws Exception {
    String trigger = SlackRequests.newTriggerId();
    String body = k.send.globalShortcutBody(REQUESTER, "keysmith_request_user", trigger);

    assertEquals(200, k.send.send(k.send.sign(body)).status());
    assertEquals(200, k.send.send(k.send.sign(body)).status());
    k.idle();

    List<FakeSlackApi.Call> opened = k.slack.calls("views.open");
    assertEquals(1, opened.size());
    assertEquals(trigger, opened.get(0).param("trigger_id"));
    assertEquals("keysmith_create_user", opened.get(0).json("view").path("callback_id").asText());
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** A request approved and provisioned, its credentials on offer to {@code owner}. */
  private String provisionedFor(String owner, String name) throws Exception {
    String id = k.submit(REQUESTER, name, "developers", "PROGRAMMATIC", owner, "ci");
    k.click(APPROVER, "keysmith_approve", id);
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("PROVISIONED", k.requestState(id));
    return id;
  }

  private void open(String user) throws Exception {
    SlackRequests.Reply ack = k.send.event(homeOpened(user, "home"));
    assertEquals(200, ack.status(), ack.body());
    k.idle();
  }

  private static String homeOpened(String user, String tab) {
    return SlackRequests.homeOpenedBody(user, tab, "Ev0HOME" + EVENTS.incrementAndGet());
  }

  private void homeClick(String user, String actionId, String value) throws Exception {
    SlackRequests.Reply ack =
        k.send.send(k.send.sign(k.send.homeClickBody(user, actionId, "home_block", value)));
    assertEquals(200, ack.status(), ack.body());
    k.idle();
  }

  private List<FakeSlackApi.Call> homes(String user) {
    return k.slack.calls("views.publish").stream()
        .filter(c -> user.equals(c.param("user_id")))
        .toList();
  }

  private JsonNode lastHome(String user) {
    List<FakeSlackApi.Call> published = homes(user);
    assertFalse(published.isEmpty(), "no Home tab published for " + user);
    return published.get(published.size() - 1).json("view");
  }

  private static List<String> values(JsonNode view, String actionId) {
    List<String> values = new ArrayList<>();
    for (JsonNode block : view.path("blocks")) {
      for (JsonNode e : block.path("elements")) {
        if (actionId.equals(e.path("action_id").asText())) {
          values.add(e.path("value").asText());
        }
      }
    }
    return values;
  }
}
