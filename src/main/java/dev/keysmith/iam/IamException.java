package dev.keysmith.iam;

import dev.keysmith.core.KeysmithException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** An IAM call failed; the message says what happened in plain words, with AWS's error code. */
public final class IamException extends KeysmithException {
  private static final long serialVersionUID = 1L;

  /** Error codes that say IAM may well answer if asked again later (AWS says: retry). */
  static final Set<String> TRANSIENT_CODES =
      Set.of(
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "ServiceFailure",
          "ServiceUnavailable",
          "InternalFailure",
          "RequestTimeout",
          "ConcurrentModification");

  private final String errorCode;
  private final boolean isTransient;

  /** A failure that is transient when {@code errorCode} says so ({@link #TRANSIENT_CODES}). */
  public IamException(String errorCode, String message, @Nullable Throwable cause) {
    this(errorCode, message, cause, TRANSIENT_CODES.contains(errorCode));
  }

  /** A failure that {@code isTransient} says may pass (IAM unreachable, slow, overloaded). */
  public IamException(
      String errorCode, String message, @Nullable Throwable cause, boolean isTransient) {
    super(message, cause);
    this.errorCode = errorCode;
    this.isTransient = isTransient;
  }

  /**
   * Whether asking again later may succeed: IAM could not be reached or did not answer in time, or
   * answered with a 5xx or throttling; false for a refusal that stands (a name taken, a group
   * missing, a quota), which asking again would only repeat.
   */
  public boolean isTransient() {
    return isTransient;
  }

  /** AWS's error code, such as {@code EntityAlreadyExists}, or {@code Unknown}. */
  public String errorCode() {
    return errorCode;
  }
}
