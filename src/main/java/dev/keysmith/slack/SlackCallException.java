package dev.keysmith.slack;

import dev.keysmith.core.KeysmithException;

/** A Slack Web API call or response_url post failed. */
final class SlackCallException extends KeysmithException {
  SlackCallException(String message, Throwable cause) {
    super(message, cause);
  }
}
