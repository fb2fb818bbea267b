package dev.keysmith.outbox;

/** The Web API calls the {@link Courier} delivers with. */
public interface SlackPoster {
  /** {@code chat.postMessage}; returns where the message went. */
  Posted post(String channel, String text, String blocks) throws DeliveryFailure;

  /**
   * {@code chat.postMessage} in the thread of the message at {@code parent}, shown in the channel
   * too; returns where the reply went.
   */
  Posted reply(Posted parent, String text, String blocks) throws DeliveryFailure;

  /** {@code chat.update} of the message at {@code where}. */
  void update(Posted where, String text, String blocks) throws DeliveryFailure;
}
