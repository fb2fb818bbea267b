package dev.keysmith.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slack's published Web API rate limits, for the fake Slack. The model, exactly:
 *
 * <ul>
 *   <li>{@code chat.update}: at most 50 calls in any rolling 60 s, for the whole workspace (Tier
 *       3);
 *   <li>{@code chat.postMessage}: at most 1 call in any rolling 1 s per channel (a post to a user
 *       id counts against the DM channel Slack opens for it), with no burst beyond that: Slack
 *       allows "short bursts" but publishes no size, so the model allows none. Slack's
 *       workspace-wide limit on posts has no published number and is not modelled;
 *   <li>{@code views.open} and {@code views.update}: at most 100 calls in any rolling 60 s each,
 *       for the whole workspace (Tier 4);
 *   <li>every other method is not limited.
 * </ul>
 *
 * A call past its limit is refused and has no effect; it does not count against the limit. Its
 * {@code Retry-After} is the time until the oldest call in the window leaves it (when the refused
 * call would have been allowed), rounded up to whole seconds, as Slack's header carries only whole
 * seconds.
 *
 * <p>{@code scale} multiplies every limit's count and keeps its window: at scale 10, 500 {@code
 * chat.update} calls per 60 s and 10 posts per second per channel. Windows stay real seconds so
 * that {@code Retry-After}, whole seconds, keeps the weight it has against Slack's real windows.
 */
public final class SlackRateLimits {
  /** One method's limit: {@code count} calls in any rolling {@code window}. */
  record Limit(int count, Duration window, boolean perChannel) {}

  private static final Map<String, Limit> PUBLISHED =
      Map.of(
          "chat.update", new Limit(50, Duration.ofSeconds(60), false),
          "chat.postMessage", new Limit(1, Duration.ofSeconds(1), true),
          "views.open", new Limit(100, Duration.ofSeconds(60), false),
          "views.update", new Limit(100, Duration.ofSeconds(60), false));

  private final double scale;
  private final LongSupplier nanoTime;
  private final Map<String, Deque<Long>> windows = new HashMap<>();

  private SlackRateLimits(double scale, LongSupplier nanoTime) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be positive: " + scale);
    }
    this.scale = scale;
    this.nanoTime = nanoTime;
  }

  /** Slack's published limits, their counts multiplied by {@code scale}, on the system clock. */
  public static SlackRateLimits published(double scale) {
    return new SlackRateLimits(scale, System::nanoTime);
  }

  /** The same, on a clock of nanoseconds the caller moves (for tests). */
  static SlackRateLimits published(double scale, LongSupplier nanoTime) {
    return new SlackRateLimits(scale, nanoTime);
  }

  /** The scale the limits were made at. */
  public double scale() {
    return scale;
  }

  /** Calls of {@code method} allowed in one window at this scale, or 0 when it is not limited. */
  public int allowed(String method) {
    Limit limit = PUBLISHED.get(method);
    return limit == null ? 0 : count(limit);
  }

  /** The window of {@code method}'s limit, or zero when it is not limited. */
  public static Duration window(String method) {
    Limit limit = PUBLISHED.get(method);
    return limit == null ? Duration.ZERO : limit.window();
  }

  /**
   * Takes a call of {@code method} to {@code channel} (ignored unless the method is limited per
   * channel): null when it is allowed, now counted; else the {@code Retry-After} to answer it, and
   * it is not counted.
   */
  public synchronized Duration take(String method, String channel) {
    Limit limit = PUBLISHED.get(method);
    if (limit == null) {
      return null;
    }
    String key = limit.perChannel() ? method + " " + channel : method;
    Deque<Long> calls = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
    long now = nanoTime.getAsLong();
    long window = limit.window().toNanos();
    while (!calls.isEmpty() && now - calls.peekFirst() >= window) {
      calls.pollFirst();
    }
    if (calls.size() < count(limit)) {
      calls.addLast(now);
      return null;
    }
    long waitNanos = calls.peekFirst() + window - now;
    long seconds = (waitNanos + 999_999_999L) / 1_000_000_000L;
    return Duration.ofSeconds(Math.max(1, seconds));
  }

  private int count(Limit limit) {
    return Math.max(1, (int) Math.round(limit.count() * scale));
  }
}
