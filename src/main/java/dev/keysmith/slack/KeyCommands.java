package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyView;
import java.util.List;
import java.util.Optional;

/**
 * {@code /iam keys} and {@code /iam deactivate-key}, and the Deactivate button. Each acks at once;
 * the IAM work and the answer (ephemeral, through the response_url) follow.
 */
final class KeyCommands {
  /** The answer to a command argument that cannot be an IAM user's name. */
  static final String NOT_AN_IAM_USER =
      "That is not an IAM user name: IAM user names are 1–64 letters, digits and + = , . @ _ -.";

  private final KeyCare care;
  private final SlackSecretChannel replies;
  private final Clicks clicks;
  private final Later later;

  KeyCommands(KeyCare care, SlackSecretChannel replies, Clicks clicks, Later later) {
    this.care = care;
    this.replies = replies;
    this.clicks = clicks;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_DEACTIVATE_KEY, this::deactivateClicked);
  }

  /** {@code /iam keys [iam-user]}. */
  Response keys(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
    if (!args.isEmpty() && !Untrusted.isIamUser(args.get(0))) {
      return ctx.ack(NOT_AN_IAM_USER + " Try `/iam keys` for all of yours.");
    }
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    Optional<String> user = args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
    later.run(
        "keys",
        user.orElse(actor),
        url,
        () -> {
          List<KeyView> keys = care.keys(actor, user);
          String whose = user.map(u -> "`" + u + "`").orElse("your IAM users");
          replies.reply(url, "Access keys of " + whose, KeyBlocks.keyList(keys, whose));
        });
    return ctx.ack();
  }

  /** {@code /iam deactivate-key KEY-ID}: the panic button, no approval needed. */
  Response deactivateKey(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
    if (args.size() != 1 || !Untrusted.isAccessKeyId(args.get(0))) {
      return ctx.ack(
          "Tell me which key: `/iam deactivate-key AKIA…` (the access key id, not the secret).");
    }
    String key = args.get(0);
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    later.run("deactivate-key", key, url, () -> deactivate(key, actor, url));
    return ctx.ack();
  }

  private Response deactivateClicked(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "deactivate-key",
        v -> Untrusted.accessKeyId(v, Untrusted.BUTTON),
        (key, click) -> deactivate(key, click.actor(), click.responseUrl()),
        (key, actor) -> {
          care.deactivate(key, actor);
          return ":lock: Access key `"
              + key
              + "` is deactivated. Its owner and the approvers have been told.";
        });
  }

  private void deactivate(String key, String actor, String url) {
    care.deactivate(key, actor);
    replies.tell(
        url,
        ":lock: Access key `"
            + key
            + "` is deactivated. Its owner and the approvers have been told.");
  }
}
