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
        "Request KS-ABC123 was already approved, and its IAM user is ready.",
        Refusals.text(new Refusal(Reason.ALREADY_DECIDED, "KS-ABC123", "PROVISIONED", "")));
    assertEquals(
        "Request KS-ABC123 was already approved by <@U0APPR>, and its credentials were handed"
            + " over.",
        Refusals.text(new Refusal(Reason.ALREADY_DECIDED, "KS-ABC123", "REVEALED", "U0APPR")));
  }

  @Test
  void text_requestFailedOrExpired_saysWhatHappenedNotThatItWasApproved() {
    assertEquals(
        "Request KS-ABC123 was approved by <@U0APPR>, but creating its IAM user failed, so it is"
            + " closed. Ask for a new one if it is still needed.",
        Refusals.text(new Refusal(Reason.REQUEST_FAILED, "KS-ABC123", "U0APPR")));
    assertEquals(
        "Request KS-ABC123 could not be posted for approval, so it is closed. Ask for a new one if"
            + " it is still needed.",
        Refusals.text(new Refusal(Reason.REQUEST_FAILED, "KS-ABC123", "")));
    String expired = Refusals.text(new Refusal(Reason.REQUEST_EXPIRED, "KS-ABC123", "U0APPR"));
    assertTrue(
        expired.startsWith(
            "Request KS-ABC123 was approved by <@U0APPR>, but its credentials were not revealed"
                + " in time"),
        expired);
  }

  @Test
  void text_rotationNotAwaitingApproval_saysWhatBecameOfIt() {
    assertEquals(
        "Rotation RT-ABC123 was already denied by <@U0APPR>.",
        Refusals.text(
            new Refusal(Reason.ROTATION_ALREADY_DECIDED, "RT-ABC123", "DENIED", "U0APPR")));
    assertEquals(
        "Rotation RT-ABC123 was already approved by <@U0APPR>.",
        Refusals.text(
            new Refusal(Reason.ROTATION_ALREADY_DECIDED, "RT-ABC123", "GRACE", "U0APPR")));
    assertEquals(
        "Rotation RT-ABC123 did not need approval; there is nothing to decide.",
        Refusals.text(new Refusal(Reason.ROTATION_ALREADY_DECIDED, "RT-ABC123", "DONE", "")));
    assertEquals(
        "Rotation RT-ABC123 was cancelled; there is nothing to decide.",
        Refusals.text(new Refusal(Reason.ROTATION_ALREADY_DECIDED, "RT-ABC123", "CANCELLED", "")));
  }

  @Test
  void text_malformedAction_namesThePartAndNeverAValue() {
    assertEquals(
        "Keysmith cannot read that button, so nothing was done.",
        Refusals.text(new Refusal(Reason.MALFORMED_ACTION, Untrusted.BUTTON)));
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
