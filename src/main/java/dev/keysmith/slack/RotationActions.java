package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.Rotation;
import dev.keysmith.rotation.RotationApproval;
import dev.keysmith.rotation.RotationJobs;
import dev.keysmith.rotation.RotationState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code /iam rotate-key} and {@code /iam lost-key}, and the buttons of the rotation prompt. The
 * prompt changes nothing; Rotate (a click on that ephemeral prompt) mints and shows the new key
 * through the click's response_url, the only way to wipe it later.
 */
final class RotationActions {
  private final KeyRotation rotation;
  private final RotationApproval approval;
  private final RotationJobs jobs;
  private final SlackSecretChannel replies;
  private final SlackWebApi slack;
  private final Clicks clicks;
  private final Later later;
  private final Duration grace;
  private final Duration deleteAfter;
  private final Duration visibleFor;

  RotationActions(
      SlackRoutes.KeyFlows keys,
      SlackSecretChannel replies,
      SlackWebApi slack,
      Clicks clicks,
      Later later,
      KeysmithConfig config) {
    this.rotation = keys.rotation();
    this.approval = keys.approval();
    this.jobs = keys.jobs();
    this.replies = replies;
    this.slack = slack;
    this.clicks = clicks;
    this.later = later;
    this.grace = config.keyCare().rotationGracePeriod();
    this.deleteAfter = config.keyCare().deleteAfterDeactivation();
    this.visibleFor = config.secretVisibleFor();
  }

  void register(App app) {
    app.blockAction(Ids.ACTION_ROTATE_PROMPT, this::promptFromList);
    app.blockAction(Ids.ACTION_ROTATE, this::rotate);
    app.blockAction(Ids.ACTION_DELETE_FOR_ROOM, this::deleteForRoom);
    app.blockAction(Ids.ACTION_DEACTIVATE_OLD_NOW, this::deactivateOldNow);
    app.blockAction(
        Ids.ACTION_ROTATION_APPROVE,
        (req, ctx) ->
            clicks.handle(
                req,
                ctx,
                "approve-rotation",
                RotationActions::rotationId,
                (id, click) -> approval.decide(id, click.actor(), /* approve= */ true)));
    app.blockAction(
        Ids.ACTION_ROTATION_DENY,
        (req, ctx) ->
            clicks.handle(
                req,
                ctx,
                "deny-rotation",
                RotationActions::rotationId,
                (id, click) -> approval.decide(id, click.actor(), /* approve= */ false)));
  }

  /** {@code /iam rotate-key [iam-user]} or, with {@code lost}, {@code /iam lost-key [iam-user]}. */
  Response command(
      SlashCommandRequest req, SlashCommandContext ctx, List<String> args, boolean lost) {
    if (!args.isEmpty() && !Untrusted.isIamUser(args.get(0))) {
      return ctx.ack(KeyCommands.NOT_AN_IAM_USER);
    }
    String actor = req.getPayload().getUserId();
    String url = req.getPayload().getResponseUrl();
    Optional<String> user = args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
    later.run(
        "rotate-key",
        user.orElse(actor),
        url,
        () -> replies.reply(url, "Rotate an access key", prompt(rotation.plan(actor, user, lost))));
    return ctx.ack();
  }

  private Response promptFromList(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "rotate-key",
        v -> Untrusted.iamUser(v, Untrusted.BUTTON),
        (iamUser, click) -> {
          KeyRotation.Plan plan = rotation.plan(click.actor(), Optional.of(iamUser), false);
          replies.reply(click.responseUrl(), "Rotate an access key", prompt(plan));
        },
        this::promptFromHome);
  }

  /**
   * Rotate on the Home tab: a new key may only be shown through a response_url, which a Home tab
   * click lacks, so the owner gets a direct message whose Rotate button leads to the usual prompt.
   */
  private String promptFromHome(String iamUser, String actor) {
    rotation.plan(actor, Optional.of(iamUser), false);
    String text =
        "Rotate an access key of `"
            + iamUser
            + "`: the new key is shown in a message only you can see, so rotation starts here"
            + " rather than on the Home tab.";
    SlackWebApi.call(
        "chat.postMessage",
        () ->
            slack.chatPostMessage(
                m ->
                    m.channel(actor)
                        .text(Outgoing.plain(text))
                        .blocks(
                            List.of(
                                Blocks.text(text).get(0),
                                Blocks.buttons(
                                    "rotate",
                                    Blocks.button(
                                        Ids.ACTION_ROTATE_PROMPT,
                                        "Rotate",
                                        "primary",
                                        iamUser))))));
    return "I sent you a direct message to rotate a key of `"
        + iamUser
        + "`: open Keysmith's Messages tab.";
  }

  private Response rotate(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "rotate",
        KeyChoice::decode,
        (choice, click) -> {
          Rotation r =
              rotation.rotate(
                  click.actor(),
                  choice.iamUser(),
                  choice.keyId(),
                  choice.lost(),
                  click.responseUrl());
          if (r.state() == RotationState.AWAITING_APPROVAL) {
            replies.tell(
                click.responseUrl(),
                "Rotations need an approver's go-ahead here. Rotation "
                    + r.id()
                    + " is in the approvals channel; I'll message you when it is decided.");
          }
        });
  }

  private Response deleteForRoom(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "delete-key",
        RotationActions::keyToDelete,
        (choice, click) -> {
          KeyRotation.Plan plan =
              rotation.deleteToMakeRoom(
                  click.actor(), choice.iamUser(), choice.namedKey(), choice.lost());
          replies.replace(click.responseUrl(), "Rotate an access key", prompt(plan));
        });
  }

  private Response deactivateOldNow(BlockActionRequest req, ActionContext ctx) {
    return clicks.handle(
        req,
        ctx,
        "deactivate-old-key",
        RotationActions::rotationId,
        (id, click) -> {
          jobs.deactivateOldNow(id, click.actor());
          replies.tell(click.responseUrl(), ":lock: The old key is deactivated.");
        });
  }

  private static String rotationId(@Nullable String value) {
    return Untrusted.rotationId(value, Untrusted.BUTTON);
  }

  /** A "Delete … to make room" button names the key to delete; one without a key is malformed. */
  private static KeyChoice keyToDelete(@Nullable String value) {
    KeyChoice choice = KeyChoice.decode(value);
    choice.namedKey();
    return choice;
  }

  private List<LayoutBlock> prompt(KeyRotation.Plan plan) {
    return KeyBlocks.rotationPrompt(plan, grace, deleteAfter, visibleFor);
  }
}
