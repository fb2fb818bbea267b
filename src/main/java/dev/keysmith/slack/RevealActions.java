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
  private final Later later;

  RevealActions(CredentialDelivery delivery, SecretReveal reveal, Later later) {
    this.delivery = delivery;
    this.reveal = reveal;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(
        Ids.ACTION_GET_CREDENTIALS, (req, ctx) -> on(req, ctx, "offer", delivery::offer));
    app.blockAction(Ids.ACTION_REVEAL, (req, ctx) -> on(req, ctx, "reveal", delivery::reveal));
    app.blockAction(Ids.ACTION_HIDE, (req, ctx) -> on(req, ctx, "hide", reveal::hide));
  }

  private Response on(BlockActionRequest req, ActionContext ctx, String what, Step step) {
    String id = Clicks.requestId(req);
    String actor = req.getPayload().getUser().getId();
    String responseUrl = req.getPayload().getResponseUrl();
    later.run(what, id, responseUrl, () -> step.run(id, actor, responseUrl));
    return ctx.ack();
  }

  /** One step of the reveal, by request id, clicker and the click's response_url. */
  private interface Step {
    void run(String requestId, String actor, String responseUrl);
  }
}
