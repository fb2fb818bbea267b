package dev.keysmith.outbox;

import org.jspecify.annotations.Nullable;

/**
 * A stored message on its way: what the {@link Courier} delivers.
 *
 * @param id the store's id
 * @param version bumped each time a newer message for the same slot replaces the content, so a
 *     delivery of older content never marks newer content delivered
 * @param attempts deliveries tried so far that failed
 * @param message what to send
 * @param posted where the slot's message already is, so this delivery edits it; null to post
 * @param thread where the message this one answers in its thread is, once posted; null for none
 */
public record Parcel(
    long id,
    int version,
    int attempts,
    Message message,
    @Nullable Posted posted,
    @Nullable Posted thread) {

  /** The Web API method this delivery calls. */
  public String method() {
    return posted == null ? "chat.postMessage" : "chat.update";
  }
}
