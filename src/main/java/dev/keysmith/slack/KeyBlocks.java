package dev.keysmith.slack;

import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static dev.keysmith.slack.Mrkdwn.date;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.KeyView;
import dev.keysmith.rotation.LinkRequest;
import dev.keysmith.rotation.Rotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Block Kit for key care: the `/iam keys` list and its buttons. */
final class KeyBlocks {
  /** Two blocks a key and a few for headers stay under Slack's 50 blocks a message. */
  static final int MAX_KEYS_SHOWN = 20;

  private KeyBlocks() {}

  static List<LayoutBlock> keyList(List<KeyView> keys, String whose) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(h -> h.text(plainText("Access keys of " + whose))));
    if (keys.isEmpty()) {
      blocks.addAll(
          Blocks.text(
              "No access keys found. IAM users count as yours when Keysmith created them for you"
                  + " or an approver linked them to you with `/iam link`."));
      return blocks;
    }
    String user = null;
    for (KeyView k : keys.subList(0, Math.min(keys.size(), MAX_KEYS_SHOWN))) {
      if (!k.iamUser().equals(user)) {
        user = k.iamUser();
        String name = user;
        blocks.add(section(s -> s.text(markdownText("*IAM user `" + name + "`*"))));
      }
      blocks.add(
          section(
              s ->
                  s.fields(
                      List.<TextObject>of(
                          markdownText("*Key*\n`" + k.accessKeyId() + "`"),
                          markdownText("*Status*\n" + (k.active() ? "Active" : "Inactive")),
                          markdownText(
                              "*Created*\n" + date(k.createdAt()) + " (" + k.ageDays() + " days)"),
                          markdownText("*Last used*\n" + lastUsed(k))))));
      if (k.active()) {
        blocks.add(keyButtons("key_" + k.accessKeyId(), k));
      }
    }
    if (keys.size() > MAX_KEYS_SHOWN) {
      blocks.add(
          Blocks.contextLine(
              (keys.size() - MAX_KEYS_SHOWN)
                  + " more keys not shown; use `/iam keys &lt;iam-user&gt;` for one user's keys."));
    }
    return blocks;
  }

  /** What `/iam rotate-key` shows before anything changes; only a click goes ahead. */
  static List<LayoutBlock> rotationPrompt(
      KeyRotation.Plan plan, Duration grace, Duration deleteAfter, Duration visibleFor) {
    String user = plan.iamUser();
    List<LayoutBlock> blocks = new ArrayList<>();
    switch (plan.step()) {
      case DELETE_INACTIVE_FIRST -> {
        String inactive =
            plan.keys().stream().filter(k -> !k.active()).findFirst().orElseThrow().accessKeyId();
        blocks.addAll(
            Blocks.text(
                "`"
                    + user
                    + "` has two access keys, the most IAM allows, and `"
                    + inactive
                    + "` is inactive. Delete it to make room for the new key?"));
        blocks.add(
            Blocks.buttons(
                "rotate_room",
                Blocks.confirmedButton(
                    Ids.ACTION_DELETE_FOR_ROOM,
                    "Delete inactive key",
                    new KeyChoice(user, inactive, plan.lost()).encode(),
                    "Delete the inactive key `" + inactive + "` of `" + user + "` for good?",
                    "Delete")));
      }
      case CHOOSE_KEY_TO_DELETE -> {
        blocks.addAll(
            Blocks.text(
                "`"
                    + user
                    + "` has two active access keys, the most IAM allows. One must go before a"
                    + " new one can be made. Deleting an active key breaks whatever still uses it."));
        blocks.add(
            Blocks.buttons(
                "rotate_room",
                plan.keys().stream()
                    .map(
                        k ->
                            Blocks.confirmedButton(
                                Ids.ACTION_DELETE_FOR_ROOM,
                                "Delete " + k.accessKeyId(),
                                new KeyChoice(user, k.accessKeyId(), plan.lost()).encode(),
                                "Delete the ACTIVE key `"
                                    + k.accessKeyId()
                                    + "` of `"
                                    + user
                                    + "`? Anything using it stops working now.",
                                "Delete it"))
                    .toArray(com.slack.api.model.block.element.ButtonElement[]::new)));
      }
      case READY -> {
        String old = plan.oldKeyId().map(id -> "`" + id + "`").orElse(null);
        String what;
        if (old == null) {
          what = "`" + user + "` has no access key yet. Create one?";
        } else if (plan.lost()) {
          what =
              "Replace "
                  + old
                  + " of `"
                  + user
                  + "`? The old key is deactivated at once and deleted after "
                  + Blocks.human(deleteAfter)
                  + ".";
        } else {
          what =
              "Rotate "
                  + old
                  + " of `"
                  + user
                  + "`? The old key stays active for "
                  + Blocks.human(grace)
                  + " so you can move to the new one, then it is deactivated, and deleted "
                  + Blocks.human(deleteAfter)
                  + " later.";
        }
        blocks.addAll(
            Blocks.text(
                what
                    + " The new secret is shown here, only to you, for "
                    + Blocks.human(visibleFor)
                    + "."));
        blocks.add(
            Blocks.buttons(
                "rotate",
                Blocks.button(
                    Ids.ACTION_ROTATE,
                    plan.lost() ? "Replace lost key" : old == null ? "Create key" : "Rotate now",
                    "primary",
                    new KeyChoice(user, plan.oldKeyId().orElse(null), plan.lost()).encode())));
      }
    }
    return blocks;
  }

  /** The approvals-channel message of a rotation that needs approval. */
  static List<LayoutBlock> rotationApproval(Rotation r) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(h -> h.text(plainText("Key rotation " + r.id()))));
    blocks.add(
        section(
            s ->
                s.fields(
                    List.<TextObject>of(
                        markdownText("*IAM user*\n`" + r.iamUser() + "`"),
                        markdownText(
                            "*Old key*\n"
                                + (r.oldKeyId() == null ? "none" : "`" + r.oldKeyId() + "`")),
                        markdownText("*Owner*\n" + Mrkdwn.user(r.ownerId())),
                        markdownText(
                            "*Kind*\n"
                                + (r.lost()
                                    ? "lost secret: old key deactivated at once"
                                    : "rotation with a grace period"))))));
    switch (r.state()) {
      case AWAITING_APPROVAL ->
          blocks.add(
              Blocks.buttons(
                  "rotation_decision",
                  Blocks.button(Ids.ACTION_ROTATION_APPROVE, "Approve", "primary", r.id()),
                  Blocks.button(Ids.ACTION_ROTATION_DENY, "Deny", "danger", r.id())));
      case DENIED ->
          blocks.add(Blocks.contextLine(":no_entry: Denied by " + Mrkdwn.user(r.decidedBy())));
      default ->
          blocks.add(
              Blocks.contextLine(
                  ":white_check_mark: Approved by "
                      + Mrkdwn.user(r.decidedBy())
                      + ". The owner rotates when ready."));
    }
    return blocks;
  }

  /**
   * The approvals message of a link request: who would own which user and who owns it now, the
   * buttons while it is pending, then the outcome; {@code why} is the mrkdwn reason it did not go
   * ahead, for a link that stopped.
   */
  static List<LayoutBlock> linkApproval(LinkRequest r, @Nullable String why) {
    String iamUser = "`" + Mrkdwn.escape(r.iamUser()) + "`";
    String owner = Mrkdwn.user(r.ownerId());
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(h -> h.text(plainText("Link request " + r.id()))));
    blocks.add(
        section(
            s ->
                s.fields(
                    List.<TextObject>of(
                        markdownText("*IAM user*\n" + iamUser),
                        markdownText("*New owner*\n" + owner),
                        markdownText(
                            "*Owner now*\n"
                                + (r.previousOwnerId() == null
                                    ? "nobody"
                                    : Mrkdwn.user(r.previousOwnerId()))),
                        markdownText("*Asked by*\n" + Mrkdwn.user(r.requesterId())),
                        markdownText("*Groups*\n" + groups(r)),
                        markdownText("*Expires*\n" + date(r.expiresAt()))))));
    String grant =
        owner + " will be able to rotate the keys of " + iamUser + " and see their new secrets.";
    blocks.addAll(
        Blocks.text(
            r.previousOwnerId() == null
                ? grant
                : ":warning: Approving moves "
                    + iamUser
                    + " away from "
                    + Mrkdwn.user(r.previousOwnerId())
                    + ". "
                    + grant));
    blocks.add(linkOutcome(r, iamUser, owner, why));
    return blocks;
  }

  private static LayoutBlock linkOutcome(
      LinkRequest r, String iamUser, String owner, @Nullable String why) {
    String by = Mrkdwn.user(r.decidedBy());
    return switch (r.state()) {
      case PENDING ->
          Blocks.buttons(
              Ids.BLOCK_LINK_DECISION,
              Blocks.button(Ids.ACTION_LINK_APPROVE, "Approve", "primary", r.id()),
              Blocks.button(Ids.ACTION_LINK_DENY, "Deny", "danger", r.id()));
      case APPROVED ->
          Blocks.contextLine(":hourglass_flowing_sand: Approved by " + by + "; linking…");
      case LINKED ->
          Blocks.contextLine(
              ":white_check_mark: Approved by "
                  + by
                  + " "
                  + date(r.updatedAt())
                  + ". "
                  + iamUser
                  + " now belongs to "
                  + owner
                  + ".");
      case DENIED -> Blocks.contextLine(":no_entry: Denied by " + by + " " + date(r.updatedAt()));
      case EXPIRED -> Blocks.contextLine(":alarm_clock: Expired: nobody decided in time.");
      case CANCELLED, FAILED ->
          Blocks.contextLine(
              ":x: Did not go ahead. "
                  + (why != null ? why : Mrkdwn.escape(r.outcome()))
                  + " Nothing changed in IAM.");
    };
  }

  private static String groups(LinkRequest r) {
    if (r.groups().isEmpty()) {
      return "none";
    }
    return String.join(", ", r.groups().stream().map(g -> "`" + Mrkdwn.escape(g) + "`").toList());
  }

  private static String lastUsed(KeyView k) {
    return k.lastUsed()
        .map(u -> date(u.at()) + "\n" + u.service() + " in " + u.region())
        .orElse("never");
  }

  /**
   * Rotate and Deactivate for an active key, as {@code /iam keys} and the Home tab show them: the
   * listeners check who may use them.
   */
  static LayoutBlock keyButtons(String blockId, KeyView k) {
    return Blocks.buttons(
        blockId,
        Blocks.button(Ids.ACTION_ROTATE_PROMPT, "Rotate", "primary", k.iamUser()),
        Blocks.confirmedButton(
            Ids.ACTION_DEACTIVATE_KEY,
            "Deactivate",
            k.accessKeyId(),
            "Deactivate `"
                + k.accessKeyId()
                + "` of `"
                + k.iamUser()
                + "` now? Anything using it stops working at once. You can reactivate"
                + " it in the AWS console.",
            "Deactivate"));
  }
}
