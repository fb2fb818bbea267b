package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.outbox.Outbox;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.GroupPolicy;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.Policies;
import dev.keysmith.request.RequestState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Notifier} over the outbox: the approvals channel and direct messages, each rendered now
 * and delivered by the courier.
 */
public final class SlackNotifier implements Notifier {
  private final Outgoing out;
  private final String approvalsChannel;
  private final Policies policies;

  /**
   * Notices to the approvals channel and direct messages; a reminder or a break-glass mentions the
   * approvers of the request's group, as {@code policies} name them.
   */
  public SlackNotifier(Outbox outbox, String approvalsChannel, Policies policies) {
    this.out = new Outgoing(outbox);
    this.approvalsChannel = approvalsChannel;
    this.policies = policies;
  }

  /** The approvers of {@code r}'s group but its requester and owner, as mentions. */
  private List<String> approverMentions(AccessRequest r) {
    GroupPolicy.Audience who = policies.approversOf(r.groupName());
    List<String> mentions = new ArrayList<>();
    who.users().stream()
        .sorted()
        .filter(id -> !id.equals(r.requesterId()) && !id.equals(r.ownerId()))
        .map(Mrkdwn::user)
        .forEach(mentions::add);
    who.userGroup().ifPresent(g -> mentions.add("<!subteam^" + g + ">"));
    return mentions;
  }

  @Override
  public void postForApproval(AccessRequest r) {
    updateApproval(r);
  }

  @Override
  public void updateApproval(AccessRequest r) {
    out.send(
        APPROVAL,
        r.id(),
        approvalsChannel,
        Outgoing.approvalSlot(r.id()),
        Blocks.approvalText(r),
        Blocks.approval(r));
  }

  @Override
  public void requestReceived(AccessRequest r) {
    if (r.brokeGlass()) {
      dm(
          r,
          r.requesterId(),
          "You broke the glass: request "
              + r.id()
              + " for IAM user `"
              + r.iamUserName()
              + "` is approved by you alone and is being created. It is posted in <#"
              + approvalsChannel
              + ">, every approver of `"
              + r.groupName()
              + "` is told, and the user is deleted when its time ends.");
      return;
    }
    if (r.approvedByPolicy()) {
      dm(
          r,
          r.requesterId(),
          "Your request "
              + r.id()
              + " for IAM user `"
              + r.iamUserName()
              + "` was approved by the access policy of `"
              + r.groupName()
              + "` and is being created; it is posted in <#"
              + approvalsChannel
              + "> for the record.");
      return;
    }
    String text =
        "Your request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` is waiting for approval in <#"
            + approvalsChannel
            + ">. I'll tell you when it is decided.";
    out.dm(NOTICE, r.id(), r.requesterId(), Outgoing.plain(text), Blocks.received(r, text));
  }

  @Override
  public void userEndsSoon(AccessRequest r, java.time.Instant end) {
    String text =
        ":hourglass: Your IAM user `"
            + r.iamUserName()
            + "` (group `"
            + r.groupName()
            + "`) ends "
            + Mrkdwn.date(end)
            + ", as its group's access policy set when it was asked for (request "
            + r.id()
            + "). Keysmith then deletes it with its keys and password. Still needed? Extend it:"
            + " the request goes through the same policy. No longer needed? Delete it now.";
    out.dm(NOTICE, r.id(), r.ownerId(), Outgoing.plain(text), Blocks.endsSoon(r, text));
  }

  @Override
  public void userExtended(AccessRequest r) {
    dm(
        r,
        r.ownerId(),
        ":hourglass: IAM user `"
            + r.iamUserName()
            + "` now ends "
            + Mrkdwn.date(r.userExpiresAt().orElse(null))
            + ": request "
            + r.id()
            + " to extend it was approved by "
            + Blocks.approvedBy(r)
            + ".");
  }

  @Override
  public void glassBroken(AccessRequest r) {
    Duration lifetime = r.lifetime();
    String text =
        ":rotating_light: *Break-glass:* "
            + user(r.requesterId())
            + " approved their own request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` in group `"
            + r.groupName()
            + "`, for "
            + (lifetime == null ? "no end" : Blocks.human(lifetime))
            + "; Keysmith deletes the user then.\n*Reason*\n"
            + Mrkdwn.quote(r.justification());
    List<String> mentions = approverMentions(r);
    String loud = mentions.isEmpty() ? text : text + "\n" + String.join(" ", mentions);
    out.reply(
        NOTICE,
        r.id(),
        approvalsChannel,
        Outgoing.approvalSlot(r.id()),
        Outgoing.plain(text),
        Blocks.text(loud));
    for (String approver : new java.util.TreeSet<>(policies.approversOf(r.groupName()).users())) {
      if (!approver.equals(r.requesterId())) {
        dm(r, approver, text);
      }
    }
  }

  @Override
  public void requestCancelled(AccessRequest r) {
    if (!r.ownerId().equals(r.requesterId())) {
      dm(
          r,
          r.ownerId(),
          user(r.requesterId())
              + " cancelled request "
              + r.id()
              + " for IAM user `"
              + r.iamUserName()
              + "`, which you would have owned. Nothing was created.");
    }
  }

  @Override
  public void remindApprovers(AccessRequest r) {
    List<String> mentions = approverMentions(r);
    String text =
        ":bell: Request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` (group `"
            + r.groupName()
            + "`), asked by "
            + user(r.requesterId())
            + " "
            + Mrkdwn.date(r.createdAt())
            + ", is still waiting for a decision"
            + (mentions.isEmpty() ? "" : " from " + String.join(", ", mentions))
            + ". Approve or deny it on the request's message.";
    out.reply(
        NOTICE,
        r.id(),
        approvalsChannel,
        Outgoing.approvalSlot(r.id()),
        Outgoing.plain(text),
        Blocks.text(text));
  }

  @Override
  public void requestExpired(AccessRequest r) {
    String text =
        "Nobody decided request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` in time, so it expired and nothing was created.\n"
            + Mrkdwn.quote(r.outcome());
    dm(r, r.requesterId(), text + "\nSubmit `/iam create-user` again if it is still needed.");
    if (!r.ownerId().equals(r.requesterId())) {
      dm(r, r.ownerId(), text);
    }
  }

  @Override
  public void requestDenied(AccessRequest r) {
    String text =
        "Request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` was denied by "
            + user(r.decidedBy())
            + ".\n"
            + Mrkdwn.quote(r.outcome());
    dm(r, r.requesterId(), text);
    if (!r.ownerId().equals(r.requesterId())) {
      dm(r, r.ownerId(), text);
    }
  }

  @Override
  public void requestFailed(AccessRequest r) {
    dm(
        r,
        r.requesterId(),
        "Request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + (r.decidedBy() == null
                ? "` could not go ahead, so nothing was created:\n"
                : "` was approved, but IAM refused it, so nothing was created:\n")
            + Mrkdwn.quote(r.outcome())
            + "\nAsk an approver to look at it, then submit a new request.");
  }

  @Override
  public void credentialsOffered(AccessRequest r) {
    out.send(
        OFFER,
        r.id(),
        r.ownerId(),
        Outgoing.offerSlot(r.id()),
        "IAM user " + r.iamUserName() + " is ready",
        Blocks.offer(
            r,
            "Your IAM user `"
                + r.iamUserName()
                + "` (group `"
                + r.groupName()
                + "`) is ready. Request "
                + r.id()
                + " was approved by "
                + Blocks.approvedBy(r)
                + "."));
    if (!r.ownerId().equals(r.requesterId())) {
      dm(
          r,
          r.requesterId(),
          "Request "
              + r.id()
              + " was approved and IAM user `"
              + r.iamUserName()
              + "` created. "
              + user(r.ownerId())
              + " has been offered the credentials.");
    }
  }

  @Override
  public void revealInterrupted(AccessRequest r) {
    String text =
        "Revealing the credentials of `"
            + r.iamUserName()
            + "` was interrupted, and what had been created was deleted unseen. You can"
            + " reveal them again.";
    out.send(
        OFFER,
        r.id(),
        r.ownerId(),
        Outgoing.offerSlot(r.id()),
        "IAM user " + r.iamUserName() + " is ready",
        Blocks.offer(r, text));
    // The offer message is edited in place, which notifies nobody; this does.
    dm(r, r.ownerId(), text + " The offer message above has its button again.");
  }

  @Override
  public void halfMadeUserLeft(AccessRequest r, String errorCode) {
    approversNotice(
        r,
        ":warning: Request "
            + r.id()
            + " failed after IAM user `"
            + r.iamUserName()
            + "` was created, and IAM refuses to let Keysmith remove it: IAM said `"
            + Mrkdwn.escape(errorCode)
            + "`. The user is in IAM without its group and holds the name. Check Keysmith's IAM"
            + " permissions (`iam:DeleteUser`, `iam:ListUserTags`), or delete the user by hand.");
  }

  @Override
  public void undoRefused(AccessRequest r, String errorCode) {
    String text =
        ":warning: A reveal of IAM user `"
            + r.iamUserName()
            + "` (request "
            + r.id()
            + ") failed, and IAM refuses to let Keysmith delete what it had minted, which nobody"
            + " has seen: IAM said `"
            + Mrkdwn.escape(errorCode)
            + "`. Until it is deleted, "
            + user(r.ownerId())
            + " cannot reveal again. Check Keysmith's IAM permissions (`iam:DeleteAccessKey`,"
            + " `iam:DeleteLoginProfile`, `iam:ListAccessKeys`), or delete that user's access"
            + " key and console password by hand; Keysmith tries again every hour.";
    approversNotice(r, text);
  }

  private void approversNotice(AccessRequest r, String mrkdwn) {
    out.send(NOTICE, r.id(), approvalsChannel, null, Outgoing.plain(mrkdwn), Blocks.text(mrkdwn));
  }

  @Override
  public void offerExpired(AccessRequest r) {
    dm(
        r,
        r.ownerId(),
        "The offer of credentials for IAM user `"
            + r.iamUserName()
            + "` (request "
            + r.id()
            + ") expired before it was revealed. Ask an approver if you still need them.");
  }

  @Override
  public void offerClosed(AccessRequest r) {
    String text =
        r.state() == RequestState.REVEALED
            ? "The credentials of IAM user `"
                + r.iamUserName()
                + "` were revealed "
                + Mrkdwn.date(r.revealedAt())
                + ". Keysmith never shows a secret twice; to replace the key, use `/iam"
                + " rotate-key "
                + r.iamUserName()
                + "`."
            : "The offer of credentials for IAM user `"
                + r.iamUserName()
                + "` has closed ("
                + r.state().name().toLowerCase(java.util.Locale.ROOT)
                + ").";
    out.send(
        OFFER,
        r.id(),
        r.ownerId(),
        Outgoing.offerSlot(r.id()),
        Outgoing.plain(text),
        Blocks.text(text));
  }

  private void dm(AccessRequest r, String userId, String mrkdwn) {
    out.dm(NOTICE, r.id(), userId, mrkdwn);
  }
}
