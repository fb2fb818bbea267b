package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.escape;
import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.core.SlackIds;
import dev.keysmith.offboard.OffboardNotifier;
import dev.keysmith.offboard.Offboarding;
import dev.keysmith.outbox.Outbox;

/**
 * {@link OffboardNotifier} over the outbox: one approvals-channel message per offboarding, posted
 * when it starts and edited with its outcome, and direct messages to its owner and starter.
 */
public final class SlackOffboardNotifier implements OffboardNotifier {
  private final Outgoing out;
  private final String approvalsChannel;

  public SlackOffboardNotifier(Outbox outbox, String approvalsChannel) {
    this.out = new Outgoing(outbox);
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public void started(Offboarding o) {
    approvals(
        o,
        ":wastebasket: "
            + who(o)
            + " is deleting IAM user "
            + name(o)
            + " and everything it has ("
            + o.id()
            + ", "
            + cause(o)
            + "). Owner: "
            + user(o.ownerId())
            + ".");
  }

  @Override
  public void done(Offboarding o, boolean starterTold) {
    approvals(
        o,
        ":wastebasket: IAM user "
            + name(o)
            + " was deleted by "
            + who(o)
            + ", with everything it had ("
            + o.id()
            + ", "
            + cause(o)
            + "). Owner: "
            + user(o.ownerId())
            + ".");
    String owner = o.ownerId();
    if (owner != null && SlackIds.isUserId(owner) && !owner.equals(o.startedBy())) {
      out.dm(
          NOTICE,
          o.id(),
          owner,
          "Your IAM user "
              + name(o)
              + " was deleted by "
              + who(o)
              + ", with its access keys, password and everything else it had. Anything still"
              + " using it stops working now.");
    }
    if (!starterTold && SlackIds.isUserId(o.startedBy())) {
      out.dm(
          NOTICE, o.id(), o.startedBy(), "IAM user " + name(o) + " is deleted (" + o.id() + ").");
    }
  }

  @Override
  public void failed(Offboarding o) {
    String why = OffboardBlocks.failure(o);
    approvals(o, ":x: " + why + " Started by " + who(o) + ".");
    if (SlackIds.isUserId(o.startedBy())) {
      out.dm(
          NOTICE,
          o.id(),
          o.startedBy(),
          ":x: "
              + why
              + " What was removed stays removed. Once that is fixed, `/iam delete-user "
              + name(o).replace("`", "")
              + "` carries on.");
    }
  }

  private void approvals(Offboarding o, String mrkdwn) {
    out.send(
        NOTICE,
        o.id(),
        approvalsChannel,
        "offboard:" + o.id(),
        Outgoing.plain(mrkdwn),
        Blocks.text(mrkdwn));
  }

  private static String who(Offboarding o) {
    return SlackIds.isUserId(o.startedBy()) ? user(o.startedBy()) : "Keysmith";
  }

  private static String name(Offboarding o) {
    return "`" + escape(o.iamUser()) + "`";
  }

  private static String cause(Offboarding o) {
    return switch (o.cause()) {
      case OWNER -> "its owner's decision";
      case APPROVER -> "an approver's decision";
      case EXPIRED -> "its time ran out";
      case OWNER_LEFT -> "its owner left";
      case BREAK_GLASS_ENDED -> "its break-glass access ended";
    };
  }
}
