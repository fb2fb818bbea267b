package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.core.Refusal;
import dev.keysmith.request.Notifier.MessageRef;
import dev.keysmith.rotation.LinkNotifier;
import dev.keysmith.rotation.LinkRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@link LinkNotifier} over the Slack Web API: the approvals channel and direct messages. */
public final class SlackLinkNotifier implements LinkNotifier {
  private final SlackWebApi slack;
  private final String approvalsChannel;

  public SlackLinkNotifier(SlackWebApi slack, String approvalsChannel) {
    this.slack = slack;
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public MessageRef postForApproval(LinkRequest r) {
    ChatPostMessageResponse response =
        SlackNotifier.call(
            "chat.postMessage",
            () ->
                slack.chatPostMessage(
                    m ->
                        m.channel(approvalsChannel)
                            .text(fallback(r))
                            .blocks(KeyBlocks.linkApproval(r, null))));
    return new MessageRef(response.getChannel(), response.getTs());
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
    dm(r.requesterId(), about(r) + " was denied by " + user(r.decidedBy()) + ". Nothing changed.");
  }

  @Override
  public void expired(LinkRequest r) {
    dm(
        r.requesterId(),
        about(r)
            + " expired before an approver decided it. Nothing changed; ask again with `/iam"
            + " link` if it is still needed.");
  }

  @Override
  public void stopped(LinkRequest r, Refusal why) {
    String reason = Refusals.text(why);
    update(r, reason);
    dm(r.requesterId(), about(r) + " did not go ahead: " + reason);
  }

  @Override
  public void failed(LinkRequest r) {
    dm(
        r.requesterId(),
        about(r)
            + " was approved, but IAM refused the owner tag, so nothing changed:\n"
            + Mrkdwn.quote(r.outcome()));
  }

  private void update(LinkRequest r, @Nullable String why) {
    String channel = r.approvalChannel();
    String ts = r.approvalTs();
    if (channel == null || ts == null) {
      return;
    }
    SlackNotifier.call(
        "chat.update",
        () ->
            slack.chatUpdate(
                m ->
                    m.channel(channel)
                        .ts(ts)
                        .text(fallback(r))
                        .blocks(KeyBlocks.linkApproval(r, why))));
  }

  private void dm(String userId, String mrkdwn) {
    List<LayoutBlock> blocks = Blocks.text(mrkdwn);
    // Posting to a user id delivers to the bot's DM with that user.
    SlackNotifier.call(
        "chat.postMessage",
        () ->
            slack.chatPostMessage(
                m -> m.channel(userId).text("Keysmith: link request").blocks(blocks)));
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
