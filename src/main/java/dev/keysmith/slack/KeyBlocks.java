package dev.keysmith.slack;

import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static dev.keysmith.slack.Mrkdwn.date;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import dev.keysmith.rotation.KeyView;
import java.util.ArrayList;
import java.util.List;

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
        blocks.add(
            Blocks.buttons(
                "key_" + k.accessKeyId(),
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
                    "Deactivate")));
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

  private static String lastUsed(KeyView k) {
    return k.lastUsed()
        .map(u -> date(u.at()) + "\n" + u.service() + " in " + u.region())
        .orElse("never");
  }
}
