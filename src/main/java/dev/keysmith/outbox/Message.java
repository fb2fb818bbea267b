package dev.keysmith.outbox;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Slack message to deliver. Never put a secret in one: it is stored in plain text until Slack has
 * it, and its purpose, subject and channel are logged.
 *
 * @param purpose what the message is for, like {@code request.approval}; a {@link Receipt} is found
 *     by it, and logs and audit events name it
 * @param about the id of what it is about (a request, a rotation, an IAM user)
 * @param channel a channel id, or a user id for a direct message from the bot
 * @param slot when set, names one Slack message that is kept current: the first delivery posts it,
 *     later ones edit it in place, and a newer message for the slot replaces one not yet delivered,
 *     so only the latest state is ever sent
 * @param text the notification text (and what screen readers say)
 * @param blocks the Block Kit blocks as a JSON array
 * @param threadOf when set, the slot of a message this one answers in its thread (and shows in the
 *     channel too); posted on its own when that message was never posted
 */
public record Message(
    String purpose,
    String about,
    String channel,
    @Nullable String slot,
    String text,
    String blocks,
    @Nullable String threadOf) {

  public Message {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(about, "about");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(blocks, "blocks");
  }

  /** A message that answers no thread. */
  public Message(
      String purpose,
      String about,
      String channel,
      @Nullable String slot,
      String text,
      String blocks) {
    this(purpose, about, channel, slot, text, blocks, null);
  }

  /**
   * Messages wait behind earlier ones in the same lane: their slot's, else (for an answer in a
   * thread) the slot of the message they answer, so an answer never overtakes its message, else
   * their channel's.
   */
  public String lane() {
    if (slot != null) {
      return slot;
    }
    return threadOf != null ? threadOf : channel;
  }

  // The text is nobody's business in a log line.
  @Override
  public String toString() {
    return "Message[" + purpose + " about " + about + " to " + channel + "]";
  }
}
