package dev.keysmith.store;

import dev.keysmith.core.KeysmithException;

/** The database failed; the message names the operation and never a stored value. */
public final class StoreException extends KeysmithException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
