package dev.keysmith.core;

import java.time.Duration;

/**
 * What Keysmith counts for its operators, in domain words: facts audited, Slack and IAM calls and
 * their results, how fast Slack requests are acked, keys past their maximum age. The adapter
 * ({@code metrics.PrometheusMetrics}) decides names and labels; callers pass only values from fixed
 * sets (enums, Keysmith's own method and operation names), never a user, key, request or Slack id.
 */
public interface Metrics {

  /** What kind of Slack request was acked. */
  enum AckKind {
    COMMAND,
    BLOCK_ACTION,
    VIEW_SUBMISSION,
    EVENT,
    OTHER
  }

  /** How the request reached Keysmith. */
  enum Transport {
    HTTP,
    SOCKET_MODE
  }

  /** How one Slack Web API call ended. */
  enum SlackResult {
    /** {@code ok: true}. */
    OK,
    /** {@code ok: false} with an error other than a rate limit, or a 4xx. */
    ERROR,
    /** HTTP 429 or {@code ratelimited}. */
    RATE_LIMITED,
    /** No usable answer: a timeout, a dropped connection, a 5xx. */
    UNAVAILABLE
  }

  /** What the outbox did with one delivery attempt. */
  enum OutboxOutcome {
    DELIVERED,
    /** Slack answered 429: the method waits its {@code Retry-After}, then the message is sent. */
    RATE_LIMITED,
    /** A failure that may pass: retried with backoff. */
    RETRIED,
    /** An error retrying cannot fix: given up. */
    UNDELIVERABLE
  }

  /** How one IAM (or STS) call ended, after the SDK's retries. */
  enum IamResult {
    OK,
    /** A 4xx other than throttling: {@code NoSuchEntity}, {@code EntityAlreadyExists}, .... */
    CLIENT_ERROR,
    /** Still throttled when the SDK stopped retrying. */
    THROTTLED,
    /** A 5xx. */
    SERVER_ERROR,
    /** No answer: a timeout or no connection. */
    UNAVAILABLE
  }

  /** An audited fact committed, by its code ({@code audit.AuditAction#code()}). */
  void audited(String action);

  /** A Slack Web API call to {@code method} (such as {@code chat.postMessage}) ended so. */
  void slackCall(String method, SlackResult result);

  /**
   * The outbox tried to deliver through {@code method}; {@code retryAfter} is the pause Slack asked
   * for on a 429, else zero.
   */
  void outboxAttempt(String method, OutboxOutcome outcome, Duration retryAfter);

  /**
   * An IAM or STS call of {@code operation} (such as {@code CreateUser}) ended so, after {@code
   * throttledRetries} retries because IAM throttled and {@code otherRetries} for other failures.
   */
  void iamCall(String operation, IamResult result, int throttledRetries, int otherRetries);

  /** A Slack request of {@code kind} was acked {@code nanos} after it arrived. */
  void acked(AckKind kind, Transport transport, long nanos);

  /** The last scan of keys found {@code count} active keys older than the maximum age. */
  void keysPastMaxAge(long count);

  /** Metrics that count nothing: for tests and tools that do not look. */
  static Metrics none() {
    return new Metrics() {
      @Override
      public void audited(String action) {}

      @Override
      public void slackCall(String method, SlackResult result) {}

      @Override
      public void outboxAttempt(String method, OutboxOutcome outcome, Duration retryAfter) {}

      @Override
      public void iamCall(
          String operation, IamResult result, int throttledRetries, int otherRetries) {}

      @Override
      public void acked(AckKind kind, Transport transport, long nanos) {}

      @Override
      public void keysPastMaxAge(long count) {}
    };
  }
}
