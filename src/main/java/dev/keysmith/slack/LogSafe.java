package dev.keysmith.slack;

import org.jspecify.annotations.Nullable;

/** Makes a value that came from a request safe to put in a log line. */
final class LogSafe {
  /** Longer values are cut: a log line is a summary, not a copy of the request. */
  static final int MAX_CHARS = 200;

  private LogSafe() {}

  /**
   * {@code value} with backslashes, control characters (CR and LF among them), line separators and
   * invisible format characters escaped as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code
   * uXXXX}, so it cannot forge or hide a log line, and cut to {@link #MAX_CHARS} characters.
   */
  static String value(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    int end = Math.min(value.length(), MAX_CHARS);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    StringBuilder safe = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> safe.append("\\\\");
        case '\n' -> safe.append("\\n");
        case '\r' -> safe.append("\\r");
        case '\t' -> safe.append("\\t");
        default -> {
          if (needsEscape(c)) {
            safe.append(String.format("\\u%04x", (int) c));
          } else {
            safe.append(c);
          }
        }
      }
    }
    if (end < value.length()) {
      safe.append("...(").append(value.length() - end).append(" more chars)");
    }
    return safe.toString();
  }

  private static boolean needsEscape(char c) {
    if (Character.isISOControl(c)) {
      return true;
    }
    int type = Character.getType(c);
    // U+2028/U+2029 end a line for some log viewers; format characters (bidi overrides,
    // zero-width ones) can make a line read differently from what it holds.
    return type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT;
  }
}
