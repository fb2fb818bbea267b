package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.util.json.GsonFactory;
import dev.keysmith.core.Secret;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestWorkflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every surface stays inside Slack's Block Kit limits, whatever people type. */
class BlocksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void createUserModal_over100Groups_usesTypeAhead() throws Exception {
    List<String> groups = IntStream.range(0, 101).mapToObj(i -> "group-" + i).toList();
    JsonNode modal = json(Blocks.createUserModal("U0REQ", groups));
    JsonNode element = block(modal.path("blocks"), "group").path("element");
    assertEquals("external_select", element.path("type").asText());
    assertEquals(Ids.ACTION_GROUP_SUGGEST, element.path("action_id").asText());
    assertFalse(element.has("options"));
    withinLimits(modal, /* maxBlocks= */ 100);
  }

  @Test
  void createUserModal_exactly100Groups_usesStaticSelect() throws Exception {
    List<String> groups = IntStream.range(0, 100).mapToObj(i -> "group-" + i).toList();
    JsonNode element =
        block(json(Blocks.createUserModal("U0REQ", groups)).path("blocks"), "group")
            .path("element");
    assertEquals("static_select", element.path("type").asText());
    assertEquals(100, element.path("options").size());
  }

  @Test
  void createUserModal_groupNameOf128Chars_keepsOptionTextWithinSlacksLimit() throws Exception {
    String longName = "g".repeat(128);
    JsonNode modal = json(Blocks.createUserModal("U0REQ", List.of(longName)));
    JsonNode option = block(modal.path("blocks"), "group").path("element").path("options").get(0);
    assertEquals(longName, option.path("value").asText());
    withinLimits(modal, 100);
  }

  @Test
  void approval_longestJustification_staysWithinLimitsAndEscaped() throws Exception {
    String why = "<!channel> ".repeat(90);
    AccessRequest r = request(why.substring(0, 990));
    JsonNode blocks = json(Blocks.approval(r));
    withinLimits(blocks, 50);
    assertFalse(blocks.toString().contains("<!channel>"));
    assertTrue(blocks.toString().contains(Ids.ACTION_APPROVE));
  }

  @Test
  void approval_afterDecision_hasNoButtons() throws Exception {
    AccessRequest approved = RequestWorkflow.approve(request("x"), "U0APPR", true, T0);
    assertFalse(json(Blocks.approval(approved)).toString().contains(Ids.ACTION_APPROVE));
    AccessRequest denied = RequestWorkflow.deny(request("x"), "U0APPR", true, "<b>no</b>", T0);
    String text = json(Blocks.approval(denied)).toString();
    assertFalse(text.contains(Ids.ACTION_DENY));
    assertTrue(text.contains("&lt;b&gt;no&lt;/b&gt;"), text);
  }

  @Test
  void secret_showsEverythingTheOwnerNeedsAndAHideButton() throws Exception {
    Credentials c =
        new Credentials(
            "alice",
            Optional.of("AKIAIOSFODNN7EXAMPLE"),
            Optional.of(new Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
            Optional.of("https://123456789012.signin.aws.amazon.com/console"),
            Optional.of(new Secret("Pa55-word{Example}")));
    JsonNode blocks = json(Blocks.secret("KS-ABC123", c, T0.plusSeconds(120)));
    String text = blocks.toString();
    assertTrue(text.contains("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"));
    assertTrue(text.contains("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    assertTrue(text.contains("`Pa55-word{Example}`"));
    assertTrue(text.contains(Ids.ACTION_HIDE));
    withinLimits(blocks, 50);
  }

  @Test
  void modalsAndPrompts_stayWithinLimits() throws Exception {
    AccessRequest offered =
        RequestWorkflow.provisioned(
            RequestWorkflow.approve(request("x"), "U0APPR", true, T0), Duration.ofDays(7), T0);
    withinLimits(json(Blocks.denyModal(offered)), 100);
    withinLimits(json(Blocks.offer(offered, "ready")), 50);
    withinLimits(json(Blocks.revealPrompt(offered, Duration.ofMinutes(2))), 50);
    withinLimits(json(Blocks.submittedModal(offered)), 100);
  }

  @Test
  void human_durations_readNaturally() {
    assertEquals("2 minutes", Blocks.human(Duration.ofMinutes(2)));
    assertEquals("1 minute", Blocks.human(Duration.ofMinutes(1)));
    assertEquals("7 days", Blocks.human(Duration.ofDays(7)));
    assertEquals("90 seconds", Blocks.human(Duration.ofSeconds(90)));
  }

  private static AccessRequest request(String why) {
    return AccessRequest.pending(
            "KS-ABC123",
            new RequestForm("alice", "developers", AccessType.BOTH, "U0OWNER", why),
            "U0REQ",
            T0)
        .withApprovalMessage("C0APPROVALS", "1700000000.000100");
  }

  private static JsonNode json(Object blocksOrView) throws Exception {
    return JSON.readTree(GsonFactory.createSnakeCase().toJson(blocksOrView));
  }

  private static JsonNode block(JsonNode blocks, String blockId) {
    for (JsonNode b : blocks) {
      if (blockId.equals(b.path("block_id").asText())) {
        return b;
      }
    }
    throw new AssertionError("no block " + blockId);
  }

  /** Slack's documented limits, checked over the whole tree. */
  private static void withinLimits(JsonNode node, int maxBlocks) {
    JsonNode blocks = node.has("blocks") ? node.path("blocks") : node;
    assertTrue(blocks.size() <= maxBlocks, blocks.size() + " blocks");
    if (node.has("title")) {
      assertTrue(node.path("title").path("text").asText().length() <= 24, "title");
      assertTrue(node.path("submit").path("text").asText("").length() <= 24, "submit");
      assertTrue(node.path("close").path("text").asText("").length() <= 24, "close");
      assertTrue(node.path("private_metadata").asText("").length() <= 3000, "private_metadata");
    }
    List<String> problems = new ArrayList<>();
    walk(blocks, problems);
    assertTrue(problems.isEmpty(), problems.toString());
  }

  private static void walk(JsonNode n, List<String> problems) {
    if (n.isArray()) {
      n.forEach(c -> walk(c, problems));
      return;
    }
    if (!n.isObject()) {
      return;
    }
    String type = n.path("type").asText();
    if (n.has("block_id") && n.path("block_id").asText().length() > 255) {
      problems.add("block_id");
    }
    if (n.has("action_id") && n.path("action_id").asText().length() > 255) {
      problems.add("action_id");
    }
    if (type.equals("section") && n.path("text").path("text").asText().length() > 3000) {
      problems.add("section text");
    }
    if (type.equals("section") && n.path("fields").size() > 10) {
      problems.add("fields");
    }
    if (type.equals("button")) {
      if (n.path("text").path("text").asText().length() > 75) {
        problems.add("button text");
      }
      if (n.path("value").asText().length() > 2000) {
        problems.add("button value");
      }
    }
    if (n.has("options")) {
      if (n.path("options").size() > 100) {
        problems.add("options count");
      }
      for (JsonNode o : n.path("options")) {
        if (o.path("text").path("text").asText().length() > 75) {
          problems.add("option text");
        }
        if (o.path("value").asText().length() > 150) {
          problems.add("option value");
        }
      }
    }
    n.elements().forEachRemaining(c -> walk(c, problems));
  }
}
