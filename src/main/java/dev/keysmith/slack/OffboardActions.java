package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.offboard.OffboardService;
import dev.keysmith.offboard.Offboarding;
import java.util.List;

/**
 * {@code /iam delete-user <iam-user>} and the buttons of its plan. The command changes nothing: it
 * shows the plan, ephemerally; Delete user (a click on that plan, checked again on the server)
 * starts the offboarding and replaces the plan with what became of it.
 */
final class OffboardActions {
  private final OffboardService offboarding;
  private final SlackSecretChannel replies;
  private final Clicks clicks;
  private final Later later;

  OffboardActions(
      OffboardService offboarding, SlackSecretChannel replies, Clicks clicks, Later later) {
    this.offboarding = offboarding;
    this.replies = replies;
    this.clicks = clicks;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_DELETE_USER, this::delete);
    app.blockAction(Ids.ACTION_DELETE_USER_CANCEL, this::cancel);
    app.blockAction(Ids.ACTION_DELETE_USER_PROMPT, this::prompt);
  }

  /** Delete now, on the warning that a time-bound user ends: the plan, as the command shows it. */
  private Response prompt(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "delete-user",
        v -> Untrusted.iamUser(v, Untrusted.BUTTON),
        (user, click) ->
            replies.reply(
                click.responseUrl(),
                "Delete IAM user " + user + "?",
                OffboardBlocks.plan(offboarding.plan(user, click.actor()))));
  }

  /** {@code /iam delete-user <iam-user>}: acks, then reads the plan from IAM and shows it. */
  Response command(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
    if (args.size() != 1 || !Untrusted.isIamUser(args.get(0))) {
      return ctx.ack("Tell me which IAM user: `/iam delete-user <iam-user>`.");
    }
    String user = args.get(0);
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    later.run(
        "delete-user",
        user,
        url,
        () ->
            replies.reply(
                url,
                "Delete IAM user " + user + "?",
                OffboardBlocks.plan(offboarding.plan(user, actor))));
    return ctx.ack();
  }

  private Response delete(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "delete-user",
        v -> Untrusted.iamUser(v, Untrusted.BUTTON),
        (user, click) -> {
          Offboarding o = offboarding.delete(user, click.actor());
          String text = OffboardBlocks.outcome(o);
          replies.replace(click.responseUrl(), Outgoing.plain(text), Blocks.text(text));
        });
  }

  private Response cancel(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "cancel-delete-user",
        v -> Untrusted.iamUser(v, Untrusted.BUTTON),
        (user, click) -> {
          String text = "Nothing was deleted; `" + Mrkdwn.escape(user) + "` stays as it is.";
          replies.replace(click.responseUrl(), Outgoing.plain(text), Blocks.text(text));
        });
  }
}
