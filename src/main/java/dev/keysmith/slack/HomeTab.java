package dev.keysmith.slack;

import com.slack.api.model.view.View;
import dev.keysmith.outbox.Message;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.Approvers;
import dev.keysmith.request.RequestService;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyReminders;
import dev.keysmith.rotation.KeyView;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Home tab of each person who opened it current: renders it on the worker pool (it reads
 * IAM) and publishes it with {@code views.publish}. Refreshes are coalesced per person (a burst of
 * changes is one publish) and best effort: a failure is logged, and the next open renders again.
 * Who opened the tab, which page they are on and what their tab shows are kept in this process.
 */
public final class HomeTab {
  private static final Logger log = LoggerFactory.getLogger(HomeTab.class);

  /** Where the tab's contents come from. */
  public record Sources(
      RequestService requests, KeyCare care, KeyReminders reminders, Approvers approvers) {}

  /** One person's tab, as last rendered. */
  private record Shown(HomeBlocks.Pages pages, Set<String> subjects, boolean approver) {}

  /** A rendered tab: the view, the ids and names it shows, and whether its reader approves. */
  record Rendered(View view, Set<String> subjects, boolean approver) {
    Rendered {
      subjects = Set.copyOf(subjects);
    }
  }

  /** Renders one person's tab at their pages, with a notice at its top or none. */
  interface Renderer {
    Rendered render(String user, HomeBlocks.Pages pages, @Nullable String notice);
  }

  /** Publishes a view as one person's Home tab. */
  interface Publisher {
    void publish(String user, View view);
  }

  private final Renderer renderer;
  private final Publisher publisher;
  private final Executor executor;
  private final String approvalsChannel;
  private final Map<String, Shown> opened = new ConcurrentHashMap<>();
  private final Map<String, Boolean> queued = new ConcurrentHashMap<>();
  private final Map<String, String> notices = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /** A Home tab over {@code sources}, published through {@code slack} on {@code executor}. */
  public HomeTab(Sources sources, SlackWebApi slack, Executor executor, String approvalsChannel) {
    this(
        (user, pages, notice) -> render(sources, user, pages, notice),
        (user, view) ->
            SlackWebApi.call(
                "views.publish", () -> slack.viewsPublish(v -> v.userId(user).view(view))),
        executor,
        approvalsChannel);
  }

  HomeTab(Renderer renderer, Publisher publisher, Executor executor, String approvalsChannel) {
    this.renderer = renderer;
    this.publisher = publisher;
    this.executor = executor;
    this.approvalsChannel = approvalsChannel;
  }

  /** {@code user} opened the tab: remember them, and render it for them now. */
  void opened(String user) {
    opened.putIfAbsent(user, new Shown(HomeBlocks.Pages.first(), Set.of(), false));
    notices.remove(user);
    refresh(user);
  }

  /**
   * A message left in the outbox has committed: the tabs it may change are refreshed. Those of its
   * recipient, of whoever's tab shows what it is about, and, for the approvals channel, the
   * approvers'.
   */
  public void changed(Message message) {
    opened.forEach(
        (user, shown) -> {
          if (user.equals(message.channel())
              || shown.subjects().contains(message.about())
              || (shown.approver() && approvalsChannel.equals(message.channel()))) {
            refresh(user);
          }
        });
  }

  /**
   * Refreshes {@code user}'s tab with {@code notice} at its top, where it stays (through refreshes
   * that changes cause) until their next click or open.
   */
  void tell(String user, @Nullable String notice) {
    if (notice != null) {
      notices.put(user, notice);
    } else {
      notices.remove(user);
    }
    opened.putIfAbsent(user, new Shown(HomeBlocks.Pages.first(), Set.of(), false));
    refresh(user);
  }

  /** {@code user} moved to {@code page} of a part of their tab; shown at the next refresh. */
  void page(String user, HomeBlocks.Page page) {
    opened.merge(
        user,
        new Shown(HomeBlocks.Pages.first().with(page), Set.of(), false),
        (was, first) -> new Shown(was.pages().with(page), was.subjects(), was.approver()));
  }

  /** Renders and publishes {@code user}'s tab soon, once however often it is asked meanwhile. */
  void refresh(String user) {
    if (!opened.containsKey(user) || queued.putIfAbsent(user, Boolean.TRUE) != null) {
      return;
    }
    executor.execute(
        () -> {
          // One render at a time per person, so an older render never lands after a newer one;
          // what is asked meanwhile waits as one more.
          synchronized (locks.computeIfAbsent(user, u -> new Object())) {
            queued.remove(user);
            try {
              publish(user);
            } catch (RuntimeException e) {
              log.warn(
                  "Home tab of {} not published: {}",
                  LogSafe.value(user),
                  LogSafe.value(e.getMessage()));
            }
          }
        });
  }

  private void publish(String user) {
    Shown was = opened.get(user);
    HomeBlocks.Pages pages = was == null ? HomeBlocks.Pages.first() : was.pages();
    Rendered rendered = renderer.render(user, pages, notices.get(user));
    // The pages as they are now: a pager clicked during this render asked for the next one.
    opened.compute(
        user,
        (u, now) ->
            new Shown(now == null ? pages : now.pages(), rendered.subjects(), rendered.approver()));
    publisher.publish(user, rendered.view());
  }

  /** Reads what {@code user}'s tab shows (IAM, the store) and builds it. */
  private static Rendered render(
      Sources sources, String user, HomeBlocks.Pages pages, @Nullable String notice) {
    List<KeyView> keys = sources.care().keys(user, Optional.empty());
    List<AccessRequest> offers = sources.requests().offersFor(user);
    List<AccessRequest> open = sources.requests().openBy(user);
    List<AccessRequest> queue = sources.requests().awaiting(user);
    boolean approver = sources.approvers().isApprover(user) || !queue.isEmpty();
    HomeBlocks.Approving approving =
        approver ? new HomeBlocks.Approving(queue, sources.reminders().lastScan()) : null;
    Set<String> subjects = new HashSet<>();
    keys.forEach(
        k -> {
          subjects.add(k.iamUser());
          subjects.add(k.accessKeyId());
        });
    offers.forEach(r -> subjects.add(r.id()));
    open.forEach(r -> subjects.add(r.id()));
    queue.forEach(r -> subjects.add(r.id()));
    View view =
        HomeBlocks.home(new HomeBlocks.Content(notice, keys, offers, open, approving), pages);
    return new Rendered(view, subjects, approver);
  }
}
