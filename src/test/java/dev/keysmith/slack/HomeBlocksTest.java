package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.model.view.View;
import com.slack.api.util.json.GsonFactory;
import dev.keysmith.core.Refusal;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.RequestForm;
import dev.keysmith.rotation.KeyNotifier;
import dev.keysmith.rotation.KeyReminders;
import dev.keysmith.rotation.KeyView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HomeBlocksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
  private static final String OWNER = "U0OWNER";
  private static final String APPROVER = "U0APPROVER";
  // The longest names IAM and Keysmith allow, so the texts are as long as they can get.
  private static final String LONG_USER = "u".repeat(60);

  @Test
  void home_forSomeoneWithNothing_saysSoInEachPartWithinLimits() throws Exception {
    JsonNode view = render(new HomeBlocks.Content(null, List.of(), List.of(), List.of(), null));

    checkLimits(view);
    String text = view.toString();
    assertTrue(text.contains("No access keys."));
    assertTrue(text.contains("No credentials are waiting for you."));
    assertTrue(text.contains("You have no requests waiting for a decision."));
    assertFalse(text.contains("Waiting for your decision"), "not an approver");
    assertEquals("home", view.path("type").asText());
  }

  @Test
  void home_forAnOwner_showsKeysOfferAndRequestWithTheMessagesButtons() throws Exception {
    AccessRequest open = request("KS-OPEN01", OWNER, "a <!channel> ping");
    AccessRequest offer = request("KS-OFFER1", OWNER, "ci").withOffer(NOW.plusSeconds(3600), NOW);
    JsonNode view =
        render(
            new HomeBlocks.Content(
                "Done.",
                List.of(key("deploy-bot", 1, true), key("deploy-bot", 2, false)),
                List.of(offer),
                List.of(open),
                null));

    checkLimits(view);
    assertEquals(
        List.of("deploy-bot"), valuesOf(view, Ids.ACTION_ROTATE_PROMPT), "inactive: no buttons");
    assertEquals(List.of(keyId(1)), valuesOf(view, Ids.ACTION_DEACTIVATE_KEY));
    assertEquals(List.of("KS-OFFER1"), valuesOf(view, Ids.ACTION_GET_CREDENTIALS));
    assertEquals(List.of("KS-OPEN01"), valuesOf(view, Ids.ACTION_CANCEL_REQUEST));
    assertEquals(List.of(), valuesOf(view, Ids.ACTION_APPROVE));
    assertFalse(view.toString().contains("<!channel>"), "justification escaped");
    assertTrue(view.toString().contains("Done."));
  }

  @Test
  void home_forAnApprover_showsTheQueueAndOldKeys() throws Exception {
    AccessRequest waiting = request("KS-WAIT01", OWNER, "needs it");
    KeyReminders.Scan scan =
        new KeyReminders.Scan(
            NOW,
            Duration.ofDays(90),
            List.of(new KeyReminders.OldKey(OWNER, "old-user", keyId(7), 120)));
    JsonNode view =
        render(
            new HomeBlocks.Content(
                null,
                List.of(),
                List.of(),
                List.of(),
                new HomeBlocks.Approving(List.of(waiting), Optional.of(scan))));

    checkLimits(view);
    assertEquals(List.of("KS-WAIT01"), valuesOf(view, Ids.ACTION_APPROVE));
    assertEquals(List.of("KS-WAIT01"), valuesOf(view, Ids.ACTION_DENY));
    assertTrue(view.toString().contains("old-user"));
    assertTrue(view.toString().contains("120 days"));
  }

  @Test
  void home_beforeTheFirstKeyCheck_saysItHasNotRun() throws Exception {
    JsonNode view =
        render(
            new HomeBlocks.Content(
                null,
                List.of(),
                List.of(),
                List.of(),
                new HomeBlocks.Approving(List.of(), Optional.empty())));

    checkLimits(view);
    assertTrue(view.toString().contains("Not checked yet"));
  }

  @Test
  void home_ofSixtyUsersWithTwoKeys_staysWithinLimitsAndPagesThroughEveryKey() throws Exception {
    List<KeyView> keys = new ArrayList<>();
    for (int u = 0; u < 60; u++) {
      keys.add(key(LONG_USER + u, 2 * u, true));
      keys.add(key(LONG_USER + u, 2 * u + 1, true));
    }
    HomeBlocks.Content content = new HomeBlocks.Content(null, keys, List.of(), List.of(), null);

    Set<String> seen = pageThrough(content, Ids.ACTION_DEACTIVATE_KEY, "keys");

    assertEquals(120, seen.size());
  }

  @Test
  void home_ofAnApproverWithTwoHundredRequests_staysWithinLimitsAndPagesThroughThem()
      throws Exception {
    List<AccessRequest> queue = new ArrayList<>();
    List<KeyReminders.OldKey> old = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      queue.add(request(String.format("KS-Q%05d", i), OWNER, "x".repeat(3000)));
    }
    for (int i = 0; i < 500; i++) {
      old.add(new KeyReminders.OldKey(OWNER, LONG_USER + i, "A".repeat(128 - 4) + i % 10, 400));
    }
    List<AccessRequest> mine = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      mine.add(request(String.format("KS-M%05d", i), APPROVER, "y"));
    }
    HomeBlocks.Content content =
        new HomeBlocks.Content(
            "x".repeat(4000),
            List.of(),
            mine.stream().map(r -> r.withOffer(NOW.plusSeconds(60), NOW)).toList(),
            mine,
            new HomeBlocks.Approving(
                queue, Optional.of(new KeyReminders.Scan(NOW, Duration.ofDays(90), old))));

    assertEquals(200, pageThrough(content, Ids.ACTION_APPROVE, "queue").size());
    assertEquals(30, pageThrough(content, Ids.ACTION_CANCEL_REQUEST, "open").size());
    assertEquals(30, pageThrough(content, Ids.ACTION_GET_CREDENTIALS, "offers").size());
  }

  @Test
  void home_atAPageThatNoLongerExists_showsTheLastOne() throws Exception {
    List<AccessRequest> queue =
        List.of(request("KS-ONLY01", OWNER, "a"), request("KS-ONLY02", OWNER, "b"));
    HomeBlocks.Pages far =
        HomeBlocks.Pages.first().with(new HomeBlocks.Page(HomeBlocks.Part.QUEUE, 40));

    JsonNode view =
        toJson(
            HomeBlocks.home(
                new HomeBlocks.Content(
                    null,
                    List.of(),
                    List.of(),
                    List.of(),
                    new HomeBlocks.Approving(queue, Optional.empty())),
                far));

    assertEquals(List.of("KS-ONLY01", "KS-ONLY02"), valuesOf(view, Ids.ACTION_APPROVE));
  }

  @Test
  void homePage_notAPagerValue_isRefusedAsMalformed() {
    for (String forged :
        new String[] {"nope:1", "queue", "queue:-1", "queue:12345", "", "QUEUE:1"}) {
      Refusal r = assertThrows(Refusal.class, () -> Untrusted.homePage(forged), forged);
      assertEquals(Refusal.Reason.MALFORMED_ACTION, r.reason());
    }
    assertEquals(new HomeBlocks.Page(HomeBlocks.Part.OLD, 3), Untrusted.homePage("old:3"));
  }

  /**
   * Follows the "Next page" button of {@code part} from the first page to the last, checking every
   * page against Slack's limits, and returns the values of {@code actionId} seen on the way.
   */
  private static Set<String> pageThrough(HomeBlocks.Content content, String actionId, String part)
      throws Exception {
    Set<String> seen = new HashSet<>();
    HomeBlocks.Pages pages = HomeBlocks.Pages.first();
    for (int guard = 0; guard < 100; guard++) {
      JsonNode view = toJson(HomeBlocks.home(content, pages));
      checkLimits(view);
      seen.addAll(valuesOf(view, actionId));
      Optional<String> next =
          valuesOf(view, Ids.ACTION_HOME_NEXT).stream().filter(v -> v.startsWith(part)).findFirst();
      if (next.isEmpty()) {
        return seen;
      }
      // Read back as a click's value is: through Untrusted.
      pages = pages.with(Untrusted.homePage(next.get()));
    }
    throw new AssertionError("no last page");
  }

  /** Slack's Block Kit limits for a Home tab view. */
  private static void checkLimits(JsonNode view) {
    JsonNode blocks = view.path("blocks");
    assertTrue(blocks.size() <= HomeBlocks.MAX_BLOCKS, "blocks: " + blocks.size());
    Set<String> blockIds = new HashSet<>();
    for (JsonNode block : blocks) {
      if (block.has("block_id")) {
        String id = block.path("block_id").asText();
        assertTrue(id.length() <= 255, id);
        assertTrue(blockIds.add(id), "block id twice: " + id);
      }
      switch (block.path("type").asText()) {
        case "header" -> assertTrue(block.path("text").path("text").asText().length() <= 150);
        case "section" -> {
          assertTrue(block.path("text").path("text").asText().length() <= 3000, "section text");
          assertTrue(block.path("fields").size() <= 10);
          block.path("fields").forEach(f -> assertTrue(f.path("text").asText().length() <= 2000));
        }
        case "actions" -> {
          JsonNode elements = block.path("elements");
          assertTrue(elements.size() >= 1 && elements.size() <= 25, "elements");
          Set<String> actionIds = new HashSet<>();
          for (JsonNode e : elements) {
            String id = e.path("action_id").asText();
            assertTrue(!id.isEmpty() && id.length() <= 255, id);
            assertTrue(actionIds.add(id), "action id twice in a block: " + id);
            assertTrue(e.path("text").path("text").asText().length() <= 75);
            assertTrue(e.path("value").asText().length() <= 2000);
          }
        }
        case "context" -> assertTrue(block.path("elements").size() <= 10);
        case "divider" -> {}
        default -> throw new AssertionError("unexpected block " + block);
      }
    }
  }

  private static List<String> valuesOf(JsonNode view, String actionId) {
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

  private static JsonNode render(HomeBlocks.Content content) throws Exception {
    return toJson(HomeBlocks.home(content, HomeBlocks.Pages.first()));
  }

  private static JsonNode toJson(View view) throws Exception {
    return JSON.readTree(GsonFactory.createSnakeCase().toJson(view));
  }

  private static AccessRequest request(String id, String requester, String why) {
    return AccessRequest.pending(
        id, new RequestForm(LONG_USER, "developers", AccessType.BOTH, OWNER, why), requester, NOW);
  }

  private static String keyId(int n) {
    return String.format("AKIA%016d", n);
  }

  private static KeyView key(String user, int n, boolean active) {
    return new KeyView(
        user,
        keyId(n),
        active,
        NOW.minus(Duration.ofDays(100)),
        100,
        Optional.of(new KeyNotifier.KeyUse(NOW, "s3", "eu-west-1")));
  }
}
