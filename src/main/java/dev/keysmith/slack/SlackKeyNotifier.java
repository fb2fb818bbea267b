package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.date;
import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.outbox.Outbox;
import dev.keysmith.rotation.KeyNotifier;
import dev.keysmith.rotation.Rotation;
import dev.keysmith.rotation.RotationState;
import java.time.Instant;
import java.util.List;

/** {@link KeyNotifier} over the outbox: direct messages and the approvals channel. */
public final class SlackKeyNotifier implements KeyNotifier {
  private final Outgoing out;
  private final String approvalsChannel;

  public SlackKeyNotifier(Outbox outbox, String approvalsChannel) {
    this.out = new Outgoing(outbox);
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public void rotationForApproval(Rotation r) {
    approvalMessage(r);
  }

  @Override
  public void rotationNotPosted(Rotation r) {
    post(
        r.id(),
        r.ownerId(),
        Blocks.text(
            yourRotation(r)
                + " could not be posted to the approvals channel, so nobody could approve it."
                + " Nothing changed. Ask a Keysmith admin to check that the bot is in that"
                + " channel, then ask again."));
  }

  @Override
  public void rotationDecided(Rotation r) {
    approvalMessage(r);
    if (r.state() == RotationState.APPROVED) {
      List<LayoutBlock> blocks =
          new java.util.ArrayList<>(
              Blocks.text(
                  yourRotation(r)
                      + " was approved by "
                      + user(r.decidedBy())
                      + ". Rotate when you are ready to move to the new key."));
      blocks.add(
          Blocks.buttons(
              "rotation",
              Blocks.button(Ids.ACTION_ROTATE_PROMPT, "Rotate", "primary", r.iamUser())));
      post(r.id(), r.ownerId(), blocks);
    } else {
      post(
          r.id(),
          r.ownerId(),
          Blocks.text(
              yourRotation(r) + " was denied by " + user(r.decidedBy()) + ". Nothing changed."));
    }
  }

  @Override
  public void keyDeactivated(String iamUser, String keyId, String ownerId, String actor) {
    String what = "Access key `" + keyId + "` of IAM user `" + iamUser + "`";
    post(
        iamUser,
        approvalsChannel,
        Blocks.text(
            ":rotating_light: "
                + what
                + " was deactivated by "
                + user(actor)
                + ". Owner: "
                + user(ownerId)
                + "."));
    post(
        iamUser,
        ownerId,
        Blocks.text(
            what
                + " is deactivated"
                + (actor.equals(ownerId) ? "" : " by " + user(actor))
                + ". Anything using it stops working now. When you need a new key, run"
                + " `/iam rotate-key "
                + iamUser
                + "`."));
  }

  @Override
  public void rotationGracePeriod(
      String rotationId,
      String iamUser,
      String oldKeyId,
      String newKeyId,
      String ownerId,
      Instant deactivateAt) {
    List<LayoutBlock> blocks =
        new java.util.ArrayList<>(
            Blocks.text(
                "New key `"
                    + newKeyId
                    + "` of `"
                    + iamUser
                    + "` is ready. Move everything to it: the old key `"
                    + oldKeyId
                    + "` stays active until "
                    + date(deactivateAt)
                    + ", then Keysmith deactivates it."));
    blocks.add(
        Blocks.buttons(
            "rotation",
            Blocks.confirmedButton(
                Ids.ACTION_DEACTIVATE_OLD_NOW,
                "Deactivate old key now",
                rotationId,
                "Deactivate `" + oldKeyId + "` now? Anything still using it stops working.",
                "Deactivate")));
    post(iamUser, ownerId, blocks);
  }

  @Override
  public void oldKeyStillUsed(
      String iamUser, String oldKeyId, String ownerId, KeyUse lastUse, Instant postponedTo) {
    post(
        iamUser,
        ownerId,
        Blocks.text(
            ":warning: The old key `"
                + oldKeyId
                + "` of `"
                + iamUser
                + "` was still used "
                + date(lastUse.at())
                + " ("
                + lastUse.service()
                + " in "
                + lastUse.region()
                + "), after the new key was revealed. Something still runs with it, so Keysmith"
                + " waits until "
                + date(postponedTo)
                + " to deactivate it. Move that to the new key."));
  }

  @Override
  public void oldKeyDeactivated(String iamUser, String oldKeyId, String ownerId, Instant deleteAt) {
    post(
        iamUser,
        ownerId,
        Blocks.text(
            "The old key `"
                + oldKeyId
                + "` of `"
                + iamUser
                + "` is now deactivated. Keysmith deletes it "
                + date(deleteAt)
                + " unless you reactivate it before then."));
  }

  @Override
  public void oldKeyDeleted(String iamUser, String oldKeyId, String ownerId) {
    post(
        iamUser,
        ownerId,
        Blocks.text(
            "The old key `" + oldKeyId + "` of `" + iamUser + "` is deleted. Rotation done."));
  }

  @Override
  public void keyTooOld(String iamUser, String keyId, String ownerId, long ageDays) {
    List<LayoutBlock> blocks =
        new java.util.ArrayList<>(
            Blocks.text(
                ":hourglass: Access key `"
                    + keyId
                    + "` of `"
                    + iamUser
                    + "` is "
                    + ageDays
                    + " days old. Keys should be rotated at least every 90 days."));
    blocks.add(
        Blocks.buttons(
            "reminder", Blocks.button(Ids.ACTION_ROTATE_PROMPT, "Rotate", "primary", iamUser)));
    post(iamUser, ownerId, blocks);
  }

  @Override
  public void keyUnused(String iamUser, String keyId, String ownerId, long unusedDays) {
    List<LayoutBlock> blocks =
        new java.util.ArrayList<>(
            Blocks.text(
                "Access key `"
                    + keyId
                    + "` of `"
                    + iamUser
                    + "` has not been used for "
                    + unusedDays
                    + " days. If nothing needs it, deactivate it: an unused key is only a risk."));
    blocks.add(
        Blocks.buttons(
            "reminder",
            Blocks.confirmedButton(
                Ids.ACTION_DEACTIVATE_KEY,
                "Deactivate",
                keyId,
                "Deactivate `" + keyId + "` of `" + iamUser + "` now?",
                "Deactivate")));
    post(iamUser, ownerId, blocks);
  }

  /** {@code Your rotation RT-… of `iam-user`}, how each message to the owner names it. */
  private static String yourRotation(Rotation r) {
    return "Your rotation " + r.id() + " of `" + r.iamUser() + "`";
  }

  private void approvalMessage(Rotation r) {
    out.send(
        APPROVAL,
        r.id(),
        approvalsChannel,
        Outgoing.approvalSlot(r.id()),
        "Key rotation " + r.id() + " for " + r.iamUser(),
        KeyBlocks.rotationApproval(r));
  }

  @Override
  public void ownerLeft(String ownerId, java.util.Map<String, String> done) {
    String intro =
        ":door: "
            + user(ownerId)
            + "'s Slack account is deactivated, so Keysmith shut off the IAM users they own. Decide"
            + " for each: delete it, or give it a new owner (a link request another approver"
            + " approves).";
    out.send(
        NOTICE,
        ownerId,
        approvalsChannel,
        null,
        Outgoing.plain(intro),
        Blocks.ownerLeft(intro, done));
  }

  private void post(String about, String channel, List<LayoutBlock> blocks) {
    out.send(NOTICE, about, channel, null, "Keysmith: access keys", blocks);
  }
}
