package dev.keysmith.request;

/**
 * Tells people in Slack what happened to a request. Never given a secret. Every method only leaves
 * messages in the outbox, so it is called inside the transaction of the change it reports ({@code
 * Transitions.Change.tell}) and never fails for Slack's sake; the courier delivers them.
 */
public interface Notifier {
  /** The purpose of the approvals-channel message, which a receipt records where it went. */
  String APPROVAL = "request.approval";

  /** The purpose of the owner's offer of credentials. */
  String OFFER = "request.offer";

  /** The purpose of every other message about a request. */
  String NOTICE = "request.notice";

  /** Posts the request to the approvals channel with Approve and Deny. */
  void postForApproval(AccessRequest request);

  /**
   * Updates the approvals message in place: no buttons once decided, who decided and when, the
   * provisioning steps done so far, and the outcome. Only the latest state is sent.
   */
  void updateApproval(AccessRequest request);

  /** Tells the requester the request waits for approval. */
  void requestReceived(AccessRequest request);

  /** Tells the requester (and the owner) the request was denied, and why. */
  void requestDenied(AccessRequest request);

  /** Tells the owner, when someone else, that the requester withdrew the request. */
  void requestCancelled(AccessRequest request);

  /** Reminds the approvers, in the approvals channel, of a request still waiting for them. */
  void remindApprovers(AccessRequest request);

  /** Tells the requester (and the owner) nobody decided the request in time, so it expired. */
  void requestExpired(AccessRequest request);

  /**
   * Tells the owner their time-bound user ends at {@code end}, when Keysmith deletes it, with a way
   * to delete it now.
   */
  void userEndsSoon(AccessRequest request, java.time.Instant end);

  /** Tells the owner an extension moved their user's end. */
  void userExtended(AccessRequest request);

  /**
   * Says loudly, in the approvals channel and to every approver of the group, that the requester
   * broke the glass: approved their own request, and why.
   */
  void glassBroken(AccessRequest request);

  /** Tells the requester provisioning failed, in plain words. */
  void requestFailed(AccessRequest request);

  /** Offers the owner the one-time reveal (the offer message); tells the requester too. */
  void credentialsOffered(AccessRequest request);

  /**
   * Tells the owner a reveal was interrupted and nothing of it is left: the offer message has its
   * button again.
   */
  void revealInterrupted(AccessRequest request);

  /**
   * Tells the approvers IAM refuses (with {@code errorCode}) to remove the half-made user of a
   * failed request, which now holds its name until someone removes it.
   */
  void halfMadeUserLeft(AccessRequest request, String errorCode);

  /**
   * Tells the approvers IAM refuses (with {@code errorCode}) to delete the unseen credentials of a
   * reveal that failed, so the owner cannot reveal again until someone fixes what IAM refuses.
   */
  void undoRefused(AccessRequest request, String errorCode);

  /** Takes the reveal button off the owner's offer message: revealed, or expired. */
  void offerClosed(AccessRequest request);

  /** Tells the owner the offer ran out. */
  void offerExpired(AccessRequest request);

  /** Where a posted message lives. */
  record MessageRef(String channel, String ts) {}
}
