package dev.keysmith.slack;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.keysmith.core.Metrics;
import dev.keysmith.outbox.DeliveryFailure;
import dev.keysmith.outbox.Posted;
import dev.keysmith.outbox.SlackPoster;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The outbox's {@link SlackPoster} over the Web API, sorting Slack's failures into what waits
 * (429), what is retried (5xx, timeouts, Slack's own internal errors) and what never will work.
 */
public final class SlackOutboxPoster implements SlackPoster {
  /** How long to wait on a 429 that names no {@code Retry-After}. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(30);

  /** {@code ok: false} errors that Slack documents as passing: try again later. */
  private static final Set<String> TRANSIENT_ERRORS =
      Set.of(
          "internal_error",
          "fatal_error",
          "service_unavailable",
          "request_timeout",
          "timeout",
          "ratelimited");

  private static final String POST = "chat.postMessage";
  private static final String UPDATE = "chat.update";

  private final SlackWebApi slack;
  private final Metrics metrics;

  /** A poster counting nothing. */
  public SlackOutboxPoster(SlackWebApi slack) {
    this(slack, Metrics.none());
  }

  /** A poster counting each delivery attempt's outcome in {@code metrics}. */
  public SlackOutboxPoster(SlackWebApi slack, Metrics metrics) {
    this.slack = slack;
    this.metrics = metrics;
  }

  @Override
  public Posted post(String channel, String text, String blocks) throws DeliveryFailure {
    ChatPostMessageResponse posted =
        counted(
            POST,
            () -> slack.chatPostMessage(m -> m.channel(channel).text(text).blocksAsString(blocks)));
    return new Posted(posted.getChannel(), posted.getTs());
  }

  @Override
  public Posted reply(Posted parent, String text, String blocks) throws DeliveryFailure {
    ChatPostMessageResponse posted =
        counted(
            POST,
            () ->
                slack.chatPostMessage(
                    m ->
                        m.channel(parent.channel())
                            .threadTs(parent.ts())
                            .replyBroadcast(true)
                            .text(text)
                            .blocksAsString(blocks)));
    return new Posted(posted.getChannel(), posted.getTs());
  }

  @Override
  public void update(Posted where, String text, String blocks) throws DeliveryFailure {
    counted(
        UPDATE,
        () ->
            slack.chatUpdate(
                m -> m.channel(where.channel()).ts(where.ts()).text(text).blocksAsString(blocks)));
  }

  private <T extends SlackApiTextResponse> T counted(String method, SlackWebApi.SlackCall<T> call)
      throws DeliveryFailure {
    try {
      T response = call(call);
      metrics.outboxAttempt(method, Metrics.OutboxOutcome.DELIVERED, Duration.ZERO);
      return response;
    } catch (DeliveryFailure f) {
      metrics.outboxAttempt(
          method,
          switch (f.kind()) {
            case RATE_LIMITED -> Metrics.OutboxOutcome.RATE_LIMITED;
            case TRANSIENT -> Metrics.OutboxOutcome.RETRIED;
            case PERMANENT -> Metrics.OutboxOutcome.UNDELIVERABLE;
          },
          f.retryAfter());
      throw f;
    }
  }

  private static <T extends SlackApiTextResponse> T call(SlackWebApi.SlackCall<T> call)
      throws DeliveryFailure {
    T response;
    try {
      response = call.run();
    } catch (SlackApiException e) {
      throw failure(e);
    } catch (IOException e) {
      // A timeout, a refused or dropped connection, an unreadable answer.
      throw DeliveryFailure.transientError(e.getClass().getSimpleName());
    }
    if (!response.isOk()) {
      String error = String.valueOf(response.getError());
      if (error.equals("ratelimited")) {
        throw DeliveryFailure.rateLimited(DEFAULT_RETRY_AFTER);
      }
      throw TRANSIENT_ERRORS.contains(error)
          ? DeliveryFailure.transientError(error)
          : DeliveryFailure.permanent(error);
    }
    return response;
  }

  /** An HTTP status other than 200. */
  private static DeliveryFailure failure(SlackApiException e) {
    int status = e.getResponse().code();
    if (status == 429) {
      return DeliveryFailure.rateLimited(retryAfter(e.getResponse().header("Retry-After")));
    }
    if (status >= 500 || status == 408) {
      return DeliveryFailure.transientError("HTTP " + status);
    }
    String error = e.getError() == null ? null : e.getError().getError();
    return DeliveryFailure.permanent(error != null ? error : "HTTP " + status);
  }

  /** Slack sends whole seconds; anything unreadable waits the default. */
  static Duration retryAfter(@Nullable String header) {
    if (header == null) {
      return DEFAULT_RETRY_AFTER;
    }
    try {
      long seconds = Long.parseLong(header.strip());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : DEFAULT_RETRY_AFTER;
    } catch (NumberFormatException e) {
      return DEFAULT_RETRY_AFTER;
    }
  }
}
