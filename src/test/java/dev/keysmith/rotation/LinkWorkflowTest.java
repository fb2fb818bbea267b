package dev.keysmith.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkWorkflowTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration LIFETIME = Duration.ofDays(7);
  private static final List<String> PROTECTED = List.of("Admins");
  private static final String REQUESTER = "U0REQUESTER";
  private static final String OWNER = "U0OWNER";
  private static final String PREVIOUS = "U0PREVIOUS";
  private static final String APPROVER = "U0APPROVER";

  private static LinkTarget target(Optional<String> owner, String... groups) {
    return new LinkTarget("legacy", owner, Set.of(groups));
  }

  private static LinkRequest pending() {
    return LinkWorkflow.ask(
            "LK-ABC123",
            target(Optional.of(PREVIOUS), "developers"),
            OWNER,
            REQUESTER,
            PROTECTED,
            T0,
            LIFETIME)
        .withApprovalMessage("C0APPROVALS", "1700000000.000100");
  }

  private static Refusal refusal(Runnable rule) {
    return assertThrows(Refusal.class, rule::run);
  }

  // --- asking ----------------------------------------------------------------------------------

  @Test
  void ask_forAUserInAProtectedGroup_isRefusedIgnoringCase() {
    Refusal r =
        refusal(
            () ->
                LinkWorkflow.ask(
                    "LK-1",
                    target(Optional.empty(), "developers", "admins"),
                    OWNER,
                    REQUESTER,
                    PROTECTED,
                    T0,
                    LIFETIME));

    assertEquals(Reason.LINK_PROTECTED_GROUP, r.reason());
    assertEquals("admins", r.arg("group"));
    assertEquals("legacy", r.arg("iamUser"));
  }

  @Test
  void ask_forTheOwnerTheUserAlreadyHas_isRefused() {
    Refusal r =
        refusal(
            () ->
                LinkWorkflow.ask(
                    "LK-1", target(Optional.of(OWNER)), OWNER, REQUESTER, PROTECTED, T0, LIFETIME));

    assertEquals(Reason.LINK_ALREADY_OWNER, r.reason());
    assertEquals(OWNER, r.arg("ownerId"));
  }

  @Test
  void ask_byAnyone_isPendingWithWhatIamSaidAndAnExpiry() {
    LinkRequest r =
        LinkWorkflow.ask(
            "LK-1",
            target(Optional.of(PREVIOUS), "readonly", "developers"),
            OWNER,
            "U0ANYONE",
            PROTECTED,
            T0,
            LIFETIME);

    assertEquals(LinkState.PENDING, r.state());
    assertEquals(PREVIOUS, r.previousOwnerId());
    assertEquals(List.of("developers", "readonly"), r.groups());
    assertEquals(T0.plus(LIFETIME), r.expiresAt());
    assertNull(r.approvalTs());
  }

  // --- approving -------------------------------------------------------------------------------

  @Test
  void approve_byNonApprover_isRefused() {
    assertEquals(
        Reason.LINK_NEEDS_APPROVER,
        refusal(() -> LinkWorkflow.approve(pending(), "U0RANDOM", false, T0)).reason());
  }

  @Test
  void approve_byTheRequester_isRefusedEvenWhenApprover() {
    assertEquals(
        Reason.LINK_REQUESTER_DECIDES,
        refusal(() -> LinkWorkflow.approve(pending(), REQUESTER, true, T0)).reason());
  }

  @Test
  void approve_byTheNewOwner_isRefusedEvenWhenApprover() {
    assertEquals(
        Reason.LINK_OWNER_DECIDES,
        refusal(() -> LinkWorkflow.approve(pending(), OWNER, true, T0)).reason());
  }

  @Test
  void approve_ofALinkToTheRequesterThemselves_isRefused() {
    LinkRequest self =
        LinkWorkflow.ask(
                "LK-1", target(Optional.empty()), APPROVER, APPROVER, PROTECTED, T0, LIFETIME)
            .withApprovalMessage("C0APPROVALS", "1.1");

    assertEquals(
        Reason.LINK_REQUESTER_DECIDES,
        refusal(() -> LinkWorkflow.approve(self, APPROVER, true, T0)).reason());
  }

  @Test
  void approve_beforeTheApprovalsMessageIsStored_isRefused() {
    LinkRequest unposted =
        LinkWorkflow.ask(
            "LK-1", target(Optional.empty()), OWNER, REQUESTER, PROTECTED, T0, LIFETIME);

    Refusal r = refusal(() -> LinkWorkflow.approve(unposted, APPROVER, true, T0));

    assertEquals(Reason.LINK_NOT_YET_POSTED, r.reason());
    assertEquals("LK-1", r.arg("linkId"));
  }

  @Test
  void approve_atItsExpiry_isRefused() {
    Refusal r = refusal(() -> LinkWorkflow.approve(pending(), APPROVER, true, T0.plus(LIFETIME)));

    assertEquals(Reason.LINK_EXPIRED, r.reason());
  }

  @Test
  void approve_whenAlreadyApproved_isRefusedNamingTheApprover() {
    LinkRequest approved = LinkWorkflow.approve(pending(), APPROVER, true, T0);

    Refusal r = refusal(() -> LinkWorkflow.approve(approved, "U0OTHER", true, T0));

    assertEquals(Reason.LINK_ALREADY_DECIDED, r.reason());
    assertEquals("APPROVED", r.arg("state"));
    assertEquals(APPROVER, r.arg("decidedBy"));
  }

  @Test
  void approve_byAnotherApprover_isApprovedByThem() {
    LinkRequest approved = LinkWorkflow.approve(pending(), APPROVER, true, T0.plusSeconds(5));

    assertEquals(LinkState.APPROVED, approved.state());
    assertEquals(APPROVER, approved.decidedBy());
    assertEquals(T0.plusSeconds(5), approved.updatedAt());
  }

  @Test
  void approve_byThePreviousOwner_isAllowed_theyGiveItAway() {
    assertEquals(LinkState.APPROVED, LinkWorkflow.approve(pending(), PREVIOUS, true, T0).state());
  }

  // --- checking IAM again at approval ----------------------------------------------------------

  @Test
  void checkStillLinkable_userNowInAProtectedGroup_isRefused() {
    Refusal r =
        refusal(
            () ->
                LinkWorkflow.checkStillLinkable(
                    pending(), target(Optional.of(PREVIOUS), "ADMINS"), PROTECTED));

    assertEquals(Reason.LINK_PROTECTED_GROUP, r.reason());
    assertEquals("ADMINS", r.arg("group"));
  }

  @Test
  void checkStillLinkable_ownerChanged_isRefusedNamingBoth() {
    Refusal r =
        refusal(
            () ->
                LinkWorkflow.checkStillLinkable(
                    pending(), target(Optional.of("U0SOMEONE")), PROTECTED));

    assertEquals(Reason.LINK_OWNER_CHANGED, r.reason());
    assertEquals(PREVIOUS, r.arg("was"));
    assertEquals("U0SOMEONE", r.arg("now"));
  }

  @Test
  void checkStillLinkable_ownerRemoved_isRefused() {
    Refusal r =
        refusal(
            () -> LinkWorkflow.checkStillLinkable(pending(), target(Optional.empty()), PROTECTED));

    assertEquals(Reason.LINK_OWNER_CHANGED, r.reason());
    assertEquals("", r.arg("now"));
  }

  @Test
  void checkStillLinkable_unchanged_passes() {
    LinkWorkflow.checkStillLinkable(
        pending(), target(Optional.of(PREVIOUS), "developers"), PROTECTED);
  }

  // --- denying, expiring, ending ---------------------------------------------------------------

  @Test
  void deny_byNonApprover_isRefused() {
    assertEquals(
        Reason.LINK_NEEDS_APPROVER,
        refusal(() -> LinkWorkflow.deny(pending(), "U0RANDOM", false, T0)).reason());
  }

  @Test
  void deny_whenAlreadyDenied_isRefusedNamingWhoDenied() {
    LinkRequest denied = LinkWorkflow.deny(pending(), REQUESTER, true, T0);

    Refusal r = refusal(() -> LinkWorkflow.deny(denied, APPROVER, true, T0));

    assertEquals(LinkState.DENIED, denied.state());
    assertEquals(Reason.LINK_ALREADY_DECIDED, r.reason());
    assertEquals("DENIED", r.arg("state"));
    assertEquals(REQUESTER, r.arg("decidedBy"));
  }

  @Test
  void expire_beforeItsTime_isABug() {
    assertThrows(IllegalStateException.class, () -> LinkWorkflow.expire(pending(), T0));
  }

  @Test
  void expire_atItsTime_endsItAndLaterClicksHearSo() {
    LinkRequest expired = LinkWorkflow.expire(pending(), T0.plus(LIFETIME));

    Refusal r = refusal(() -> LinkWorkflow.approve(expired, APPROVER, true, T0.plus(LIFETIME)));

    assertEquals(LinkState.EXPIRED, expired.state());
    assertEquals(Reason.LINK_ALREADY_DECIDED, r.reason());
    assertEquals("EXPIRED", r.arg("state"));
  }

  @Test
  void cancel_keepsTheReasonForTheRecord() {
    Refusal why = new Refusal(Reason.LINK_PROTECTED_GROUP, "legacy", "admins");

    LinkRequest cancelled = LinkWorkflow.cancel(pending(), why, APPROVER, T0);

    assertEquals(LinkState.CANCELLED, cancelled.state());
    assertEquals(APPROVER, cancelled.decidedBy());
    assertEquals(why.getMessage(), cancelled.outcome());
  }

  @Test
  void linked_onlyFromApproved() {
    assertThrows(IllegalStateException.class, () -> LinkWorkflow.linked(pending(), T0));
    LinkRequest approved = LinkWorkflow.approve(pending(), APPROVER, true, T0);

    LinkRequest linked = LinkWorkflow.linked(approved, T0);

    assertEquals(LinkState.LINKED, linked.state());
    assertEquals(APPROVER, linked.decidedBy());
  }
}
