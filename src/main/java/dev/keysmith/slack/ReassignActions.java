package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.rotation.LinkRequest;
import dev.keysmith.rotation.LinkService;

/**
 * Reassign owner, on the approvals channel's list of a leaver's users: a picker, ephemerally, whose
 * choice is a link request like {@code /iam link}, so another approver decides.
 */
final class ReassignActions {
  private final LinkService links;
  private final SlackSecretChannel replies;
  private final Clicks clicks;

  ReassignActions(LinkService links, SlackSecretChannel replies, Clicks clicks) {
    this.links = links;
    this.replies = replies;
    this.clicks = clicks;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_REASSIGN, this::prompt);
    app.blockAction(Ids.ACTION_REASSIGN_TO, this::chosen);
  }

  private Response prompt(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "reassign",
        v -> Untrusted.iamUser(v, Untrusted.BUTTON),
        (user, click) ->
            replies.reply(click.responseUrl(), "Reassign " + user, Blocks.reassignPrompt(user)));
  }

  /** The IAM user (from the picker's block) and its new owner. */
  private record Choice(String iamUser, String owner) {}

  private Response chosen(BlockActionRequest req, ActionContext ctx) {
    return clicks.handleAction(
        req,
        ctx,
        "reassign",
        a -> {
          String block = a == null ? null : a.getBlockId();
          String user =
              block != null && block.startsWith(Ids.BLOCK_REASSIGN_PREFIX)
                  ? block.substring(Ids.BLOCK_REASSIGN_PREFIX.length())
                  : null;
          return new Choice(
              Untrusted.iamUser(user, Untrusted.BUTTON),
              Untrusted.userId(a == null ? null : a.getSelectedUser()));
        },
        (choice, click) -> {
          LinkRequest l = links.ask(click.actor(), choice.iamUser(), choice.owner());
          String text =
              "Asked for "
                  + Mrkdwn.user(choice.owner())
                  + " to own `"
                  + choice.iamUser()
                  + "`: link request "
                  + l.id()
                  + " waits in the approvals channel for an approver other than you and them.";
          replies.replace(click.responseUrl(), Outgoing.plain(text), Blocks.text(text));
        });
  }
}
