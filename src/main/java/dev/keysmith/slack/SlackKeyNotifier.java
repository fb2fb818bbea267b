package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.date;
import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.request.Notifier;
import dev.keysmith.rotation.KeyNotifier;
import dev.keysmith.rotation.Rotation;
import dev.keysmith.rotation.RotationState;
import java.time.Instant;
import java.util.List;

/** {@link KeyNotifier} over the Slack Web API: direct messages and the approvals channel. */
public final class SlackKeyNotifier implements KeyNotifier {
  private final SlackWebApi slack;
  private final String approvalsChannel;

  public SlackKeyNotifier(SlackWebApi slack, String approvalsChannel) {
    this.slack = slack;
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public Notifier.MessageRef rotationForApproval(Rotation r) {
    ChatPostMessageResponse response =
        SlackNotifier.call(
            "chat.postMessage",
            () ->
                slack.chatPostMessage(
                    m ->
                        m.channel(approvalsChannel)
                            .text("Key rotation " + r.id() + " for " + r.iamUser())
                            .blocks(KeyBlocks.rotationApproval(r))));
    return new Notifier.MessageRef(response.getChannel(), response.getTs());
  }

  @Override
  public void rotationDecided(Rotation r) {
    SlackNotifier.call(
        "chat.update",
        () ->
            slack.chatUpdate(
                m ->
                    m.channel(r.approvalChannel())
                        .ts(r.approvalTs())
                        .text("Key rotation " + r.id() + " for " + r.iamUser())
                        .blocks(KeyBlocks.rotationApproval(r))));
    if (r.state() == RotationState.APPROVED) {
      List<LayoutBlock> blocks =
          new java.util.ArrayList<>(
              Blocks.text(
                  "Your rotation "
                      + r.id()
                      + " of `"
                      + r.iamUser()
                      + "` was approved by "
                      + user(r.decidedBy())
                      + ". Rotate when you are ready to move to the new key."));
      blocks.add(
          Blocks.buttons(
              "rotation",
              Blocks.button(Ids.ACTION_ROTATE_PROMPT, "Rotate", "primary", r.iamUser())));
      post(r.ownerId(), blocks);
    } else {
      post(
          r.ownerId(),
          Blocks.text(
              "Your rotation "
                  + r.id()
                  + " of `"
                  + r.iamUser()
                  + "` was denied by "
                  + user(r.decidedBy())
                  + ". Nothing changed."));
    }
  }

  @Override
  public void keyDeactivated(String iamUser, String keyId, String ownerId, String actor) {
    String what = "Access key `" + keyId + "` of IAM user `" + iamUser + "`";
    post(
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
    post(ownerId, blocks);
  }

  @Override
  public void oldKeyStillUsed(
      String iamUser, String oldKeyId, String ownerId, KeyUse lastUse, Instant postponedTo) {
    post(
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
    post(ownerId, blocks);
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
    post(ownerId, blocks);
  }

  private void post(String channel, List<LayoutBlock> blocks) {
    SlackNotifier.call(
        "chat.postMessage",
        () ->
            slack.chatPostMessage(
                m -> m.channel(channel).text("Keysmith: access keys").blocks(blocks)));
  }
}
