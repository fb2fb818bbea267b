package dev.keysmith.request;

/** Who may approve or deny requests. */
public interface Approvers {

  /** Whether this Slack user is an approver now. */
  boolean isApprover(String slackUserId);
}
