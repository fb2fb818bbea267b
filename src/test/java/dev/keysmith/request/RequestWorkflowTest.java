package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestWorkflowTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String REQUESTER = "U0REQUESTER";
  private static final String OWNER = "U0OWNER";
  private static final String APPROVER = "U0APPROVER";

  private static AccessRequest pending() {
    return AccessRequest.pending(
            "KS-ABC123",
            new RequestForm("alice", "developers", AccessType.BOTH, OWNER, "needs S3"),
            REQUESTER,
            T0)
        .withApprovalMessage("C0APPROVALS", "1700000000.000100");
  }

  @Test
  void approve_beforeTheApprovalsMessageIsStored_isRefused() {
    AccessRequest unposted =
        AccessRequest.pending(
            "KS-ABC123",
            new RequestForm("alice", "developers", AccessType.BOTH, OWNER, "needs S3"),
            REQUESTER,
            T0);
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(unposted, APPROVER, true, T0));
    assertEquals(Reason.NOT_YET_POSTED, r.reason());
    assertEquals("KS-ABC123", r.arg("requestId"));
  }

  @Test
  void approve_byNonApprover_isRefused() {
    Refusal r =
        assertThrows(
            Refusal.class, () -> RequestWorkflow.approve(pending(), "U0RANDOM", false, T0));
    assertEquals(Reason.NOT_APPROVER, r.reason());
    assertEquals(RequestWorkflow.APPROVE, r.arg("decision"));
  }

  @Test
  void approve_byRequester_isRefusedEvenWhenApprover() {
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(pending(), REQUESTER, true, T0));
    assertEquals(Reason.REQUESTER_DECIDES, r.reason());
  }

  @Test
  void approve_byOwner_isRefusedEvenWhenApprover() {
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(pending(), OWNER, true, T0));
    assertEquals(Reason.OWNER_DECIDES, r.reason());
  }

  @Test
  void approve_whenAlreadyApproved_isRefusedNamingTheApprover() {
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, T0);
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(approved, "U0OTHER", true, T0));
    assertEquals(Reason.ALREADY_DECIDED, r.reason());
    assertEquals("APPROVED", r.arg("state"));
    assertEquals(APPROVER, r.arg("decidedBy"));
  }

  @Test
  void approve_whenDenied_isRefused() {
    AccessRequest denied = RequestWorkflow.deny(pending(), APPROVER, true, "no", T0);
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(denied, "U0OTHER", true, T0));
    assertEquals(Reason.ALREADY_DECIDED, r.reason());
    assertEquals("DENIED", r.arg("state"));
  }

  @Test
  void approve_whenProvisioningFailed_saysItFailedNotThatItWasApproved() {
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, T0);
    AccessRequest failed = RequestWorkflow.failed(approved, "IAM said no", T0);
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(failed, "U0OTHER", true, T0));
    assertEquals(Reason.REQUEST_FAILED, r.reason());
    assertEquals(APPROVER, r.arg("decidedBy"));
  }

  @Test
  void approve_whenNeverPostedForApproval_saysItFailedWithNoApprover() {
    AccessRequest unannounced = RequestWorkflow.unannounced(pending(), "not posted", T0);
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(unannounced, APPROVER, true, T0));
    assertEquals(Reason.REQUEST_FAILED, r.reason());
    assertEquals("", r.arg("decidedBy"));
  }

  @Test
  void approveAndDeny_whenTheOfferExpired_sayItExpired() {
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, T0);
    AccessRequest expired =
        RequestWorkflow.expire(RequestWorkflow.provisioned(approved, Duration.ofDays(7), T0), T0);
    Refusal approve =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(expired, "U0OTHER", true, T0));
    Refusal deny =
        assertThrows(Refusal.class, () -> RequestWorkflow.deny(expired, "U0OTHER", true, "no", T0));
    assertEquals(Reason.REQUEST_EXPIRED, approve.reason());
    assertEquals(Reason.REQUEST_EXPIRED, deny.reason());
    assertEquals(APPROVER, deny.arg("decidedBy"));
  }

  @Test
  void approve_byApprover_recordsWhoAndWhen() {
    Instant later = T0.plusSeconds(60);
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, later);
    assertEquals(RequestState.APPROVED, approved.state());
    assertEquals(APPROVER, approved.decidedBy());
    assertEquals(later, approved.decidedAt());
  }

  @Test
  void deny_byNonApprover_isRefused() {
    Refusal r =
        assertThrows(
            Refusal.class, () -> RequestWorkflow.deny(pending(), "U0RANDOM", false, "x", T0));
    assertEquals(Reason.NOT_APPROVER, r.reason());
    assertEquals(RequestWorkflow.DENY, r.arg("decision"));
  }

  @Test
  void deny_withBlankReason_keepsAPlaceholder() {
    AccessRequest denied = RequestWorkflow.deny(pending(), APPROVER, true, "  ", T0);
    assertEquals(RequestState.DENIED, denied.state());
    assertEquals("No reason given.", denied.outcome());
  }

  @Test
  void startReveal_bySomeoneElse_isRefused() {
    AccessRequest offered = provisioned();
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.startReveal(offered, APPROVER, T0));
    assertEquals(Reason.NOT_CREDENTIALS_OWNER, r.reason());
    assertEquals(OWNER, r.arg("ownerId"));
  }

  @Test
  void startReveal_afterOfferExpired_isRefused() {
    AccessRequest offered = provisioned();
    Instant late = offered.offerExpiresAt();
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.startReveal(offered, OWNER, late));
    assertEquals(Reason.OFFER_EXPIRED, r.reason());
  }

  @Test
  void startReveal_secondTime_isRefusedWithPointerToRotation() {
    AccessRequest revealed =
        RequestWorkflow.revealed(RequestWorkflow.startReveal(provisioned(), OWNER, T0), T0);
    Refusal r = assertThrows(Refusal.class, () -> RequestWorkflow.startReveal(revealed, OWNER, T0));
    assertEquals(Reason.ALREADY_REVEALED, r.reason());
  }

  @Test
  void startReveal_byOwnerInTime_movesToRevealing() {
    AccessRequest revealing = RequestWorkflow.startReveal(provisioned(), OWNER, T0);
    assertEquals(RequestState.REVEALING, revealing.state());
    assertEquals(RequestState.PROVISIONED, RequestWorkflow.revealUndone(revealing, T0).state());
  }

  @Test
  void provisioned_setsOfferExpiry() {
    AccessRequest offered = provisioned();
    assertEquals(T0.plus(Duration.ofDays(7)), offered.offerExpiresAt());
    assertEquals(RequestState.PROVISIONED, offered.state());
  }

  @Test
  void provisioned_fromPending_isAProgrammingError() {
    assertThrows(
        IllegalStateException.class,
        () -> RequestWorkflow.provisioned(pending(), Duration.ofDays(7), T0));
  }

  private static AccessRequest provisioned() {
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, T0);
    return RequestWorkflow.provisioned(approved, Duration.ofDays(7), T0);
  }

  @Test
  void cancel_byTheRequester_whilePending_closesItWithoutADecider() {
    AccessRequest cancelled = RequestWorkflow.cancel(pending(), REQUESTER, T0.plusSeconds(60));

    assertEquals(RequestState.CANCELLED, cancelled.state());
    assertEquals(REQUESTER, cancelled.decidedBy());
    assertEquals(T0.plusSeconds(60), cancelled.decidedAt());
    assertEquals(false, cancelled.state().claimsUserName());
    assertEquals(true, cancelled.state().isFinal());
  }

  @Test
  void cancel_byAnyoneElse_isRefused_evenTheOwnerOrAnApprover() {
    for (String other : new String[] {OWNER, APPROVER}) {
      Refusal r = assertThrows(Refusal.class, () -> RequestWorkflow.cancel(pending(), other, T0));
      assertEquals(Reason.NOT_REQUESTER, r.reason());
    }
  }

  @Test
  void cancel_onceDecided_saysWhatBecameOfIt() {
    AccessRequest approved = RequestWorkflow.approve(pending(), APPROVER, true, T0);
    Refusal r = assertThrows(Refusal.class, () -> RequestWorkflow.cancel(approved, REQUESTER, T0));
    assertEquals(Reason.ALREADY_DECIDED, r.reason());
    AccessRequest cancelled = RequestWorkflow.cancel(pending(), REQUESTER, T0);
    Refusal again =
        assertThrows(Refusal.class, () -> RequestWorkflow.cancel(cancelled, REQUESTER, T0));
    assertEquals(Reason.REQUEST_CANCELLED, again.reason());
    Refusal approve =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(cancelled, APPROVER, true, T0));
    assertEquals(Reason.REQUEST_CANCELLED, approve.reason());
  }

  @Test
  void expireUndecided_isRefusedLaterAsExpiredUndecided_notAsAnUnrevealedOffer() {
    AccessRequest expired = RequestWorkflow.expireUndecided(pending(), "3 days", T0);

    assertEquals(RequestState.EXPIRED, expired.state());
    assertEquals(null, expired.decidedBy());
    assertEquals("Nobody decided it within 3 days, so it expired.", expired.outcome());
    Refusal r =
        assertThrows(Refusal.class, () -> RequestWorkflow.approve(expired, APPROVER, true, T0));
    assertEquals(Reason.REQUEST_EXPIRED_UNDECIDED, r.reason());
    Refusal deny =
        assertThrows(Refusal.class, () -> RequestWorkflow.deny(expired, APPROVER, true, "no", T0));
    assertEquals(Reason.REQUEST_EXPIRED_UNDECIDED, deny.reason());
  }
}
