package dev.keysmith.slack;

import static com.slack.api.model.block.Blocks.divider;
import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static dev.keysmith.slack.Mrkdwn.date;
import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.element.ButtonElement;
import com.slack.api.model.view.View;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.rotation.KeyReminders;
import dev.keysmith.rotation.KeyView;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Block Kit for the Home tab. Its buttons are the ones messages carry (same action ids and values),
 * so every click is checked by the same listener; only the pagers are the tab's own. Each part
 * shows a page of its items, so the view stays within Slack's 100 blocks whatever anyone has.
 */
final class HomeBlocks {
  /** Slack's limit on blocks in a Home tab view. */
  static final int MAX_BLOCKS = 100;

  /** Slack's limit on a section's text. */
  static final int MAX_TEXT = 3000;

  private static final int MAX_JUSTIFICATION = 300;

  private HomeBlocks() {}

  /** A part of the tab that pages through its items, with its code in pager values. */
  enum Part {
    KEYS("keys", 10),
    OFFERS("offers", 5),
    OPEN("open", 5),
    QUEUE("queue", 10),
    OLD("old", 10);

    final String code;
    final int perPage;

    Part(String code, int perPage) {
      this.code = code;
      this.perPage = perPage;
    }

    static @Nullable Part byCode(String code) {
      for (Part p : values()) {
        if (p.code.equals(code)) {
          return p;
        }
      }
      return null;
    }
  }

  /** A page of one part, as a pager's value carries it ({@code queue:3}); pages count from 1. */
  record Page(Part part, int number) {
    String encode() {
      return part.code + ":" + number;
    }
  }

  /** Which page of each part a person looks at; a part not named is on its first page. */
  record Pages(Map<Part, Integer> at) {
    Pages {
      at = Map.copyOf(at);
    }

    static Pages first() {
      return new Pages(Map.of());
    }

    int of(Part part) {
      return at.getOrDefault(part, 1);
    }

    Pages with(Page page) {
      Map<Part, Integer> next = new EnumMap<>(Part.class);
      next.putAll(at);
      next.put(page.part(), page.number());
      return new Pages(next);
    }
  }

  /** What an approver sees besides their own: requests waiting for them and old keys. */
  record Approving(List<AccessRequest> queue, Optional<KeyReminders.Scan> oldKeys) {
    Approving {
      queue = List.copyOf(queue);
    }
  }

  /** Everything one person's tab shows; {@code approving} is null for someone who approves none. */
  record Content(
      @Nullable String notice,
      List<KeyView> keys,
      List<AccessRequest> offers,
      List<AccessRequest> open,
      @Nullable Approving approving) {
    Content {
      keys = List.copyOf(keys);
      offers = List.copyOf(offers);
      open = List.copyOf(open);
    }
  }

  /** The Home tab view of {@code content}, at {@code pages}. */
  static View home(Content content, Pages pages) {
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(h -> h.text(plainText("Keysmith"))));
    if (content.notice() != null) {
      blocks.add(text(content.notice()));
    }
    blocks.add(
        Blocks.contextLine(
            "Your IAM users and requests. Secrets are never shown here: credentials and new keys"
                + " appear only in a message only you can see. `/iam help` lists the commands."));
    part(
        blocks,
        "Your IAM users and keys",
        "No access keys. IAM users count as yours when Keysmith created them for you or an"
            + " approver linked them to you with `/iam link`.",
        content.keys(),
        Part.KEYS,
        pages,
        HomeBlocks::key);
    part(
        blocks,
        "Credentials waiting for you",
        "No credentials are waiting for you.",
        content.offers(),
        Part.OFFERS,
        pages,
        HomeBlocks::offer);
    part(
        blocks,
        "Your open requests",
        "You have no requests waiting for a decision.",
        content.open(),
        Part.OPEN,
        pages,
        HomeBlocks::open);
    Approving approving = content.approving();
    if (approving != null) {
      part(
          blocks,
          "Waiting for your decision",
          "No request is waiting for you.",
          approving.queue(),
          Part.QUEUE,
          pages,
          HomeBlocks::waiting);
      oldKeys(blocks, approving.oldKeys(), pages);
    }
    return View.builder().type("home").blocks(blocks).build();
  }

  private static <T> void part(
      List<LayoutBlock> blocks,
      String title,
      String none,
      List<T> items,
      Part part,
      Pages pages,
      Function<T, List<LayoutBlock>> render) {
    blocks.add(divider());
    blocks.add(header(h -> h.text(plainText(title))));
    if (items.isEmpty()) {
      blocks.add(text(none));
      return;
    }
    int page = page(part, pages, items.size());
    int from = (page - 1) * part.perPage;
    for (T item : items.subList(from, Math.min(items.size(), from + part.perPage))) {
      blocks.addAll(render.apply(item));
    }
    pager(part, page, items.size()).ifPresent(blocks::add);
  }

  /** The page asked for, within the pages there are now (items may have gone since). */
  private static int page(Part part, Pages pages, int items) {
    int last = Math.max(1, (items + part.perPage - 1) / part.perPage);
    return Math.max(1, Math.min(pages.of(part), last));
  }

  private static Optional<LayoutBlock> pager(Part part, int page, int items) {
    int last = Math.max(1, (items + part.perPage - 1) / part.perPage);
    if (last == 1) {
      return Optional.empty();
    }
    List<ButtonElement> buttons = new ArrayList<>();
    if (page > 1) {
      buttons.add(
          Blocks.button(
              Ids.ACTION_HOME_PREVIOUS, "Previous page", null, new Page(part, page - 1).encode()));
    }
    if (page < last) {
      buttons.add(
          Blocks.button(
              Ids.ACTION_HOME_NEXT, "Next page", null, new Page(part, page + 1).encode()));
    }
    return Optional.of(
        Blocks.buttons(
            Ids.BLOCK_HOME_PREFIX + part.code + "_pages", buttons.toArray(ButtonElement[]::new)));
  }

  private static List<LayoutBlock> key(KeyView k) {
    String line =
        "*`"
            + k.iamUser()
            + "`*  `"
            + k.accessKeyId()
            + "`  "
            + (k.active() ? "Active" : "Inactive")
            + "\nCreated "
            + date(k.createdAt())
            + " ("
            + k.ageDays()
            + " days), last used "
            + k.lastUsed()
                .map(u -> date(u.at()) + " (" + u.service() + " in " + u.region() + ")")
                .orElse("never");
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(text(line));
    if (k.active()) {
      // The same buttons as /iam keys: the listeners check who may rotate or deactivate.
      blocks.add(KeyBlocks.keyButtons(Ids.BLOCK_HOME_PREFIX + "key_" + k.accessKeyId(), k));
    }
    return blocks;
  }

  private static List<LayoutBlock> offer(AccessRequest r) {
    return List.of(
        text(
            "*`"
                + r.iamUserName()
                + "`* (request "
                + r.id()
                + "): ready until "
                + date(r.offerExpiresAt())
                + ". The credentials are shown in your direct messages with Keysmith, never"
                + " here."),
        Blocks.buttons(
            Ids.BLOCK_HOME_PREFIX + "offer_" + r.id(),
            Blocks.button(Ids.ACTION_GET_CREDENTIALS, "Get credentials", "primary", r.id())));
  }

  private static List<LayoutBlock> open(AccessRequest r) {
    return List.of(
        text(describe(r)),
        Blocks.buttons(
            Ids.BLOCK_HOME_PREFIX + "open_" + r.id(),
            Blocks.button(Ids.ACTION_CANCEL_REQUEST, "Cancel request", null, r.id())));
  }

  private static List<LayoutBlock> waiting(AccessRequest r) {
    return List.of(
        text(describe(r)),
        // The same buttons as the approvals message: the workflow checks who may decide.
        Blocks.buttons(
            Ids.BLOCK_HOME_PREFIX + "decide_" + r.id(),
            Blocks.button(Ids.ACTION_APPROVE, "Approve", "primary", r.id()),
            Blocks.button(Ids.ACTION_DENY, "Deny", "danger", r.id())));
  }

  private static String describe(AccessRequest r) {
    String why = r.justification();
    if (why.length() > MAX_JUSTIFICATION) {
      why = why.substring(0, MAX_JUSTIFICATION) + "…";
    }
    return "*"
        + r.id()
        + "*  `"
        + r.iamUserName()
        + "` in `"
        + Mrkdwn.escape(r.groupName())
        + "`, "
        + r.accessType().label()
        + "\nFor "
        + user(r.ownerId())
        + ", asked by "
        + user(r.requesterId())
        + " "
        + date(r.createdAt())
        + (r.quorum() > 1 ? ", " + r.approvals().size() + " of " + r.quorum() + " approvals" : "")
        + "\n"
        + Mrkdwn.quote(why);
  }

  private static void oldKeys(
      List<LayoutBlock> blocks, Optional<KeyReminders.Scan> scan, Pages pages) {
    blocks.add(divider());
    blocks.add(header(h -> h.text(plainText("Keys past the maximum age"))));
    if (scan.isEmpty()) {
      blocks.add(text("Not checked yet: the daily key check has not run since Keysmith started."));
      return;
    }
    KeyReminders.Scan s = scan.get();
    String when =
        "As the daily key check found them "
            + date(s.takenAt())
            + "; the maximum age is "
            + s.maxAge().toDays()
            + " days.";
    if (s.tooOld().isEmpty()) {
      blocks.add(text("No active key is older than " + s.maxAge().toDays() + " days."));
      blocks.add(Blocks.contextLine(when));
      return;
    }
    int page = page(Part.OLD, pages, s.tooOld().size());
    int from = (page - 1) * Part.OLD.perPage;
    StringBuilder lines = new StringBuilder();
    for (KeyReminders.OldKey k :
        s.tooOld().subList(from, Math.min(s.tooOld().size(), from + Part.OLD.perPage))) {
      lines
          .append("`")
          .append(k.iamUser())
          .append("`  `")
          .append(k.accessKeyId())
          .append("`  ")
          .append(k.ageDays())
          .append(" days, owner ")
          .append(user(k.owner()))
          .append('\n');
    }
    blocks.add(text(lines.toString().strip()));
    blocks.add(Blocks.contextLine(s.tooOld().size() + " in all. " + when));
    pager(Part.OLD, page, s.tooOld().size()).ifPresent(blocks::add);
  }

  /** A section of mrkdwn, cut to Slack's limit should anything ever make it longer. */
  private static LayoutBlock text(String mrkdwn) {
    String fitted = mrkdwn.length() > MAX_TEXT ? mrkdwn.substring(0, MAX_TEXT - 1) + "…" : mrkdwn;
    return section(s -> s.text(markdownText(fitted)));
  }
}
