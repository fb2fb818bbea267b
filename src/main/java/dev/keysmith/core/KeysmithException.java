package dev.keysmith.core;

import org.jspecify.annotations.Nullable;

/**
 * Root of Keysmith's domain failures. Messages are plain words meant for the person in Slack and
 * never contain a secret.
 */
public class KeysmithException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeysmithException(String message) {
    super(message);
  }

  public KeysmithException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** The message given at construction, which is never null. */
  @Override
  public String getMessage() {
    String message = super.getMessage();
    return message == null ? getClass().getSimpleName() : message;
  }
}
