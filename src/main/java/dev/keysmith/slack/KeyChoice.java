package dev.keysmith.slack;

import dev.keysmith.core.KeysmithException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The value of the Rotate and "Delete … to make room" buttons: the IAM user, the key (the one to
 * replace, or to delete; none for a user without keys) and whether the old secret was lost. Written
 * as {@code user|key|kind}; IAM user names and key ids never contain '|'.
 *
 * @param keyId the key, or null for none
 */
record KeyChoice(String iamUser, @Nullable String keyId, boolean lost) {
  private static final String NO_KEY = "-";
  private static final String LOST = "lost";
  private static final String ROTATE = "rotate";

  /** The button value. */
  String encode() {
    return iamUser + "|" + (keyId == null ? NO_KEY : keyId) + "|" + (lost ? LOST : ROTATE);
  }

  /** Reads a button value written by {@link #encode()}; anything else is refused in plain words. */
  static KeyChoice decode(String value) {
    List<String> parts = List.of(value.split("\\|", -1));
    if (parts.size() != 3
        || parts.get(0).isEmpty()
        || parts.get(1).isEmpty()
        || !List.of(LOST, ROTATE).contains(parts.get(2))) {
      throw new KeysmithException(
          "That button does not say which key it is for. Run `/iam rotate-key` again.");
    }
    String key = parts.get(1);
    return new KeyChoice(parts.get(0), NO_KEY.equals(key) ? null : key, LOST.equals(parts.get(2)));
  }
}
