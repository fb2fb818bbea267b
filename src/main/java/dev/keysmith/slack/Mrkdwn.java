package dev.keysmith.slack;

import dev.keysmith.core.SlackIds;
import org.jspecify.annotations.Nullable;

/** Slack mrkdwn helpers: user text is escaped so it cannot mention, link or format. */
final class Mrkdwn {
  private static final String UNKNOWN = "(unknown)";

  private Mrkdwn() {}

  /** Escapes {@code &}, {@code <} and {@code >}, the only characters Slack asks to escape. */
  static String escape(@Nullable String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Escaped text as a block quote, each line quoted. */
  static String quote(@Nullable String text) {
    return "&gt; " + escape(text).replace("\n", "\n&gt; ");
  }

  /**
   * A mention of a Slack user by id; {@code (unknown)} where the state that should name one does
   * not, so that a message still renders. Anything that is not a user id is shown as escaped text,
   * never inside {@code <@…>}, where {@code <!channel>} would ping everyone.
   */
  static String user(@Nullable String userId) {
    if (userId == null) {
      return UNKNOWN;
    }
    return SlackIds.isUserId(userId) ? "<@" + userId + ">" : escape(userId);
  }

  /** A date Slack shows in each reader's time zone, with a UTC fallback; see {@link #user}. */
  static String date(java.time.@Nullable Instant at) {
    if (at == null) {
      return UNKNOWN;
    }
    return "<!date^"
        + at.getEpochSecond()
        + "^{date_short_pretty} at {time}|"
        + java.time.format.DateTimeFormatter.ISO_INSTANT.format(
            at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
        + ">";
  }
}
