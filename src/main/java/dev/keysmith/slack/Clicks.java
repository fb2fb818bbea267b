package dev.keysmith.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.Refusal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reading a button click: who clicked, where to answer and the button's value, each through {@link
 * Untrusted}; never the message the payload may carry (it may be absent or stale). A click that
 * fails a check is refused before any work, and nothing else happens.
 */
final class Clicks {
  private final SlackSecretChannel replies;
  private final Later later;

  Clicks(SlackSecretChannel replies, Later later) {
    this.replies = replies;
    this.later = later;
  }

  /** A click Keysmith can act on: a Slack user id, and a response_url of Slack's. */
  record Click(String actor, String responseUrl) {}

  /** Reads a button value into what a listener acts on, or refuses it. */
  interface Decoder<T> {
    T decode(@Nullable String value);
  }

  /** A listener's work after the ack, with the decoded value and the click. */
  interface Work<T> {
    void run(T value, Click click);
  }

  /**
   * Acks the click and runs {@code work} after the ack on the value {@code decoder} reads. A click
   * whose response_url is not Slack's is refused with nothing sent anywhere; one with a malformed
   * clicker or value is refused through its response_url.
   */
  <T> Response handle(
      BlockActionRequest req, ActionContext ctx, String what, Decoder<T> decoder, Work<T> work) {
    return handleAction(req, ctx, what, a -> decoder.decode(a == null ? null : a.getValue()), work);
  }

  /** Reads the clicked element (its block id, a selected user...) into what a listener acts on. */
  interface ActionDecoder<T> {
    T decode(BlockActionPayload.@Nullable Action action);
  }

  /** {@link #handle}, for an element whose meaning is more than its value: a picker, say. */
  <T> Response handleAction(
      BlockActionRequest req,
      ActionContext ctx,
      String what,
      ActionDecoder<T> decoder,
      Work<T> work) {
    BlockActionPayload payload = req.getPayload();
    String raw = value(payload);
    String url = payload.getResponseUrl();
    if (url == null || !replies.accepts(url)) {
      later.refuse(what, raw, null, Untrusted.malformed(Untrusted.RESPONSE_URL));
      return ctx.ack();
    }
    Click click;
    T value;
    try {
      click =
          new Click(
              Untrusted.userId(payload.getUser() == null ? null : payload.getUser().getId()), url);
      value = decoder.decode(action(payload));
    } catch (Refusal r) {
      later.refuse(what, raw, url, r);
      return ctx.ack();
    }
    later.run(what, raw, url, () -> work.run(value, click));
    return ctx.ack();
  }

  /** The clicked element (Bolt routes a click by its one action), or null. */
  private static BlockActionPayload.@Nullable Action action(BlockActionPayload payload) {
    List<BlockActionPayload.Action> actions = payload.getActions();
    return actions == null || actions.isEmpty() ? null : actions.get(0);
  }

  /** The clicked button's value (Bolt routes a click by its one action), or null. */
  private static @Nullable String value(BlockActionPayload payload) {
    List<BlockActionPayload.Action> actions = payload.getActions();
    return actions == null || actions.isEmpty() || actions.get(0) == null
        ? null
        : actions.get(0).getValue();
  }
}
