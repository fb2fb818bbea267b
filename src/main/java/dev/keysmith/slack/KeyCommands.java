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
import java.util.regex.Pattern;

/**
 * {@code /iam keys} and {@code /iam deactivate-key}, and the Deactivate button. Each acks at once;
 * the IAM work and the answer (ephemeral, through the response_url) follow.
 */
final class KeyCommands {
  private static final Pattern KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");

  private final KeyCare care;
  private final SlackSecretChannel replies;
  private final Later later;

  KeyCommands(KeyCare care, SlackSecretChannel replies, Later later) {
    this.care = care;
    this.replies = replies;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_DEACTIVATE_KEY, this::deactivateClicked);
  }

  /** {@code /iam keys [iam-user]}. */
  Response keys(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
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
    if (args.size() != 1 || !KEY_ID.matcher(args.get(0)).matches()) {
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
    String key = Clicks.requestId(req);
    String actor = req.getPayload().getUser().getId();
    String url = req.getPayload().getResponseUrl();
    later.run("deactivate-key", key, url, () -> deactivate(key, actor, url));
    return ctx.ack();
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
