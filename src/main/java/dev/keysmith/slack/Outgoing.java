package dev.keysmith.slack;

import com.google.gson.Gson;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import dev.keysmith.outbox.Message;
import dev.keysmith.outbox.Outbox;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one way Keysmith's notifiers send a Slack message: rendered now, left in the outbox (in the
 * caller's transaction), delivered by the courier. Never given a secret.
 */
final class Outgoing {
  private static final Gson GSON = GsonFactory.createSnakeCase();

  private final Outbox outbox;

  Outgoing(Outbox outbox) {
    this.outbox = outbox;
  }

  /** The slot of the approvals-channel message of a request, rotation or link. */
  static String approvalSlot(String id) {
    return "approval:" + id;
  }

  /** The slot of the owner's offer of credentials for request {@code id}. */
  static String offerSlot(String id) {
    return "offer:" + id;
  }

  /** A direct message from the bot to {@code userId} (posting to a user id opens the DM). */
  void dm(String purpose, String about, String userId, String fallback, List<LayoutBlock> blocks) {
    send(purpose, about, userId, null, fallback, blocks);
  }

  /** A direct message of one {@code mrkdwn} section, its plain text as the fallback. */
  void dm(String purpose, String about, String userId, String mrkdwn) {
    dm(purpose, about, userId, plain(mrkdwn), Blocks.text(mrkdwn));
  }

  /**
   * A message to {@code channel}; with a {@code slot}, the slot's message is posted once and then
   * edited into each later state.
   */
  void send(
      String purpose,
      String about,
      String channel,
      @Nullable String slot,
      String fallback,
      List<LayoutBlock> blocks) {
    outbox.send(new Message(purpose, about, channel, slot, fallback, GSON.toJson(blocks)));
  }

  /**
   * A message to {@code channel} in the thread of the slot {@code threadOf}'s message, shown in the
   * channel too; a plain post when that message was never posted.
   */
  void reply(
      String purpose,
      String about,
      String channel,
      String threadOf,
      String fallback,
      List<LayoutBlock> blocks) {
    outbox.send(
        new Message(purpose, about, channel, null, fallback, GSON.toJson(blocks), threadOf));
  }

  /** Mrkdwn without its quote marks and code ticks, for notification text. */
  static String plain(String mrkdwn) {
    return mrkdwn.replace("&gt; ", "").replace("`", "");
  }
}
