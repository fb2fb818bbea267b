package dev.keysmith.iam;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/** IAM's rules for user names and paths, checked before asking AWS (moto checks neither). */
public final class IamNames {
  /** The most characters (code points) IAM allows in a user name. */
  public static final int MAX_USER_NAME_LENGTH = 64;

  static final int MAX_PATH_LENGTH = 512;

  private static final String PATH_RULE =
      "Use / alone, or a path that starts and ends with / such as /keysmith/, of at most 512"
          + " characters without spaces";

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

  /** Why {@code path} cannot be an IAM path, or empty when it can. */
  public static Optional<String> pathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return Optional.of("The path is empty. " + PATH_RULE);
    }
    List<String> problems = new ArrayList<>();
    if (!path.startsWith("/")) {
      problems.add("it does not start with /");
    }
    if (!path.endsWith("/")) {
      problems.add("it does not end with /");
    }
    if (path.equals("//")) {
      problems.add("it has nothing between the slashes");
    }
    int length = path.codePointCount(0, path.length());
    if (length > MAX_PATH_LENGTH) {
      problems.add("it has " + length + " characters");
    }
    Set<String> bad = offending(path, c -> c >= 0x21 && c <= 0x7E);
    if (!bad.isEmpty()) {
      problems.add("it contains " + String.join(", ", bad));
    }
    return explain("path", problems, PATH_RULE);
  }

  private static boolean isUserNameChar(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || "+=,.@_-".indexOf(c) >= 0;
  }

  private static Optional<String> explain(String what, List<String> problems, String rule) {
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "IAM cannot use that " + what + ": " + String.join("; ", problems) + ". " + rule);
  }

  /** The distinct characters failing {@code allowed}, in order, named so a person can see them. */
  private static Set<String> offending(String text, IntPredicate allowed) {
    Set<String> bad = new LinkedHashSet<>();
    text.codePoints().filter(allowed.negate()).forEach(c -> bad.add(describe(c)));
    return bad;
  }

  private static String describe(int c) {
    if (c == ' ') {
      return "spaces";
    }
    if (Character.isWhitespace(c) || Character.isISOControl(c) || !Character.isDefined(c)) {
      return String.format("the invisible character U+%04X", c);
    }
    return "\"" + Character.toString(c) + "\"";
  }
}
