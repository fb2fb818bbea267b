package dev.keysmith.iam;

/** IAM's rules for user names, checked before asking AWS (moto does not check them). */
public final class IamNames {
  /** The most characters (code points) IAM allows in a user name. */
  public static final int MAX_USER_NAME_LENGTH = 64;

  private IamNames() {}

  /**
   * The distinct characters of {@code name} that IAM does not allow in a user name, in order of
   * first appearance; empty when there are none. Emptiness and length ({@link
   * #MAX_USER_NAME_LENGTH} code points at most) are the caller's to check.
   */
  public static String userNameCharactersNotAllowed(String name) {
    StringBuilder bad = new StringBuilder();
    name.codePoints().filter(c -> !isUserNameChar(c)).distinct().forEach(bad::appendCodePoint);
    return bad.toString();
  }

  private static boolean isUserNameChar(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || "+=,.@_-".indexOf(c) >= 0;
  }
}
