package dev.keysmith.outbox;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Why Slack did not take a message, and whether trying again can help. */
public final class DeliveryFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** What to do about it. */
  public enum Kind {
    /** HTTP 429 or {@code ratelimited}: wait {@link #retryAfter()}, then try again. */
    RATE_LIMITED,
    /** 5xx, a timeout, a dropped connection: back off and try again. */
    TRANSIENT,
    /** An error retrying cannot fix ({@code channel_not_found}, {@code invalid_auth}, ...). */
    PERMANENT
  }

  /** Slack's errors that mean nothing Keysmith posts anywhere can get through. */
  private static final Set<String> AUTHENTICATION =
      Set.of(
          "invalid_auth",
          "not_authed",
          "token_revoked",
          "token_expired",
          "account_inactive",
          "missing_scope",
          "no_permission",
          "team_access_not_granted",
          "ekm_access_denied");

  private final Kind kind;
  private final String error;
  private final @Nullable Duration retryAfter;

  private DeliveryFailure(Kind kind, String error, @Nullable Duration retryAfter) {
    super(error, null, false, false);
    this.kind = kind;
    this.error = Objects.requireNonNull(error, "error");
    this.retryAfter = retryAfter;
  }

  /** Slack asked to wait {@code retryAfter} before calling this method again. */
  public static DeliveryFailure rateLimited(Duration retryAfter) {
    return new DeliveryFailure(Kind.RATE_LIMITED, "ratelimited", retryAfter);
  }

  /** A failure that may pass; {@code error} names it (an HTTP status, an exception class). */
  public static DeliveryFailure transientError(String error) {
    return new DeliveryFailure(Kind.TRANSIENT, error, null);
  }

  /** An error retrying cannot fix; {@code error} is Slack's code. */
  public static DeliveryFailure permanent(String error) {
    return new DeliveryFailure(Kind.PERMANENT, error, null);
  }

  public Kind kind() {
    return kind;
  }

  /** Slack's error code, or what failed. Never holds message content. */
  public String error() {
    return error;
  }

  /** How long Slack asked to wait; set for {@link Kind#RATE_LIMITED}. */
  public Duration retryAfter() {
    return retryAfter == null ? Duration.ZERO : retryAfter;
  }

  /** Whether the bot's token itself is refused, so no message anywhere can get through. */
  public boolean authentication() {
    return AUTHENTICATION.contains(error);
  }
}
