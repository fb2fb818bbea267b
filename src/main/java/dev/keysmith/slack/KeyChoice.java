package dev.keysmith.slack;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The value of the Rotate and "Delete … to make room" buttons: the IAM user, the key (the one to
 * replace, or to delete; none for a user without keys) and whether the old secret was lost. Written
 * as {@code user|key|kind}; IAM user names and key ids never contain '|'. Decoded only through
 * {@link Untrusted}'s rules.
 *
 * @param keyId the key, or null for none
 */
record KeyChoice(String iamUser, @Nullable String keyId, boolean lost) {
  private static final String NO_KEY = "-";
  private static final String LOST = "lost";
  private static final String ROTATE = "rotate";

  /** The key this choice names; a button that names none where one is needed is malformed. */
  String namedKey() {
    if (keyId == null) {
      throw Untrusted.malformed(Untrusted.BUTTON);
    }
    return keyId;
  }

  /** The button value. */
  String encode() {
    return iamUser + "|" + (keyId == null ? NO_KEY : keyId) + "|" + (lost ? LOST : ROTATE);
  }

  /**
   * Reads a button value written by {@link #encode()}: a user IAM would take, a key id (or none)
   * and a kind. Anything else is refused with {@code MALFORMED_ACTION}.
   */
  static KeyChoice decode(@Nullable String value) {
    if (value == null) {
      throw Untrusted.malformed(Untrusted.BUTTON);
    }
    List<String> parts = List.of(value.split("\\|", -1));
    if (parts.size() != 3 || !List.of(LOST, ROTATE).contains(parts.get(2))) {
      throw Untrusted.malformed(Untrusted.BUTTON);
    }
    String user = Untrusted.iamUser(parts.get(0), Untrusted.BUTTON);
    String key =
        NO_KEY.equals(parts.get(1)) ? null : Untrusted.accessKeyId(parts.get(1), Untrusted.BUTTON);
    return new KeyChoice(user, key, LOST.equals(parts.get(2)));
  }
}
