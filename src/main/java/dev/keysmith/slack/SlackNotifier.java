package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.outbox.Outbox;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link Notifier} over the outbox: the approvals channel and direct messages, each rendered now
 * and delivered by the courier.
 */
public final class SlackNotifier implements Notifier {
  private final Outgoing out;
  private final String approvalsChannel;
  private final List<String> approverIds;
  private final @Nullable String approverGroupId;

  /**
   * Notices to the approvals channel and direct messages; a reminder mentions {@code approverIds}
   * and the user group {@code approverGroupId}, when there is one.
   */
  public SlackNotifier(
      Outbox outbox,
      String approvalsChannel,
      Collection<String> approverIds,
      @Nullable String approverGroupId) {
    this.out = new Outgoing(outbox);
    this.approvalsChannel = approvalsChannel;
    this.approverIds = List.copyOf(approverIds);
    this.approverGroupId = approverGroupId;
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
    List<String> mentions = new ArrayList<>();
    approverIds.stream()
        .filter(id -> !id.equals(r.requesterId()) && !id.equals(r.ownerId()))
        .map(Mrkdwn::user)
        .forEach(mentions::add);
    if (approverGroupId != null) {
      mentions.add("<!subteam^" + approverGroupId + ">");
    }
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
