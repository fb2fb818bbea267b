package dev.keysmith.offboard;

/**
 * Tells people in Slack what happened to an offboarding. Like the other notifiers, it only leaves
 * messages in the outbox, inside the transaction of the change it reports.
 */
public interface OffboardNotifier {
  /** The purpose of every message about an offboarding. */
  String NOTICE = "offboard.notice";

  /** It began: the approvals channel hears who is deleting which user, and why. */
  void started(Offboarding offboarding);

  /**
   * The user is gone: the approvals channel hears it, and the owner when someone else started it;
   * the starter too, unless {@code starterTold} (they saw it where they clicked).
   */
  void done(Offboarding offboarding, boolean starterTold);

  /** IAM refused a step for good: the starter and the approvals channel hear which step and why. */
  void failed(Offboarding offboarding);
}
