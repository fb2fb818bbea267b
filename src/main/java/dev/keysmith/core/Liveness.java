package dev.keysmith.core;

import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * When calls to one outside service (Slack's Web API, IAM) last succeeded and last failed, for the
 * health check. Two volatile writes per call: cheap enough to record every call.
 */
public final class Liveness {
  private final Clock clock;
  private volatile @Nullable Instant lastOk;
  private volatile @Nullable Instant lastError;

  /** Records times read from {@code clock}. */
  public Liveness(Clock clock) {
    this.clock = clock;
  }

  /** What was last seen; either time is null until such a call happens. */
  public record Seen(@Nullable Instant lastOk, @Nullable Instant lastError) {}

  /** A call succeeded now. */
  public void ok() {
    lastOk = clock.instant();
  }

  /** A call failed now. */
  public void failed() {
    lastError = clock.instant();
  }

  /** The times last seen. */
  public Seen seen() {
    return new Seen(lastOk, lastError);
  }
}
