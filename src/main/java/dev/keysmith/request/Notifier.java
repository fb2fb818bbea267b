package dev.keysmith.request;

import org.slf4j.LoggerFactory;

/** Tells people in Slack what happened to a request. Never given a secret. */
public interface Notifier {

  /** Posts the request to the approvals channel with Approve and Deny; returns where it went. */
  MessageRef postForApproval(AccessRequest request);

  /**
   * Updates the approvals message in place: no buttons once decided, who decided and when, the
   * provisioning steps done so far, and the outcome.
   */
  void updateApproval(AccessRequest request);

  /** Tells the requester the request waits for approval. */
  void requestReceived(AccessRequest request);

  /** Tells the requester (and the owner) the request was denied, and why. */
  void requestDenied(AccessRequest request);

  /** Tells the requester provisioning failed, in plain words. */
  void requestFailed(AccessRequest request);

  /**
   * Tells the owner the user is ready and offers the one-time reveal; tells the requester too.
   * Returns the owner's offer message.
   */
  MessageRef credentialsOffered(AccessRequest request);

  /**
   * Tells the owner a reveal was interrupted and nothing of it is left; the offer stands. Returns
   * the new offer message.
   */
  MessageRef revealInterrupted(AccessRequest request);

  /** Takes the reveal button off the owner's offer message: revealed, or expired. */
  void offerClosed(AccessRequest request);

  /** Tells the owner the offer ran out. */
  void offerExpired(AccessRequest request);

  /**
   * Runs a notification whose failure must not stop the workflow (the state change it reports is
   * already stored and audited): a Slack outage is logged with the request id, not thrown.
   */
  static void bestEffort(String subject, Runnable notification) {
    try {
      notification.run();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Notifier.class)
          .error("{}: could not notify Slack: {}", subject, e.toString());
    }
  }

  /** Where a posted message lives. */
  record MessageRef(String channel, String ts) {}
}
