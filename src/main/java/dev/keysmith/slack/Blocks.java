package dev.keysmith.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.input;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.option;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.asContextElements;
import static com.slack.api.model.block.element.BlockElements.asElements;
import static com.slack.api.model.block.element.BlockElements.checkboxes;
import static com.slack.api.model.block.element.BlockElements.externalSelect;
import static com.slack.api.model.block.element.BlockElements.plainTextInput;
import static com.slack.api.model.block.element.BlockElements.radioButtons;
import static com.slack.api.model.block.element.BlockElements.staticSelect;
import static com.slack.api.model.block.element.BlockElements.usersSelect;
import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewClose;
import static com.slack.api.model.view.Views.viewSubmit;
import static com.slack.api.model.view.Views.viewTitle;
import static dev.keysmith.slack.Mrkdwn.date;
import static dev.keysmith.slack.Mrkdwn.escape;
import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.ConfirmationDialogObject;
import com.slack.api.model.block.composition.OptionObject;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.ButtonElement;
import com.slack.api.model.view.View;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.RequestForm;
import dev.keysmith.request.RequestValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Block Kit for every surface Keysmith shows: the modals, the approvals message, the DMs. */
final class Blocks {
  /** Slack's limit on options in a static select; past it the group field becomes type-ahead. */
  static final int STATIC_SELECT_LIMIT = 100;

  private Blocks() {}

  static String help(@Nullable String unknown) {
    String intro =
        unknown == null
            ? "*Keysmith* hands out AWS IAM users safely."
            : "I don't know `" + escape(unknown) + "`.";
    return intro
        + "\n• `/iam create-user`: ask for a new IAM user (an approver must approve it)"
        + "\n• `/iam keys [iam-user]`: your IAM users' access keys, their age and last use"
        + "\n• `/iam rotate-key [iam-user]`: a new key; the old one stays active for a grace period"
        + "\n• `/iam lost-key [iam-user]`: lost the secret? a new key, the old one deactivated now"
        + "\n• `/iam deactivate-key &lt;key-id&gt;`: deactivate a leaked key now, no approval needed"
        + "\n• `/iam link &lt;iam-user&gt; @someone`: ask for someone (or you) to own an existing IAM"
        + " user; another approver decides"
        + "\n• `/iam delete-user &lt;iam-user&gt;`: delete an IAM user Keysmith manages and"
        + " everything it has, after you confirm the plan (its owner, or an approver)"
        + "\n• `/iam help`: this list";
  }

  static View createUserModal(String requesterId, List<String> groups) {
    return createUserModal(
        requesterId, groups, EnumSet.allOf(AccessType.class), Optional.empty(), false);
  }

  /** How long a user may be asked for, longest last; "no end" is offered apart. */
  static final List<Duration> LIFETIMES =
      List.of(
          Duration.ofHours(1),
          Duration.ofHours(4),
          Duration.ofHours(8),
          Duration.ofDays(1),
          Duration.ofDays(3),
          Duration.ofDays(7),
          Duration.ofDays(30),
          Duration.ofDays(90),
          Duration.ofDays(365));

  /**
   * The create-user form offering {@code groups}, the access types {@code types}, and lifetimes up
   * to {@code longest} (empty: any, and "no end").
   */
  static View createUserModal(
      String requesterId,
      List<String> groups,
      Set<AccessType> types,
      Optional<Duration> longest,
      boolean breakGlass) {
    List<OptionObject> lifetimes = lifetimeOptions(longest);
    if (longest.isEmpty()) {
      lifetimes.add(option(plainText("No end"), RequestForm.NO_END));
    }
    BlockElement groupElement =
        groups.size() <= STATIC_SELECT_LIMIT
            ? staticSelect(
                s ->
                    s.actionId(Ids.INPUT)
                        .placeholder(plainText("Choose a group"))
                        .options(groups.stream().map(Blocks::groupOption).toList()))
            : externalSelect(
                s ->
                    s.actionId(Ids.ACTION_GROUP_SUGGEST)
                        .placeholder(plainText("Type to search groups"))
                        .minQueryLength(0));
    List<OptionObject> typeOptions =
        Arrays.stream(AccessType.values())
            .filter(types::contains)
            .map(t -> option(plainText(t.label()), t.name()))
            .toList();
    List<LayoutBlock> fields =
        new ArrayList<>(
            List.of(
                field(
                    Ids.BLOCK_IAM_USER_NAME,
                    "IAM user name",
                    "1–64 letters, digits and + = , . @ _ -",
                    plainTextInput(
                        p ->
                            p.actionId(Ids.INPUT)
                                .maxLength(64)
                                .placeholder(plainText("e.g. alice.smith")))),
                field(Ids.BLOCK_GROUP, "Group", null, groupElement),
                field(
                    Ids.BLOCK_ACCESS_TYPE,
                    "Access type",
                    null,
                    radioButtons(
                        r ->
                            r.actionId(Ids.INPUT)
                                .options(typeOptions)
                                .initialOption(typeOptions.get(0)))),
                field(
                    Ids.BLOCK_OWNER,
                    "Owner",
                    "Who will use these credentials. Only they will see the secret.",
                    usersSelect(u -> u.actionId(Ids.INPUT).initialUser(requesterId))),
                optionalField(
                    Ids.BLOCK_LIFETIME,
                    "How long is it needed?",
                    "Leave it empty for the group's usual time. Keysmith deletes the user when it"
                        + " ends, and tells the owner a day before.",
                    staticSelect(
                        s ->
                            s.actionId(Ids.INPUT)
                                .placeholder(plainText("The group's usual time"))
                                .options(lifetimes))),
                justificationField("What is this access for?")));
    if (breakGlass) {
      fields.add(
          optionalField(
              Ids.BLOCK_BREAK_GLASS,
              "Emergency",
              "Only where the group's policy allows it, for yourself, for a short time. It is"
                  + " posted loudly and every approver is told; the justification is your reason.",
              checkboxes(
                  c ->
                      c.actionId(Ids.INPUT)
                          .options(
                              List.of(
                                  option(
                                      plainText("Break glass: approve it myself"),
                                      Ids.BREAK_GLASS))))));
    }
    return modal(Ids.CREATE_USER_VIEW, null, "Request an IAM user", "Send for approval", fields);
  }

  /** What the create-user modal turns into once the request is sent. */
  static View submittedModal(AccessRequest r) {
    return modal(
        null,
        null,
        "Request sent",
        null,
        text(
            "Request *"
                + r.id()
                + "* for IAM user `"
                + r.iamUserName()
                + (r.approvedByPolicy()
                    ? "` was approved by the access policy of `"
                        + r.groupName()
                        + "` and is being created. I'll message you when it is ready."
                    : "` is waiting for approval. I'll message you when it is decided.")));
  }

  /** Slack shows at most 75 characters of an option; IAM group names run to 128. */
  static OptionObject groupOption(String group) {
    String text = group.length() <= 75 ? group : group.substring(0, 74) + "…";
    return option(plainText(text), group);
  }

  static View denyModal(AccessRequest r) {
    return modal(
        Ids.DENY_VIEW,
        r.id(),
        "Deny " + r.id(),
        "Deny",
        List.of(
            section(
                s ->
                    s.text(
                        markdownText(
                            "Deny IAM user `"
                                + r.iamUserName()
                                + "` for "
                                + user(r.ownerId())
                                + "? "
                                + user(r.requesterId())
                                + " will see your reason."))),
            field(
                Ids.BLOCK_DENY_REASON,
                "Reason",
                null,
                plainTextInput(p -> p.actionId(Ids.INPUT).multiline(true).maxLength(1000)))));
  }

  /** A modal; {@code submit} null means a modal with only a close button ("Done"). */
  /** A modal that only says {@code mrkdwn}: what a shortcut answers when it cannot open a form. */
  static View noticeModal(String mrkdwn) {
    return modal(null, null, "Keysmith", null, text(mrkdwn));
  }

  private static View modal(
      @Nullable String callbackId,
      @Nullable String metadata,
      String title,
      @Nullable String submit,
      List<LayoutBlock> blocks) {
    return view(
        v ->
            v.type("modal")
                .callbackId(callbackId)
                .privateMetadata(metadata)
                .title(viewTitle(t -> t.type("plain_text").text(title)))
                .submit(submit == null ? null : viewSubmit(t -> t.type("plain_text").text(submit)))
                .close(
                    viewClose(t -> t.type("plain_text").text(submit == null ? "Done" : "Cancel")))
                .blocks(blocks));
  }

  /** The justification field of a request's form, with {@code placeholder}. */
  private static LayoutBlock justificationField(String placeholder) {
    return field(
        Ids.BLOCK_JUSTIFICATION,
        "Justification",
        null,
        plainTextInput(
            p ->
                p.actionId(Ids.INPUT)
                    .multiline(true)
                    .maxLength(RequestValidator.MAX_JUSTIFICATION)
                    .placeholder(plainText(placeholder))));
  }

  /** An input field the form may be sent without. */
  private static LayoutBlock optionalField(
      String blockId, String label, String hint, BlockElement element) {
    return input(
        i ->
            i.blockId(blockId)
                .label(plainText(label))
                .hint(plainText(hint))
                .optional(true)
                .element(element));
  }

  /** One input field of a modal; {@code hint} may be null. */
  private static LayoutBlock field(
      String blockId, String label, @Nullable String hint, BlockElement element) {
    return input(
        i ->
            i.blockId(blockId)
                .label(plainText(label))
                .hint(hint == null ? null : plainText(hint))
                .element(element));
  }

  /** The approvals message: details, then buttons while pending, then the decision trail. */
  static List<LayoutBlock> approval(AccessRequest r) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(
        header(
            h ->
                h.text(
                    plainText(
                        (r.isExtension() ? "Extension request " : "IAM user request ") + r.id()))));
    if (r.isExtension()) {
      Duration lifetime = r.lifetime();
      blocks.add(
          section(
              s ->
                  s.text(
                      markdownText(
                          ":hourglass: Extends IAM user `"
                              + r.iamUserName()
                              + "` (made by request "
                              + r.rootRequest()
                              + ") to "
                              + (lifetime == null ? "no end" : human(lifetime))
                              + " from its approval."))));
    }
    blocks.add(
        section(
            s ->
                s.fields(
                    List.<TextObject>of(
                        markdownText("*IAM user*\n`" + r.iamUserName() + "`"),
                        markdownText("*Group*\n`" + r.groupName() + "`"),
                        markdownText("*Access*\n" + r.accessType().label()),
                        markdownText("*Owner*\n" + user(r.ownerId())),
                        markdownText("*Requested by*\n" + user(r.requesterId())),
                        markdownText("*Requested*\n" + date(r.createdAt()))))));
    if (r.brokeGlass()) {
      blocks.add(
          section(
              s ->
                  s.text(
                      markdownText(
                          ":rotating_light: *Break-glass*: "
                              + user(r.requesterId())
                              + " approved this for themselves in an emergency. The reason is"
                              + " below."))));
    }
    blocks.add(
        section(s -> s.text(markdownText("*Justification*\n" + Mrkdwn.quote(r.justification())))));
    switch (r.state()) {
      case PENDING -> {
        if (r.quorum() > 1) {
          blocks.add(contextLine(tally(r)));
        }
        blocks.add(
            buttons(
                Ids.BLOCK_DECISION,
                button(Ids.ACTION_APPROVE, "Approve", "primary", r.id()),
                button(Ids.ACTION_DENY, "Deny", "danger", r.id())));
      }
      case DENIED -> {
        blocks.add(
            contextLine(":no_entry: Denied by " + user(r.decidedBy()) + " " + date(r.decidedAt())));
        blocks.add(section(s -> s.text(markdownText("*Reason*\n" + Mrkdwn.quote(r.outcome())))));
      }
      case CANCELLED ->
          blocks.add(
              contextLine(
                  r.requesterId().equals(r.decidedBy())
                      ? ":leftwards_arrow_with_hook: Cancelled by "
                          + user(r.requesterId())
                          + " "
                          + date(r.decidedAt())
                          + ". Nothing was created."
                      : ":leftwards_arrow_with_hook: Stopped "
                          + date(r.decidedAt())
                          + ": "
                          + escape(Objects.toString(r.outcome(), ""))
                          + " Nothing was created."));
      case EXPIRED -> {
        if (r.decidedBy() == null) {
          blocks.add(
              contextLine(
                  ":alarm_clock: Expired "
                      + date(r.updatedAt())
                      + ": nobody decided it in time. Nothing was created."));
        } else {
          blocks.add(approvedLine(r));
          blocks.add(section(s -> s.text(markdownText(trail(r)))));
        }
      }
      default -> {
        blocks.add(approvedLine(r));
        blocks.add(section(s -> s.text(markdownText(trail(r)))));
      }
    }
    return blocks;
  }

  private static LayoutBlock approvedLine(AccessRequest r) {
    return contextLine(
        ":white_check_mark: Approved by " + approvedBy(r) + " " + date(r.decidedAt()));
  }

  /** Who approved: the approvers of a quorum, one approver, or the group's policy. */
  static String approvedBy(AccessRequest r) {
    if (r.brokeGlass()) {
      return user(r.requesterId()) + " alone, breaking the glass,";
    }
    if (r.approvedByPolicy()) {
      return "the access policy of `" + r.groupName() + "`, automatically,";
    }
    if (r.approvals().size() > 1) {
      return r.approvals().stream()
          .map(a -> user(a.approver()))
          .collect(java.util.stream.Collectors.joining(" and "));
    }
    return user(r.decidedBy());
  }

  /** "1 of 2 approvals: @a", for a request whose group needs more than one approver. */
  private static String tally(AccessRequest r) {
    String line =
        ":ballot_box_with_check: " + r.approvals().size() + " of " + r.quorum() + " approvals";
    if (r.approvals().isEmpty()) {
      return line + ": each approver counts once; the requester and the owner never count.";
    }
    return line
        + ": "
        + r.approvals().stream()
            .map(a -> user(a.approver()) + " " + date(a.at()))
            .collect(java.util.stream.Collectors.joining(", "));
  }

  /** The provisioning steps done so far, then where the request ended. */
  private static String trail(AccessRequest r) {
    StringBuilder trail = new StringBuilder();
    r.progress().forEach(step -> trail.append("• ").append(step).append('\n'));
    trail.append(result(r));
    return trail.toString();
  }

  /** The owner's warning that a time-bound user ends soon, with Delete now. */
  static List<LayoutBlock> endsSoon(AccessRequest r, String mrkdwn) {
    return List.of(
        section(s -> s.text(markdownText(mrkdwn))),
        buttons(
            Ids.BLOCK_CANCEL,
            button(Ids.ACTION_EXTEND, "Extend", "primary", r.id()),
            button(Ids.ACTION_DELETE_USER_PROMPT, "Delete now", "danger", r.iamUserName())));
  }

  /** The lifetimes up to {@code longest} (empty: all), and {@code longest} itself. */
  private static List<OptionObject> lifetimeOptions(Optional<Duration> longest) {
    List<OptionObject> lifetimes = new ArrayList<>();
    for (Duration d : LIFETIMES) {
      if (longest.isEmpty() || d.compareTo(longest.get()) <= 0) {
        lifetimes.add(option(plainText(human(d)), d.toString()));
      }
    }
    longest
        .filter(max -> !LIFETIMES.contains(max))
        .ifPresent(max -> lifetimes.add(option(plainText(human(max)), max.toString())));
    return lifetimes;
  }

  /** The owner's form to extend a time-bound user: how long from now, and why. */
  static View extendModal(AccessRequest live, Optional<Duration> longest) {
    List<OptionObject> lifetimes = lifetimeOptions(longest);
    return modal(
        Ids.EXTEND_VIEW,
        live.id(),
        "Extend " + (live.iamUserName().length() > 16 ? "a user" : live.iamUserName()),
        "Send for approval",
        List.of(
            section(
                s ->
                    s.text(
                        markdownText(
                            "IAM user `"
                                + live.iamUserName()
                                + "` (group `"
                                + live.groupName()
                                + "`) ends "
                                + date(live.userExpiresAt().orElse(null))
                                + ". An extension goes through the group's access policy, like"
                                + " the request that made it."))),
            field(
                Ids.BLOCK_LIFETIME,
                "How long from now is it needed?",
                null,
                staticSelect(
                    s ->
                        s.actionId(Ids.INPUT).placeholder(plainText("Choose")).options(lifetimes))),
            justificationField("What is it still needed for?")));
  }

  /** Slack's limit on blocks in a message, less the intro and the note on the rest. */
  private static final int MAX_LEFT_USERS = 20;

  /**
   * The approvals channel's list of a leaver's IAM users, each with what was shut off, Delete user
   * and Reassign owner; past what one message holds, the rest are named for the commands.
   */
  static List<LayoutBlock> ownerLeft(String intro, java.util.Map<String, String> done) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(section(s -> s.text(markdownText(intro))));
    List<String> rest = new ArrayList<>();
    for (java.util.Map.Entry<String, String> e : done.entrySet()) {
      if (blocks.size() / 2 >= MAX_LEFT_USERS) {
        rest.add("`" + e.getKey() + "`");
        continue;
      }
      blocks.add(
          section(s -> s.text(markdownText("`" + e.getKey() + "`: " + escape(e.getValue())))));
      blocks.add(
          buttons(
              "left:" + e.getKey(),
              button(Ids.ACTION_DELETE_USER_PROMPT, "Delete user", "danger", e.getKey()),
              button(Ids.ACTION_REASSIGN, "Reassign owner", null, e.getKey())));
    }
    if (!rest.isEmpty()) {
      blocks.add(
          contextLine(
              "Also: "
                  + String.join(", ", rest)
                  + ". Use `/iam delete-user` or `/iam link` for these."));
    }
    return blocks;
  }

  /** The ephemeral prompt of Reassign owner: choose who owns {@code iamUser} from now. */
  static List<LayoutBlock> reassignPrompt(String iamUser) {
    return List.of(
        section(
            s ->
                s.text(
                    markdownText(
                        "Who should own `"
                            + iamUser
                            + "` now? Choosing asks for it as a link request, which another"
                            + " approver must approve."))),
        actions(
            a ->
                a.blockId(Ids.BLOCK_REASSIGN_PREFIX + iamUser)
                    .elements(
                        asElements(
                            usersSelect(
                                u ->
                                    u.actionId(Ids.ACTION_REASSIGN_TO)
                                        .placeholder(plainText("New owner")))))));
  }

  /** The requester's note that the request waits, with a way to withdraw it. */
  static List<LayoutBlock> received(AccessRequest r, String mrkdwn) {
    return List.of(
        section(s -> s.text(markdownText(mrkdwn))),
        buttons(
            Ids.BLOCK_CANCEL,
            confirmedButton(
                Ids.ACTION_CANCEL_REQUEST,
                "Cancel request",
                r.id(),
                "Withdraw request " + r.id() + " for `" + r.iamUserName() + "`?",
                "Withdraw it")));
  }

  private static String result(AccessRequest r) {
    return switch (r.state()) {
      case APPROVED ->
          ":hourglass_flowing_sand: " + (r.isExtension() ? "Moving its end…" : "Provisioning…");
      case FAILED -> ":x: *Failed.* " + escape(r.outcome());
      case EXPIRED ->
          ":alarm_clock: *Provisioned*, but the offer to "
              + user(r.ownerId())
              + " expired unrevealed.";
      case REVEALED -> ":key: *Provisioned and revealed* to " + user(r.ownerId()) + ".";
      case EXTENDED ->
          ":hourglass: *Extended.* `"
              + r.iamUserName()
              + "` now ends "
              + date(r.userExpiresAt().orElse(null))
              + ".";
      default ->
          ":key: *Provisioned.* "
              + user(r.ownerId())
              + " can reveal the credentials until "
              + date(r.offerExpiresAt())
              + ".";
    };
  }

  static String approvalText(AccessRequest r) {
    return "IAM user request "
        + r.id()
        + " for "
        + r.iamUserName()
        + ": "
        + r.state().name().toLowerCase(Locale.ROOT);
  }

  static List<LayoutBlock> text(String mrkdwn) {
    return List.of(section(s -> s.text(markdownText(mrkdwn))));
  }

  /** The owner's DM: the user is ready; the button leads to the one-time reveal. */
  static List<LayoutBlock> offer(AccessRequest r, String intro) {
    return List.of(
        section(s -> s.text(markdownText(intro))),
        section(
            s ->
                s.text(
                    markdownText(
                        "Credentials are created when you ask for them and shown once, to you"
                            + " alone. This offer stands until "
                            + date(r.offerExpiresAt())
                            + "."))),
        buttons(
            Ids.BLOCK_REVEAL,
            button(Ids.ACTION_GET_CREDENTIALS, "Get credentials", "primary", r.id())));
  }

  /** The ephemeral step before minting: the owner confirms they are ready to see the secret. */
  static List<LayoutBlock> revealPrompt(AccessRequest r, Duration visibleFor) {
    return List.of(
        section(
            s ->
                s.text(
                    markdownText(
                        "Ready to reveal the credentials of `"
                            + r.iamUserName()
                            + "`? They are created now and shown here, only to you, for "
                            + human(visibleFor)
                            + ", then wiped. Have your password manager open."))),
        buttons(Ids.BLOCK_REVEAL, button(Ids.ACTION_REVEAL, "Reveal now", "danger", r.id())));
  }

  /** The ephemeral message with the secret itself; only ever sent through a response_url. */
  static List<LayoutBlock> secret(String subject, Credentials c, Instant wipeAt) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(h -> h.text(plainText("Credentials for " + c.iamUserName()))));
    StringBuilder text = new StringBuilder();
    if (c.accessKeyId().isPresent() && c.secretAccessKey().isPresent()) {
      String id = c.accessKeyId().get();
      String secret = c.secretAccessKey().get().reveal();
      text.append("*Access key id*\n`").append(id).append("`\n");
      text.append("*Secret access key*\n`").append(secret).append("`\n");
      text.append("*`~/.aws/credentials`*\n```[")
          .append(c.iamUserName())
          .append("]\naws_access_key_id = ")
          .append(id)
          .append("\naws_secret_access_key = ")
          .append(secret)
          .append("```\n");
    }
    if (c.password().isPresent() && c.consoleSignInUrl().isPresent()) {
      text.append("*Console sign-in*\n").append(c.consoleSignInUrl().get()).append('\n');
      text.append("*User name*\n`").append(c.iamUserName()).append("`\n");
      text.append("*Temporary password*\n`").append(c.password().get().reveal()).append("`\n");
      text.append("You will choose a new password at first sign-in.\n");
    }
    blocks.add(section(s -> s.text(markdownText(text.toString()))));
    blocks.add(
        contextLine(
            "Only you can see this. It wipes itself "
                + date(wipeAt)
                + ". A new key can take a few seconds before AWS accepts it everywhere."));
    blocks.add(
        buttons(Ids.BLOCK_REVEAL, button(Ids.ACTION_HIDE, "I saved it, hide now", null, subject)));
    return blocks;
  }

  static LayoutBlock buttons(String blockId, ButtonElement... buttons) {
    return actions(a -> a.blockId(blockId).elements(asElements(buttons)));
  }

  /** A button; {@code style} is primary, danger or null for the default. */
  static ButtonElement button(String actionId, String text, @Nullable String style, String value) {
    return ButtonElement.builder()
        .actionId(actionId)
        .text(plainText(text))
        .style(style)
        .value(value)
        .build();
  }

  /** A button that asks "are you sure?" before it acts. */
  static ButtonElement confirmedButton(
      String actionId, String text, String value, String question, String confirm) {
    ButtonElement button = button(actionId, text, "danger", value);
    button.setConfirm(
        ConfirmationDialogObject.builder()
            .title(plainText("Are you sure?"))
            .text(markdownText(question))
            .confirm(plainText(confirm))
            .deny(plainText("Cancel"))
            .style("danger")
            .build());
    return button;
  }

  static LayoutBlock contextLine(String mrkdwn) {
    return context(c -> c.elements(asContextElements(markdownText(mrkdwn))));
  }

  static String human(Duration d) {
    if (d.toDays() >= 1 && d.toHoursPart() == 0 && d.toMinutesPart() == 0) {
      return d.toDays() + (d.toDays() == 1 ? " day" : " days");
    }
    if (d.toMinutes() >= 1 && d.toSecondsPart() == 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toSeconds() + " seconds";
  }
}
