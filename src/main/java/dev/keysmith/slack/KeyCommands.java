package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyView;
import dev.keysmith.rotation.Ownership;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /iam keys}, {@code /iam deactivate-key} and {@code /iam link}, and the Deactivate button.
 * Each acks at once; the IAM work and the answer (ephemeral, through the response_url) follow.
 */
final class KeyCommands {
  /** A mention as Slack sends it in a command with escaping on: {@code <@U123ABC|name>}. */
  private static final Pattern MENTION = Pattern.compile("<@([UW][A-Z0-9]+)(?:\\|[^>]*)?>");

  private static final Pattern KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");

  private final KeyCare care;
  private final Ownership ownership;
  private final SlackSecretChannel replies;
  private final Later later;

  KeyCommands(KeyCare care, Ownership ownership, SlackSecretChannel replies, Later later) {
    this.care = care;
    this.ownership = ownership;
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

  /** {@code /iam link IAM-USER @someone}: approvers only. */
  Response link(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
    Matcher mention = args.size() == 2 ? MENTION.matcher(args.get(1)) : null;
    if (mention == null || !mention.matches()) {
      return ctx.ack("Usage: `/iam link &lt;iam-user&gt; @someone` (approvers only).");
    }
    String iamUser = args.get(0);
    String owner = mention.group(1);
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    later.run(
        "link",
        iamUser,
        url,
        () -> {
          ownership.link(iamUser, owner, actor);
          replies.tell(
              url,
              "IAM user `"
                  + iamUser
                  + "` now belongs to "
                  + Mrkdwn.user(owner)
                  + ": they can list, rotate and deactivate its keys.");
        });
    return ctx.ack();
  }
}
