package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.SlackIds;
import dev.keysmith.rotation.LinkRequest;
import dev.keysmith.rotation.LinkService;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /iam link}, which asks for a link, and Approve and Deny on its approvals message. Who may
 * decide is checked by the workflow on the server for every click, whatever buttons a client shows.
 */
final class LinkActions {
  /**
   * A mention as Slack sends it in a command with escaping on: {@code <@U123ABC|name>}; what it
   * names must still be a Slack user id ({@link SlackIds}).
   */
  private static final Pattern MENTION = Pattern.compile("<@([^|>]*)(?:\\|[^>]*)?>");

  private static final String USAGE =
      "Usage: `/iam link &lt;iam-user&gt; @someone` asks for someone (or you) to own an existing"
          + " IAM user; an approver other than you and them decides.";

  private final LinkService links;
  private final SlackSecretChannel replies;
  private final Clicks clicks;
  private final Later later;

  LinkActions(LinkService links, SlackSecretChannel replies, Clicks clicks, Later later) {
    this.links = links;
    this.replies = replies;
    this.clicks = clicks;
    this.later = later;
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_LINK_APPROVE, this::approve);
    app.blockAction(Ids.ACTION_LINK_DENY, this::deny);
  }

  /** {@code /iam link IAM-USER @someone}: anyone may ask; nothing changes until approved. */
  Response command(SlashCommandRequest req, SlashCommandContext ctx, List<String> args) {
    Matcher mention = args.size() == 2 ? MENTION.matcher(args.get(1)) : null;
    if (mention == null || !mention.matches()) {
      return ctx.ack(USAGE);
    }
    if (!Untrusted.isIamUser(args.get(0))) {
      return ctx.ack(KeyCommands.NOT_AN_IAM_USER);
    }
    if (!SlackIds.isUserId(mention.group(1))) {
      return ctx.ack(
          "Keysmith cannot read that mention as a Slack user. Mention one person: `/iam link"
              + " &lt;iam-user&gt; @someone`.");
    }
    String iamUser = args.get(0);
    String owner = mention.group(1);
    // IamCommand has already read the person and the response_url through Untrusted.
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    later.run(
        "link",
        iamUser,
        url,
        () -> {
          LinkRequest r = links.ask(actor, iamUser, owner);
          replies.tell(
              url,
              "Link request "
                  + r.id()
                  + " waits in the approvals channel: when an approver other than you and "
                  + Mrkdwn.user(owner)
                  + " approves it, `"
                  + iamUser
                  + "` will belong to "
                  + Mrkdwn.user(owner)
                  + ". I'll message you when it is decided.");
        });
    return ctx.ack();
  }

  private Response approve(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "approve-link",
        v -> Untrusted.linkId(v, Untrusted.BUTTON),
        (id, click) -> links.approve(id, click.actor()));
  }

  private Response deny(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "deny-link",
        v -> Untrusted.linkId(v, Untrusted.BUTTON),
        (id, click) -> links.deny(id, click.actor()));
  }
}
