package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.escape;
import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.core.Refusal;
import dev.keysmith.request.RequestWorkflow;

/** The sentence a person reads for each {@link Refusal.Reason}, in Slack mrkdwn. */
final class Refusals {
  private Refusals() {}

  /** What to tell the person who was refused. */
  static String text(Refusal r) {
    return switch (r.reason()) {
      case MALFORMED_ACTION ->
          "Keysmith cannot read that " + arg(r, "part") + ", so nothing was done.";
      case NO_SUCH_REQUEST -> "There is no request " + arg(r, "requestId") + ".";
      case NOT_APPROVER -> "Only Keysmith approvers can " + verb(r) + " requests.";
      case REQUESTER_DECIDES ->
          "You asked for this user, so someone else has to " + verb(r) + " it.";
      case OWNER_DECIDES -> "You would own this user, so someone else has to " + verb(r) + " it.";
      case ALREADY_DECIDED -> alreadyDecided(r);
      case ALREADY_APPROVED_BY_YOU ->
          "You approved request "
              + arg(r, "requestId")
              + " already; it has "
              + arg(r, "approvals")
              + " of the "
              + arg(r, "quorum")
              + " approvals it needs, and each approver counts once.";
      case MAY_NOT_REQUEST ->
          "The access policy of group `"
              + arg(r, "group")
              + "` does not let you ask for it. Ask a Keysmith admin who may.";
      case NOT_YET_POSTED ->
          "Request " + arg(r, "requestId") + " is still being posted for approval; try again.";
      case REQUEST_FAILED -> requestFailed(r);
      case REQUEST_EXPIRED ->
          "Request "
              + arg(r, "requestId")
              + " was approved"
              + by(r)
              + ", but its credentials were not revealed in time, so it is closed. Ask for a new"
              + " one if it is still needed.";
      case REQUEST_EXPIRED_UNDECIDED ->
          "Request "
              + arg(r, "requestId")
              + " expired because nobody decided it in time, so it is closed. The requester can"
              + " ask again if it is still needed.";
      case REQUEST_STOPPED ->
          "Request "
              + arg(r, "requestId")
              + " was stopped because its requester or owner left, so it is closed.";
      case REQUEST_CANCELLED ->
          "Request " + arg(r, "requestId") + " was cancelled by its requester, so it is closed.";
      case NOT_REQUESTER ->
          "Only the person who asked for request " + arg(r, "requestId") + " can cancel it.";
      case NOT_CREDENTIALS_OWNER ->
          "Only the owner of these credentials, " + user(arg(r, "ownerId")) + ", can reveal them.";
      case OFFER_EXPIRED ->
          "This offer expired. Ask an approver for new credentials for `"
              + arg(r, "iamUser")
              + "`.";
      case REVEAL_UNDER_WAY -> "These credentials are being revealed right now.";
      case ALREADY_REVEALED ->
          "These credentials were already revealed, and Keysmith never shows a secret twice. "
              + "If you lost them, rotate the access key instead.";
      case NOTHING_TO_REVEAL -> "Request " + arg(r, "requestId") + " has no credentials to reveal.";
      case CREDENTIALS_NOT_MINTED ->
          "IAM could not create the credentials: " + arg(r, "iamError") + " Try again.";
      case CREDENTIALS_NOT_SHOWN ->
          "Slack did not take the message with your credentials. Try again.";
      case NOT_SECRET_OWNER -> "Only the owner can hide these credentials.";
      case NO_SUCH_IAM_USER -> "There is no IAM user named `" + arg(r, "iamUser") + "`.";
      case NOT_EXTENDABLE ->
          "`"
              + arg(r, "iamUser")
              + "` has no end to move: it has ended already, or it lives with no end.";
      case NOT_YOUR_USER ->
          "`"
              + arg(r, "iamUser")
              + "` is not yours, so you cannot manage its keys. Its owner or a Keysmith approver"
              + " can.";
      case NOT_MANAGED_USER ->
          "`"
              + arg(r, "iamUser")
              + "` has no Keysmith owner, so Keysmith does not delete it. Delete it in IAM itself,"
              + " or link it to an owner first (`/iam link`).";
      case NOT_YOURS_TO_DELETE ->
          "`"
              + arg(r, "iamUser")
              + "` is not yours, so you cannot delete it. Its owner or a Keysmith approver can.";
      case OFFBOARD_UNDER_WAY ->
          "`"
              + arg(r, "iamUser")
              + "` is already being deleted"
              + " by "
              + user(arg(r, "startedBy"))
              + ". Nothing more to do.";
      case NO_SUCH_ACCESS_KEY ->
          "There is no access key `" + arg(r, "accessKeyId") + "` in this AWS account.";
      case KEY_ALREADY_INACTIVE ->
          "Access key `"
              + arg(r, "accessKeyId")
              + "` is inactive already: nothing can sign in with it. Nothing changed.";
      case KEY_DEACTIVATION_UNDER_WAY ->
          "Access key `"
              + arg(r, "accessKeyId")
              + "` is being deactivated at this moment, from another click; its owner and the"
              + " approvers will be told.";
      case NO_SUCH_LINK -> "There is no link request " + arg(r, "linkId") + ".";
      case LINK_OUT_OF_REACH ->
          "Keysmith may not read the tags and groups of `"
              + arg(r, "iamUser")
              + "`, so it cannot check that user and does not link it.";
      case LINK_PROTECTED_GROUP ->
          "`"
              + arg(r, "iamUser")
              + "` is in the protected group `"
              + arg(r, "group")
              + "`, so Keysmith never links it to anyone. Look after its keys in IAM itself.";
      case LINK_ALREADY_OWNER ->
          "`"
              + arg(r, "iamUser")
              + "` already belongs to "
              + user(arg(r, "ownerId"))
              + "; nothing to link.";
      case LINK_PENDING ->
          "Link request "
              + arg(r, "linkId")
              + " for `"
              + arg(r, "iamUser")
              + "` already waits for approval; it has to be decided first.";
      case LINK_NOT_POSTED ->
          "Keysmith could not post the link request to the approvals channel, so nothing changed."
              + " Ask a Keysmith admin to check that the bot is in that channel.";
      case LINK_NOT_YET_POSTED ->
          "Link request " + arg(r, "linkId") + " is still being posted for approval; try again.";
      case LINK_NEEDS_APPROVER -> "Only Keysmith approvers can approve or deny link requests.";
      case LINK_REQUESTER_DECIDES ->
          "You asked for this link, so another approver has to approve it: nobody approves"
              + " access for themselves.";
      case LINK_OWNER_DECIDES ->
          "You would own `"
              + arg(r, "iamUser")
              + "`, so another approver has to approve it: nobody approves access for"
              + " themselves.";
      case LINK_ALREADY_DECIDED -> linkAlreadyDecided(r);
      case LINK_EXPIRED ->
          "Link request "
              + arg(r, "linkId")
              + " has expired. Ask again with `/iam link` if it is still needed.";
      case LINK_OWNER_CHANGED ->
          "The owner of `"
              + arg(r, "iamUser")
              + "` changed since the link was asked for (from "
              + ownerOrNobody(r, "was")
              + " to "
              + ownerOrNobody(r, "now")
              + "), so Keysmith did not overwrite it. Ask again if it should still move.";
      case OWNS_NO_USER ->
          "You own no IAM user that Keysmith knows of. Ask to own yours with `/iam link"
              + " &lt;iam-user&gt; @you`; an approver decides.";
      case OWNS_SEVERAL_USERS ->
          "You own several IAM users ("
              + arg(r, "iamUsers")
              + "). Say which one: `/iam rotate-key &lt;iam-user&gt;`.";
      case ONLY_OWNER_ROTATES -> onlyOwnerRotates(r);
      case NO_OWNER_TO_ROTATE ->
          onlyOwnerRotates(r) + " Link it to its owner first with `/iam link`.";
      case KEY_GONE ->
          "`" + arg(r, "accessKeyId") + "` is not a key of `" + arg(r, "iamUser") + "` any more.";
      case FREE_KEY_SLOT ->
          "`" + arg(r, "iamUser") + "` has a free key slot already; nothing was deleted.";
      case KEYS_CHANGED ->
          "The keys of `"
              + arg(r, "iamUser")
              + "` changed since you asked; run `/iam rotate-key` again.";
      case ROTATION_UNDER_WAY -> "This rotation is already under way.";
      case USER_ROTATION_UNDER_WAY ->
          "A rotation of `" + arg(r, "iamUser") + "` is already under way.";
      case NEW_KEY_NOT_MINTED -> "IAM could not create the new key: " + arg(r, "iamError");
      case NEW_KEY_NOT_SHOWN ->
          "Slack did not take the message with your new key, so nothing changed. Try again.";
      case ROTATION_AWAITS_APPROVAL ->
          "Rotation "
              + arg(r, "rotationId")
              + " of `"
              + arg(r, "iamUser")
              + "` already waits for approval.";
      case ROTATION_NOT_POSTED ->
          "Keysmith could not post the rotation to the approvals channel; nothing changed.";
      case ROTATION_NEEDS_APPROVER -> "Only Keysmith approvers can decide rotations.";
      case OWNER_DECIDES_ROTATION ->
          "You own `" + arg(r, "iamUser") + "`, so someone else has to decide.";
      case ROTATION_ALREADY_DECIDED -> rotationAlreadyDecided(r);
      case ROTATION_NOT_YET_POSTED ->
          "Rotation " + arg(r, "rotationId") + " is still being posted for approval; try again.";
      case ROTATION_JUST_DECIDED ->
          "Rotation " + arg(r, "rotationId") + " was just decided by someone else.";
      case OLD_KEY_NOT_WAITING ->
          "The old key of this rotation is not waiting for deactivation any more.";
      case OLD_KEY_JUST_HANDLED -> "The old key of this rotation was just dealt with.";
      case NO_SUCH_ROTATION -> "There is no rotation " + arg(r, "rotationId") + ".";
    };
  }

  private static String alreadyDecided(Refusal r) {
    String approved = "Request " + arg(r, "requestId") + " was already approved" + by(r);
    return switch (r.arg("state")) {
      case "DENIED" -> "Request " + arg(r, "requestId") + " was already denied" + by(r) + ".";
      case "PENDING" -> "Request " + arg(r, "requestId") + " is still pending.";
      case "APPROVED" -> approved + "; its IAM user is being created.";
      case "PROVISIONED" -> approved + ", and its IAM user is ready.";
      case "REVEALING", "REVEALED" -> approved + ", and its credentials were handed over.";
      default -> approved + ".";
    };
  }

  private static String requestFailed(Refusal r) {
    String request = "Request " + arg(r, "requestId");
    String what =
        r.arg("decidedBy").isEmpty()
            ? " could not be posted for approval"
            : " was approved" + by(r) + ", but creating its IAM user failed";
    return request + what + ", so it is closed. Ask for a new one if it is still needed.";
  }

  private static String rotationAlreadyDecided(Refusal r) {
    String rotation = "Rotation " + arg(r, "rotationId");
    boolean decided = !r.arg("decidedBy").isEmpty();
    return switch (r.arg("state")) {
      case "DENIED" -> rotation + " was already denied" + by(r) + ".";
      case "AWAITING_APPROVAL" -> rotation + " is still waiting for approval.";
      case "CANCELLED" ->
          rotation
              + (decided ? " was approved" + by(r) + ", then cancelled" : " was cancelled")
              + "; there is nothing to decide.";
      default ->
          decided
              ? rotation + " was already approved" + by(r) + "."
              : rotation + " did not need approval; there is nothing to decide.";
    };
  }

  private static String linkAlreadyDecided(Refusal r) {
    String link = "Link request " + arg(r, "linkId");
    return switch (r.arg("state")) {
      case "DENIED" -> link + " was already denied" + by(r) + ".";
      case "EXPIRED" -> link + " expired before anyone decided it.";
      case "CANCELLED" -> link + " was cancelled: it could not go ahead.";
      case "FAILED" -> link + " was approved" + by(r) + ", but IAM refused the owner tag.";
      case "PENDING" -> link + " is still pending.";
      default -> link + " was already approved" + by(r) + ".";
    };
  }

  private static String ownerOrNobody(Refusal r, String param) {
    String owner = r.arg(param);
    return owner.isEmpty() ? "nobody" : user(escape(owner));
  }

  private static String onlyOwnerRotates(Refusal r) {
    return "Only the owner of `"
        + arg(r, "iamUser")
        + "` can rotate its keys, because only they may see the new secret.";
  }

  private static String verb(Refusal r) {
    return RequestWorkflow.DENY.equals(r.arg("decision")) ? "deny" : "approve";
  }

  private static String by(Refusal r) {
    String approver = r.arg("decidedBy");
    return approver.isEmpty() ? "" : " by " + user(escape(approver));
  }

  /** A value from the refusal, escaped: ids and names can come from a forged click. */
  private static String arg(Refusal r, String param) {
    return escape(r.arg(param));
  }
}
