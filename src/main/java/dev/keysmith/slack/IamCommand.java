package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.iam.IamDirectory;
import java.util.List;
import java.util.Locale;

/** {@code /iam}: help, and {@code create-user}, which opens the request modal. */
final class IamCommand {
  private final IamDirectory directory;
  private final KeyCommands keys;
  private final LinkActions links;
  private final RotationActions rotations;
  private final SlackWebApi slack;
  private final Later later;

  IamCommand(
      IamDirectory directory,
      KeyCommands keys,
      LinkActions links,
      RotationActions rotations,
      SlackWebApi slack,
      Later later) {
    this.directory = directory;
    this.keys = keys;
    this.links = links;
    this.rotations = rotations;
    this.slack = slack;
    this.later = later;
  }

  void register(App app) {
    app.command(Ids.COMMAND, this::handle);
  }

  Response handle(SlashCommandRequest req, SlashCommandContext ctx) {
    String text = req.getPayload().getText() == null ? "" : req.getPayload().getText().strip();
    List<String> words = text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
    String sub = words.isEmpty() ? "" : words.get(0).toLowerCase(Locale.ROOT);
    List<String> args = words.isEmpty() ? List.of() : words.subList(1, words.size());
    switch (sub) {
      case "keys" -> {
        return keys.keys(req, ctx, args);
      }
      case "deactivate-key" -> {
        return keys.deactivateKey(req, ctx, args);
      }
      case "link" -> {
        return links.command(req, ctx, args);
      }
      case "rotate-key" -> {
        return rotations.command(req, ctx, args, /* lost= */ false);
      }
      case "lost-key" -> {
        return rotations.command(req, ctx, args, /* lost= */ true);
      }
      case "", "help" -> {
        return ctx.ack(Blocks.help(null));
      }
      case "create-user" -> {
        List<String> groups;
        try {
          groups = directory.offeredGroups();
        } catch (KeysmithException e) {
          return ctx.ack("Keysmith cannot open the form right now: " + e.getMessage());
        }
        if (groups.isEmpty()) {
          return ctx.ack(
              "None of the groups Keysmith is set up to offer exists in IAM yet, so there is"
                  + " nothing to request. Ask a Keysmith admin to check the `groups` setting.");
        }
        String requester = req.getPayload().getUserId();
        String trigger = req.getPayload().getTriggerId();
        later.run(
            "views.open",
            "create-user",
            req.getPayload().getResponseUrl(),
            () ->
                SlackNotifier.call(
                    "views.open",
                    () ->
                        slack.viewsOpen(
                            v ->
                                v.triggerId(trigger)
                                    .view(Blocks.createUserModal(requester, groups)))));
        return ctx.ack();
      }
      default -> {
        return ctx.ack(Blocks.help(sub));
      }
    }
  }
}
