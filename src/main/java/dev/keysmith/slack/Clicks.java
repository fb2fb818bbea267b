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
  private final HomeTab home;

  Clicks(SlackSecretChannel replies, Later later, HomeTab home) {
    this.replies = replies;
    this.later = later;
    this.home = home;
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

  /**
   * A listener's work for a click on the Home tab, which has no response_url: it returns what to
   * tell the clicker at the top of their refreshed tab, or null for nothing. It never shows a
   * secret: those are shown only through a response_url.
   */
  interface HomeWork<T> {
    @Nullable String run(T value, String actor);
  }

  /**
   * {@link #handle} for a button that is on the Home tab too: a click there runs {@code onHome}
   * with the same checks, and its outcome (or refusal) is told at the top of the clicker's
   * refreshed tab.
   */
  <T> Response handle(
      BlockActionRequest req,
      ActionContext ctx,
      String what,
      Decoder<T> decoder,
      Work<T> work,
      HomeWork<T> onHome) {
    if (!fromHome(req.getPayload())) {
      return handle(req, ctx, what, decoder, work);
    }
    return onHome(req, ctx, what, decoder, onHome);
  }

  /** A button only the Home tab has; a click anywhere else is refused. */
  <T> Response onHome(
      BlockActionRequest req,
      ActionContext ctx,
      String what,
      Decoder<T> decoder,
      HomeWork<T> onHome) {
    BlockActionPayload payload = req.getPayload();
    String raw = value(payload);
    String actor;
    try {
      if (!fromHome(payload)) {
        throw Untrusted.malformed(Untrusted.BUTTON);
      }
      actor = Untrusted.userId(payload.getUser() == null ? null : payload.getUser().getId());
    } catch (Refusal r) {
      later.refuse(what, raw, null, r);
      return ctx.ack();
    }
    T value;
    try {
      value = decoder.decode(raw);
    } catch (Refusal r) {
      later.refuse(what, raw, null, r);
      home.tell(actor, Refusals.text(r));
      return ctx.ack();
    }
    later.runTelling(
        what,
        raw,
        text -> home.tell(actor, text),
        () -> home.tell(actor, onHome.run(value, actor)));
    return ctx.ack();
  }

  /** Whether the click was on a Home tab: a view of type home, which carries no response_url. */
  static boolean fromHome(BlockActionPayload payload) {
    return payload.getContainer() != null
        && "view".equals(payload.getContainer().getType())
        && payload.getView() != null
        && "home".equals(payload.getView().getType());
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
