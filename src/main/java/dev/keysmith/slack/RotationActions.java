package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.Rotation;
import dev.keysmith.rotation.RotationApproval;
import dev.keysmith.rotation.RotationJobs;
import dev.keysmith.rotation.RotationState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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
  private final Later later;
  private final Duration grace;
  private final Duration deleteAfter;
  private final Duration visibleFor;

  RotationActions(
      SlackRoutes.KeyFlows keys, SlackSecretChannel replies, Later later, KeysmithConfig config) {
    this.rotation = keys.rotation();
    this.approval = keys.approval();
    this.jobs = keys.jobs();
    this.replies = replies;
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
        (req, ctx) -> on(req, ctx, "approve-rotation", click -> decide(click, true)));
    app.blockAction(
        Ids.ACTION_ROTATION_DENY,
        (req, ctx) -> on(req, ctx, "deny-rotation", click -> decide(click, false)));
  }

  /** {@code /iam rotate-key [iam-user]} or, with {@code lost}, {@code /iam lost-key [iam-user]}. */
  Response command(
      SlashCommandRequest req, SlashCommandContext ctx, List<String> args, boolean lost) {
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
    return on(
        req,
        ctx,
        "rotate-key",
        (click) -> {
          KeyRotation.Plan plan = rotation.plan(click.actor, Optional.of(click.value), false);
          replies.reply(click.url, "Rotate an access key", prompt(plan));
          return null;
        });
  }

  private Response rotate(BlockActionRequest req, ActionContext ctx) {
    return on(
        req,
        ctx,
        "rotate",
        click -> {
          KeyChoice choice = KeyChoice.decode(click.value);
          Rotation r =
              rotation.rotate(
                  click.actor, choice.iamUser(), choice.keyId(), choice.lost(), click.url);
          if (r.state() == RotationState.AWAITING_APPROVAL) {
            replies.tell(
                click.url,
                "Rotations need an approver's go-ahead here. Rotation "
                    + r.id()
                    + " is in the approvals channel; I'll message you when it is decided.");
          }
          return null;
        });
  }

  private Response deleteForRoom(BlockActionRequest req, ActionContext ctx) {
    return on(
        req,
        ctx,
        "delete-key",
        click -> {
          KeyChoice choice = KeyChoice.decode(click.value);
          if (choice.keyId() == null) {
            throw new KeysmithException("That button does not say which key to delete.");
          }
          KeyRotation.Plan plan =
              rotation.deleteToMakeRoom(
                  click.actor, choice.iamUser(), choice.keyId(), choice.lost());
          replies.replace(click.url, "Rotate an access key", prompt(plan));
          return null;
        });
  }

  private Response deactivateOldNow(BlockActionRequest req, ActionContext ctx) {
    return on(
        req,
        ctx,
        "deactivate-old-key",
        click -> {
          jobs.deactivateOldNow(click.value, click.actor);
          replies.tell(click.url, ":lock: The old key is deactivated.");
          return null;
        });
  }

  private Void decide(Click click, boolean approve) {
    approval.decide(click.value, click.actor, approve);
    return null;
  }

  private List<LayoutBlock> prompt(KeyRotation.Plan plan) {
    return KeyBlocks.rotationPrompt(plan, grace, deleteAfter, visibleFor);
  }

  private Response on(
      BlockActionRequest req, ActionContext ctx, String what, Function<Click, Void> work) {
    Click click =
        new Click(
            Clicks.requestId(req),
            req.getPayload().getUser().getId(),
            req.getPayload().getResponseUrl());
    later.run(what, click.value, click.url, () -> work.apply(click));
    return ctx.ack();
  }

  /** What a handler needs of a click: the button's value, who clicked, where to answer. */
  private record Click(String value, String actor, String url) {}
}
