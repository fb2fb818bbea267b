package dev.keysmith.outbox;

/** The two Web API calls the {@link Courier} delivers with. */
public interface SlackPoster {
  /** {@code chat.postMessage}; returns where the message went. */
  Posted post(String channel, String text, String blocks) throws DeliveryFailure;

  /** {@code chat.update} of the message at {@code where}. */
  void update(Posted where, String text, String blocks) throws DeliveryFailure;
}
