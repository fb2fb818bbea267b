package dev.keysmith.slack;

import org.jspecify.annotations.Nullable;

/**
 * A value from a Slack payload, made fit for one log line: line breaks and other control or
 * invisible characters written as escapes, and cut to a length a person can read. A signed payload
 * can still carry text that would forge log lines (see ARCHITECTURE.md).
 */
final class LogSafe {
  /** The most characters of a value a log line keeps; the rest is counted, not shown. */
  static final int MAX_LENGTH = 120;

  private LogSafe() {}

  /** {@code value} escaped and cut for a log line; {@code (none)} for null. */
  static String value(@Nullable String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_LENGTH) + 16);
    int shown = 0;
    int i = 0;
    while (i < value.length() && shown < MAX_LENGTH) {
      int c = value.codePointAt(i);
      i += Character.charCount(c);
      shown++;
      append(out, c);
    }
    if (i < value.length()) {
      out.append("…(").append(value.codePointCount(0, value.length())).append(" characters)");
    }
    return out.toString();
  }

  private static void append(StringBuilder out, int c) {
    switch (c) {
      case '\r' -> out.append("\\r");
      case '\n' -> out.append("\\n");
      case '\t' -> out.append("\\t");
      case '\\' -> out.append("\\\\");
      default -> {
        if (isInvisible(c)) {
          out.append(String.format("\\u%04X", c));
        } else {
          out.appendCodePoint(c);
        }
      }
    }
  }

  // Control characters, line and paragraph separators (which some log viewers break on), format
  // characters such as bidirectional overrides and zero-width joiners (which can disguise a line),
  // lone surrogates and unassigned code points.
  private static boolean isInvisible(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE;
  }
}
