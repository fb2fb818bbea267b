package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.request.RequestWorkflow;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RefusalsTest {

  @ParameterizedTest
  @EnumSource(Reason.class)
  void text_forgedValues_areEscapedSoTheyCannotMentionAnyone(Reason reason) {
    String[] forged = new String[reason.params().size()];
    Arrays.fill(forged, "<!channel>");
    if (reason.params().contains("decision")) {
      forged[reason.params().indexOf("decision")] = RequestWorkflow.DENY;
    }
    if (reason.params().contains("ownerId")) {
      forged[reason.params().indexOf("ownerId")] = "U0OWNER";
    }

    String text = Refusals.text(new Refusal(reason, forged));

    assertFalse(text.isBlank(), reason.name());
    assertFalse(text.contains("<!channel>"), text);
    assertFalse(text.contains(reason.name()), "a sentence, not the reason's name: " + text);
  }

  @Test
  void text_alreadyDecided_saysHowAndByWhom() {
    assertEquals(
        "Request KS-ABC123 was already denied by <@U0APPR>.",
        Refusals.text(new Refusal(Reason.ALREADY_DECIDED, "KS-ABC123", "DENIED", "U0APPR")));
    assertEquals(
        "Request KS-ABC123 was already approved.",
        Refusals.text(new Refusal(Reason.ALREADY_DECIDED, "KS-ABC123", "PROVISIONED", "")));
  }

  @Test
  void text_notApprover_namesTheDecision() {
    assertEquals(
        "Only Keysmith approvers can deny requests.",
        Refusals.text(new Refusal(Reason.NOT_APPROVER, RequestWorkflow.DENY)));
    assertEquals(
        "Only Keysmith approvers can approve requests.",
        Refusals.text(new Refusal(Reason.NOT_APPROVER, RequestWorkflow.APPROVE)));
  }

  @Test
  void text_noOwnerToRotate_saysHowToLinkOne() {
    String text = Refusals.text(new Refusal(Reason.NO_OWNER_TO_ROTATE, "alice"));

    assertTrue(text.startsWith("Only the owner of `alice` can rotate its keys"), text);
    assertTrue(text.endsWith("Link it to its owner first with `/iam link`."), text);
  }

  @Test
  void text_linkAlreadyDecided_saysHowAndByWhom() {
    assertEquals(
        "Link request LK-ABC123 was already approved by <@U0APPR>.",
        Refusals.text(new Refusal(Reason.LINK_ALREADY_DECIDED, "LK-ABC123", "LINKED", "U0APPR")));
    assertEquals(
        "Link request LK-ABC123 expired before anyone decided it.",
        Refusals.text(new Refusal(Reason.LINK_ALREADY_DECIDED, "LK-ABC123", "EXPIRED", "")));
  }

  @Test
  void text_linkOwnerChanged_namesNobodyForAnEmptyOwner() {
    String text = Refusals.text(new Refusal(Reason.LINK_OWNER_CHANGED, "legacy", "", "U0SOMEONE"));

    assertTrue(text.contains("(from nobody to <@U0SOMEONE>)"), text);
  }

  @Test
  void text_linkDecidedByTheRequester_saysWhy() {
    String text = Refusals.text(new Refusal(Reason.LINK_REQUESTER_DECIDES, "legacy"));

    assertTrue(text.contains("nobody approves access for themselves"), text);
  }
}
