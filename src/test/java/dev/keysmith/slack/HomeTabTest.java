package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.slack.api.model.view.View;
import dev.keysmith.outbox.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class HomeTabTest {
  private static final String APPROVALS = "C0APPROVALS";
  private static final String OWNER = "U0OWNER";
  private static final String APPROVER = "U0APPROVER";

  /** The worker pool, run by hand. */
  private final Queue<Runnable> pool = new ArrayDeque<>();

  /** Who each render was for, with the notice it showed. */
  private final List<String> renders = Collections.synchronizedList(new ArrayList<>());

  private final List<String> published = Collections.synchronizedList(new ArrayList<>());
  private boolean slackDown;
  private final HomeTab home =
      new HomeTab(
          (user, pages, notice) -> {
            renders.add(user + ":" + notice);
            return new HomeTab.Rendered(
                View.builder().type("home").build(),
                user.equals(OWNER) ? Set.of("KS-AAAAAA", "alice") : Set.of(),
                user.equals(APPROVER));
          },
          (user, view) -> {
            if (slackDown) {
              throw new SlackCallException("views.publish failed: ratelimited", null);
            }
            published.add(user);
          },
          pool::add,
          APPROVALS);

  @Test
  void changed_forSomeoneWhoNeverOpenedTheTab_publishesNothing() {
    home.changed(message(OWNER, "KS-AAAAAA"));
    home.refresh(OWNER);

    assertEquals(0, pool.size());
    assertEquals(List.of(), published);
  }

  @Test
  void publishFailure_isLoggedAndTheNextRefreshPublishes() {
    slackDown = true;
    home.opened(OWNER);
    runAll();
    assertEquals(List.of(), published);

    slackDown = false;
    home.changed(message(OWNER, "anything"));
    runAll();

    assertEquals(List.of(OWNER), published);
  }

  @Test
  void burstOfChanges_isOnePublishPerPerson() {
    home.opened(OWNER);
    runAll();
    published.clear();

    for (int i = 0; i < 20; i++) {
      home.changed(message(OWNER, "KS-AAAAAA"));
    }
    assertEquals(1, pool.size());
    runAll();

    assertEquals(List.of(OWNER), published);
  }

  @Test
  void changed_refreshesTheRecipientWhoeverShowsItAndApproversForTheChannel() {
    home.opened(OWNER);
    home.opened(APPROVER);
    runAll();
    published.clear();

    // What the owner's tab shows, told to someone else: the owner's tab changes.
    home.changed(message("U0SOMEONE", "alice"));
    runAll();
    assertEquals(List.of(OWNER), published);
    published.clear();

    // The approvals channel: the approvers' tabs, not the owner's.
    home.changed(message(APPROVALS, "KS-BBBBBB"));
    runAll();
    assertEquals(List.of(APPROVER), published);
  }

  @Test
  void notice_staysThroughRefreshesUntilTheNextClickOrOpen() {
    home.opened(OWNER);
    runAll();
    home.tell(OWNER, "Done.");
    runAll();
    home.changed(message(OWNER, "x"));
    runAll();
    home.tell(OWNER, null);
    runAll();

    assertEquals(
        List.of(OWNER + ":null", OWNER + ":Done.", OWNER + ":Done.", OWNER + ":null"), renders);
    assertNull(lastNotice());
  }

  private @Nullable String lastNotice() {
    String last = renders.get(renders.size() - 1);
    String notice = last.substring(last.indexOf(':') + 1);
    return notice.equals("null") ? null : notice;
  }

  private void runAll() {
    Runnable next;
    while ((next = pool.poll()) != null) {
      next.run();
    }
  }

  private static Message message(String channel, String about) {
    return new Message("test", about, channel, null, "text", "[]");
  }
}
