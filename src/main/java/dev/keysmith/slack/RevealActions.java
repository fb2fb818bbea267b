package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.delivery.CredentialDelivery;
import dev.keysmith.delivery.SecretReveal;

/**
 * The owner's path to the secret: Get credentials (in the DM) → Reveal now (ephemeral, mints and
 * shows) → Hide. Each click is acted on by request id, after checking the clicker is the owner.
 */
final class RevealActions {
  private final CredentialDelivery delivery;
  private final SecretReveal reveal;
  private final Clicks clicks;

  RevealActions(CredentialDelivery delivery, SecretReveal reveal, Clicks clicks) {
    this.delivery = delivery;
    this.reveal = reveal;
    this.clicks = clicks;
  }

  void register(App app) {
    Clicks.Decoder<String> requestId = v -> Untrusted.requestId(v, Untrusted.BUTTON);
    // On the Home tab, Get credentials cannot reveal (a view has no response_url, and a secret is
    // never put in a view): it sends the owner to the offer in their direct messages.
    app.blockAction(
        Ids.ACTION_GET_CREDENTIALS,
        (req, ctx) ->
            clicks.handle(
                req,
                ctx,
                "offer",
                requestId,
                (id, click) -> delivery.offer(id, click.actor(), click.responseUrl()),
                (id, actor) ->
                    "Your credentials for request "
                        + id
                        + " wait in your direct messages with Keysmith: open its Messages tab"
                        + " and click *Get credentials* on that message. A secret is shown only"
                        + " in a message only you can see, never on the Home tab."));
    app.blockAction(
        Ids.ACTION_REVEAL, (req, ctx) -> on(req, ctx, "reveal", requestId, delivery::reveal));
    // Hide is on both a new user's and a rotated key's secret: a request or a rotation id.
    app.blockAction(
        Ids.ACTION_HIDE,
        (req, ctx) -> on(req, ctx, "hide", Untrusted::secretSubject, reveal::hide));
  }

  private Response on(
      BlockActionRequest req,
      ActionContext ctx,
      String what,
      Clicks.Decoder<String> subject,
      Step step) {
    return clicks.handle(
        req, ctx, what, subject, (id, click) -> step.run(id, click.actor(), click.responseUrl()));
  }

  /** One step of the reveal, by request id, clicker and the click's response_url. */
  private interface Step {
    void run(String requestId, String actor, String responseUrl);
  }
}
