package dev.keysmith.core;

import java.util.Objects;

/**
 * A secret value (access key secret, password). Its {@code toString()} hides it, so it cannot leak
 * through logging or string concatenation by accident; only {@link #reveal()} gives it out.
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** The secret itself; call only where it goes into an ephemeral message for its owner. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret[hidden]";
  }
}
