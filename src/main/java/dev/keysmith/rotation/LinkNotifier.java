package dev.keysmith.rotation;

import dev.keysmith.core.Refusal;

/**
 * Tells people in Slack what happened to a link request. Like {@code request.Notifier}, it only
 * leaves messages in the outbox, inside the transaction of the change it reports.
 */
public interface LinkNotifier {
  /** The purpose of a link's approvals-channel message, which a receipt records. */
  String APPROVAL = "link.approval";

  /** The purpose of every other message about a link. */
  String NOTICE = "link.notice";

  /** Posts the request to the approvals channel with Approve and Deny. */
  void postForApproval(LinkRequest link);

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
