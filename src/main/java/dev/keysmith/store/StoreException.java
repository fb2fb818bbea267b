package dev.keysmith.store;

import dev.keysmith.core.KeysmithException;

/** The database failed; the message names the operation and never a stored value. */
public final class StoreException extends KeysmithException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
