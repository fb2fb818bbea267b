package dev.keysmith.iam;

import dev.keysmith.core.KeysmithException;
import org.jspecify.annotations.Nullable;

/** An IAM call failed; the message says what happened in plain words, with AWS's error code. */
public final class IamException extends KeysmithException {
  private static final long serialVersionUID = 1L;

  private final String errorCode;

  public IamException(String errorCode, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  /** AWS's error code, such as {@code EntityAlreadyExists}, or {@code Unknown}. */
  public String errorCode() {
    return errorCode;
  }
}
