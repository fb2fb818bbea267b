package dev.keysmith.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.slack.api.bolt.middleware.Middleware;
import com.slack.api.bolt.middleware.MiddlewareChain;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.builtin.EventRequest;
import com.slack.api.bolt.response.Response;
import dev.keysmith.core.Deliveries;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each Events API event once. Slack delivers an event again (with {@code X-Slack-Retry-Num})
 * when no 200 came within 3 s, though the first delivery may still be running: a delivery whose
 * {@code event_id} was seen is answered 200 and not run again. Other requests pass untouched; Slack
 * does not retry commands or interactivity over HTTP. Behind a load balancer the retry may reach
 * another replica, so an event new to this one is also taken in through {@link Deliveries}.
 */
final class EventRetries implements Middleware {
  private static final Logger log = LoggerFactory.getLogger(EventRetries.class);

  // Slack retries three times over about five minutes; an hour covers a slow last retry.
  private final Cache<String, Boolean> seen =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(1)).maximumSize(10_000).build();
  private final Deliveries deliveries;

  EventRetries(Deliveries deliveries) {
    this.deliveries = deliveries;
  }

  @Override
  @SuppressWarnings("rawtypes") // Bolt's Middleware declares the raw type
  public Response apply(Request req, Response resp, MiddlewareChain chain) throws Exception {
    if (req instanceof EventRequest event) {
      String id = eventId(event.getRequestBodyAsString());
      if (id != null && !firstTime(id)) {
        log.info(
            "event {} came again (retry {}); answered, not run again",
            LogSafe.value(id),
            event.getContext().getRetryNum());
        return Response.ok();
      }
    }
    return chain.next(req);
  }

  private boolean firstTime(String id) {
    if (seen.asMap().putIfAbsent(id, Boolean.TRUE) != null) {
      return false;
    }
    try {
      return deliveries.takeIn("event:" + id);
    } catch (RuntimeException e) {
      // The events Keysmith handles (user_change, app_home_opened) are harmless twice: better run
      // than lost.
      log.warn(
          "could not check whether another replica took event {} in ({}); running it",
          LogSafe.value(id),
          e.toString());
      return true;
    }
  }

  private static @Nullable String eventId(String body) {
    try {
      JsonElement id = JsonParser.parseString(body).getAsJsonObject().get("event_id");
      return id == null || !id.isJsonPrimitive() ? null : id.getAsString();
    } catch (RuntimeException unreadable) {
      return null;
    }
  }
}
