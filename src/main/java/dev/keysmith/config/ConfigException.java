package dev.keysmith.config;

import dev.keysmith.core.KeysmithException;

/** A setting is missing or invalid; the message names it. */
public final class ConfigException extends KeysmithException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
