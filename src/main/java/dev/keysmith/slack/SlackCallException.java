package dev.keysmith.slack;

import dev.keysmith.core.KeysmithException;
import org.jspecify.annotations.Nullable;

/** A Slack Web API call or response_url post failed. */
final class SlackCallException extends KeysmithException {
  private static final long serialVersionUID = 1L;

  SlackCallException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
