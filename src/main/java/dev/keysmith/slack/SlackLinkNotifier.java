package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.core.Refusal;
import dev.keysmith.outbox.Outbox;
import dev.keysmith.rotation.LinkNotifier;
import dev.keysmith.rotation.LinkRequest;
import org.jspecify.annotations.Nullable;

/** {@link LinkNotifier} over the outbox: the approvals channel and direct messages. */
public final class SlackLinkNotifier implements LinkNotifier {
  private final Outgoing out;
  private final String approvalsChannel;

  public SlackLinkNotifier(Outbox outbox, String approvalsChannel) {
    this.out = new Outgoing(outbox);
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public void postForApproval(LinkRequest r) {
    update(r, null);
  }

  @Override
  public void updateApproval(LinkRequest r) {
    update(r, null);
  }

  @Override
  public void linked(LinkRequest r) {
    String iamUser = name(r);
    String approvedBy = " Approved by " + user(r.decidedBy()) + ".";
    dm(
        r,
        r.ownerId(),
        "You now own IAM user "
            + iamUser
            + (r.requesterId().equals(r.ownerId())
                ? ", as you asked."
                : ", as " + user(r.requesterId()) + " asked.")
            + approvedBy
            + " See its keys with `/iam keys "
            + Mrkdwn.escape(r.iamUser())
            + "`.");
    if (!r.requesterId().equals(r.ownerId())) {
      dm(
          r,
          r.requesterId(),
          "Link request "
              + r.id()
              + " is done: "
              + iamUser
              + " now belongs to "
              + user(r.ownerId())
              + "."
              + approvedBy);
    }
    String previous = r.previousOwnerId();
    if (previous != null && !previous.equals(r.requesterId())) {
      dm(
          r,
          previous,
          ":warning: IAM user "
              + iamUser
              + " was moved away from you to "
              + user(r.ownerId())
              + ": "
              + user(r.requesterId())
              + " asked (link request "
              + r.id()
              + ") and "
              + user(r.decidedBy())
              + " approved. You can no longer manage its keys. If this is wrong, tell a Keysmith"
              + " approver now.");
    }
  }

  @Override
  public void denied(LinkRequest r) {
    dm(
        r,
        r.requesterId(),
        about(r) + " was denied by " + user(r.decidedBy()) + ". Nothing changed.");
  }

  @Override
  public void expired(LinkRequest r) {
    dm(
        r,
        r.requesterId(),
        about(r)
            + " expired before an approver decided it. Nothing changed; ask again with `/iam"
            + " link` if it is still needed.");
  }

  @Override
  public void stopped(LinkRequest r, Refusal why) {
    String reason = Refusals.text(why);
    update(r, reason);
    dm(r, r.requesterId(), about(r) + " did not go ahead: " + reason);
  }

  @Override
  public void failed(LinkRequest r) {
    dm(
        r,
        r.requesterId(),
        about(r)
            + " was approved, but IAM refused the owner tag, so nothing changed:\n"
            + Mrkdwn.quote(r.outcome()));
  }

  private void update(LinkRequest r, @Nullable String why) {
    out.send(
        APPROVAL,
        r.id(),
        approvalsChannel,
        Outgoing.approvalSlot(r.id()),
        fallback(r),
        KeyBlocks.linkApproval(r, why));
  }

  private void dm(LinkRequest r, String userId, String mrkdwn) {
    out.dm(NOTICE, r.id(), userId, "Keysmith: link request", Blocks.text(mrkdwn));
  }

  /** {@code Link request LK-… (`iam-user` for @owner)}, how each message names the request. */
  private static String about(LinkRequest r) {
    return "Link request " + r.id() + " (" + name(r) + " for " + user(r.ownerId()) + ")";
  }

  private static String name(LinkRequest r) {
    return "`" + Mrkdwn.escape(r.iamUser()) + "`";
  }

  private static String fallback(LinkRequest r) {
    return "Link request "
        + r.id()
        + " for "
        + r.iamUser()
        + ": "
        + r.state().name().toLowerCase(java.util.Locale.ROOT);
  }
}
