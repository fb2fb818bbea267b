package dev.keysmith.core;

/**
 * Root of Keysmith's domain failures. Messages are plain words meant for the person in Slack and
 * never contain a secret.
 */
public class KeysmithException extends RuntimeException {
  public KeysmithException(String message) {
    super(message);
  }

  public KeysmithException(String message, Throwable cause) {
    super(message, cause);
  }
}
