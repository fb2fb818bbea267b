package dev.keysmith.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.GlobalShortcutContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.GlobalShortcutRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.SlackIds;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.Policies;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /iam}: help, {@code create-user}, which opens the request modal, and the rest. */
final class IamCommand {
  private static final Logger log = LoggerFactory.getLogger(IamCommand.class);

  // A trigger id opens one modal and is good for 3 s; a command delivered twice carries the same
  // one, and must not open the form twice.
  private final Cache<String, Boolean> triggers =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(5)).maximumSize(10_000).build();
  private final IamDirectory directory;
  private final Policies policies;
  private final KeyCommands keys;
  private final LinkActions links;
  private final RotationActions rotations;
  private final OffboardActions offboarding;
  private final SlackWebApi slack;
  private final SlackSecretChannel replies;
  private final Later later;

  IamCommand(
      IamDirectory directory,
      Policies policies,
      KeyCommands keys,
      LinkActions links,
      RotationActions rotations,
      OffboardActions offboarding,
      SlackWebApi slack,
      SlackSecretChannel replies,
      Later later) {
    this.directory = directory;
    this.policies = policies;
    this.keys = keys;
    this.links = links;
    this.rotations = rotations;
    this.offboarding = offboarding;
    this.slack = slack;
    this.replies = replies;
    this.later = later;
  }

  void register(App app) {
    app.command(Ids.COMMAND, this::handle);
    app.globalShortcut(Ids.SHORTCUT_REQUEST_USER, this::shortcut);
  }

  Response handle(SlashCommandRequest req, SlashCommandContext ctx) {
    String text = req.getPayload().getText() == null ? "" : req.getPayload().getText().strip();
    List<String> words = text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
    String sub = words.isEmpty() ? "" : words.get(0).toLowerCase(Locale.ROOT);
    List<String> args = words.isEmpty() ? List.of() : words.subList(1, words.size());
    // Every subcommand after this reads the person and the response_url as checked here.
    Refusal unreadable = unreadable(req);
    if (unreadable != null) {
      later.refuse("/iam " + sub, text, null, unreadable);
      return ctx.ack(Refusals.text(unreadable));
    }
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
      case "delete-user" -> {
        return offboarding.command(req, ctx, args);
      }
      case "", "help" -> {
        return ctx.ack(Blocks.help(null));
      }
      case "create-user" -> {
        String url = req.getPayload().getResponseUrl();
        String refused =
            openForm(
                req.getPayload().getUserId(),
                req.getPayload().getTriggerId(),
                said -> replies.tell(url, said));
        return refused == null ? ctx.ack() : ctx.ack(refused);
      }
      default -> {
        return ctx.ack(Blocks.help(sub));
      }
    }
  }

  /** The global shortcut "Request an IAM user": the same form as {@code /iam create-user}. */
  Response shortcut(GlobalShortcutRequest req, GlobalShortcutContext ctx) {
    String trigger = req.getPayload().getTriggerId();
    String requester;
    try {
      requester =
          Untrusted.userId(
              req.getPayload().getUser() == null ? null : req.getPayload().getUser().getId());
    } catch (Refusal r) {
      later.refuse("shortcut", trigger, null, r);
      return ctx.ack();
    }
    // A shortcut has no response_url: whatever would have been a reply is a modal instead, which
    // the trigger can open when the form was not.
    Consumer<String> tell =
        text ->
            SlackWebApi.call(
                "views.open",
                () -> slack.viewsOpen(v -> v.triggerId(trigger).view(Blocks.noticeModal(text))));
    String refused = openForm(requester, trigger, tell);
    if (refused != null) {
      later.runTelling("shortcut", requester, t -> {}, () -> tell.accept(refused));
    }
    return ctx.ack();
  }

  /**
   * Opens the create-user form for {@code requester} after the ack, telling {@code tell} when their
   * policies leave them nothing to ask for; returns why it cannot open at all, or null.
   */
  private @Nullable String openForm(
      String requester, @Nullable String trigger, Consumer<String> tell) {
    List<String> groups;
    try {
      groups = directory.offeredGroups();
    } catch (KeysmithException e) {
      return "Keysmith cannot open the form right now: " + e.getMessage();
    }
    if (groups.isEmpty()) {
      return "None of the groups Keysmith is set up to offer exists in IAM yet, so there is"
          + " nothing to request. Ask a Keysmith admin to check the `groups` setting.";
    }
    if (trigger != null && triggers.asMap().putIfAbsent(trigger, Boolean.TRUE) != null) {
      log.info("create-user came again with trigger {}; not opened twice", LogSafe.value(trigger));
      return null;
    }
    later.runTelling(
        "views.open",
        "create-user",
        tell,
        () -> {
          // Only the groups the requester's policies let them ask for, and only the access
          // types those groups allow; the submission checks both again.
          List<String> theirs = policies.requestable(groups, requester);
          if (theirs.isEmpty()) {
            tell.accept(
                "The access policies of the groups Keysmith offers do not let you ask for"
                    + " any of them. Ask a Keysmith admin who may.");
            return;
          }
          Set<AccessType> types = EnumSet.noneOf(AccessType.class);
          theirs.forEach(g -> types.addAll(policies.of(g).accessTypes()));
          // The longest any of their groups allows; a group with no end allows any.
          Optional<Duration> longest =
              theirs.stream().anyMatch(g -> policies.of(g).maxLifetime().isEmpty())
                  ? Optional.empty()
                  : theirs.stream()
                      .map(g -> policies.of(g).maxLifetime().orElseThrow())
                      .max(Duration::compareTo);
          boolean breakGlass =
              theirs.stream().anyMatch(g -> policies.of(g).breakGlass().isPresent());
          SlackWebApi.call(
              "views.open",
              () ->
                  slack.viewsOpen(
                      v ->
                          v.triggerId(trigger)
                              .view(
                                  Blocks.createUserModal(
                                      requester, theirs, types, longest, breakGlass))));
        });
    return null;
  }

  /** Why a command cannot be acted on: not from a Slack user, or answered elsewhere than Slack. */
  private @Nullable Refusal unreadable(SlashCommandRequest req) {
    if (!replies.accepts(req.getPayload().getResponseUrl())) {
      return Untrusted.malformed(Untrusted.RESPONSE_URL);
    }
    if (!SlackIds.isUserId(req.getPayload().getUserId())) {
      return Untrusted.malformed(Untrusted.USER);
    }
    return null;
  }
}
