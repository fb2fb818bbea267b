package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestState;
import java.io.IOException;
import java.util.List;

/** {@link Notifier} over the Slack Web API: the approvals channel and direct messages. */
public final class SlackNotifier implements Notifier {
  private final SlackWebApi slack;
  private final String approvalsChannel;

  public SlackNotifier(SlackWebApi slack, String approvalsChannel) {
    this.slack = slack;
    this.approvalsChannel = approvalsChannel;
  }

  @Override
  public MessageRef postForApproval(AccessRequest r) {
    ChatPostMessageResponse response =
        call(
            "chat.postMessage",
            () ->
                slack.chatPostMessage(
                    m ->
                        m.channel(approvalsChannel)
                            .text(Blocks.approvalText(r))
                            .blocks(Blocks.approval(r))));
    return new MessageRef(response.getChannel(), response.getTs());
  }

  @Override
  public void updateApproval(AccessRequest r) {
    if (r.approvalChannel() == null || r.approvalTs() == null) {
      return;
    }
    call(
        "chat.update",
        () ->
            slack.chatUpdate(
                m ->
                    m.channel(r.approvalChannel())
                        .ts(r.approvalTs())
                        .text(Blocks.approvalText(r))
                        .blocks(Blocks.approval(r))));
  }

  @Override
  public void requestReceived(AccessRequest r) {
    dm(
        r.requesterId(),
        "Your request "
            + r.id()
            + " for IAM user `"
            + r.iamUserName()
            + "` is waiting for approval in <#"
            + approvalsChannel
            + ">. I'll tell you when it is decided.");
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
    dm(r.requesterId(), text);
    if (!r.ownerId().equals(r.requesterId())) {
      dm(r.ownerId(), text);
    }
  }

  @Override
  public void requestFailed(AccessRequest r) {
    dm(
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
  public MessageRef credentialsOffered(AccessRequest r) {
    MessageRef offer =
        post(
            r.ownerId(),
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
                    + user(r.decidedBy())
                    + "."));
    if (!r.ownerId().equals(r.requesterId())) {
      dm(
          r.requesterId(),
          "Request "
              + r.id()
              + " was approved and IAM user `"
              + r.iamUserName()
              + "` created. "
              + user(r.ownerId())
              + " has been offered the credentials.");
    }
    return offer;
  }

  @Override
  public MessageRef revealInterrupted(AccessRequest r) {
    return post(
        r.ownerId(),
        "Revealing credentials for " + r.iamUserName() + " was interrupted",
        Blocks.offer(
            r,
            "Revealing the credentials of `"
                + r.iamUserName()
                + "` was interrupted, and what had been created was deleted unseen. You can"
                + " reveal them again."));
  }

  @Override
  public void offerExpired(AccessRequest r) {
    dm(
        r.ownerId(),
        "The offer of credentials for IAM user `"
            + r.iamUserName()
            + "` (request "
            + r.id()
            + ") expired before it was revealed. Ask an approver if you still need them.");
  }

  @Override
  public void offerClosed(AccessRequest r) {
    if (r.offerChannel() == null || r.offerTs() == null) {
      return;
    }
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
    call(
        "chat.update",
        () ->
            slack.chatUpdate(
                m ->
                    m.channel(r.offerChannel())
                        .ts(r.offerTs())
                        .text(plain(text))
                        .blocks(Blocks.text(text))));
  }

  private void dm(String userId, String mrkdwn) {
    post(userId, plain(mrkdwn), Blocks.text(mrkdwn));
  }

  private MessageRef post(String userId, String fallback, List<LayoutBlock> blocks) {
    // Posting to a user id delivers to the bot's DM with that user.
    ChatPostMessageResponse posted =
        call(
            "chat.postMessage",
            () -> slack.chatPostMessage(m -> m.channel(userId).text(fallback).blocks(blocks)));
    return new MessageRef(posted.getChannel(), posted.getTs());
  }

  private static String plain(String mrkdwn) {
    return mrkdwn.replace("&gt; ", "").replace("`", "");
  }

  /** Runs one Web API call and turns every failure into a {@link SlackCallException}. */
  static <T extends SlackApiTextResponse> T call(String method, SlackCall<T> call) {
    T response;
    try {
      response = call.run();
    } catch (IOException | SlackApiException e) {
      throw new SlackCallException(method + " failed: " + e.getClass().getSimpleName(), e);
    }
    if (!response.isOk()) {
      throw new SlackCallException(method + " failed: " + response.getError(), null);
    }
    return response;
  }

  /** One Web API call. */
  interface SlackCall<T> {
    T run() throws IOException, SlackApiException;
  }
}
