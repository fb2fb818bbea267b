package dev.keysmith.rotation;

import dev.keysmith.core.Refusal;
import dev.keysmith.request.Notifier.MessageRef;

/** Tells people in Slack what happened to a link request. */
public interface LinkNotifier {

  /** Posts the request to the approvals channel with Approve and Deny; returns where it went. */
  MessageRef postForApproval(LinkRequest link);

  /** Updates the approvals message in place: no buttons once decided, who decided, the outcome. */
  void updateApproval(LinkRequest link);

  /** Tells the new owner, the requester and the previous owner (if any) that the link is made. */
  void linked(LinkRequest link);

  /** Tells the requester the request was denied. */
  void denied(LinkRequest link);

  /** Tells the requester nobody decided in time. */
  void expired(LinkRequest link);

  /**
   * Updates the approvals message and tells the requester why the link did not go ahead: a check
   * that failed when it was approved, or after a restart.
   */
  void stopped(LinkRequest link, Refusal why);

  /** Tells the requester IAM refused the owner tag. */
  void failed(LinkRequest link);
}
