package dev.keysmith.core;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The shape of the Slack ids Keysmith stores and mentions. Requesters, owners and approvers are
 * Slack user ids: {@code U…}, or {@code W…} on Enterprise Grid, in upper-case letters and digits.
 */
public final class SlackIds {
  // Slack's ids are 9 to 11 characters today; Slack asks apps not to rely on a length, so the
  // bound only keeps a forged value from being huge.
  private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{2,49}");

  private SlackIds() {}

  /**
   * Whether {@code value} is shaped like a Slack user id, so {@code <@value>} mentions a person.
   */
  public static boolean isUserId(@Nullable String value) {
    return value != null && USER_ID.matcher(value).matches();
  }
}
