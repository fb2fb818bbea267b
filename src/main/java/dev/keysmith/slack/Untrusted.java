package dev.keysmith.slack;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.core.SlackIds;
import dev.keysmith.iam.IamNames;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one strict reader of what a Slack payload names: button values, view metadata, user ids and
 * command arguments. A payload is untrusted even when its signature is good (a leaked signing
 * secret signs anything), so each value must have the shape Keysmith wrote or Slack sends, and
 * anything else is refused with {@link Reason#MALFORMED_ACTION}, naming the part in plain words.
 */
final class Untrusted {
  /** The part of a payload a refusal names: a button's value. */
  static final String BUTTON = "button";

  /** The part of a payload a refusal names: a modal's hidden metadata. */
  static final String FORM = "form";

  /** The part of a payload a refusal names: who clicked, typed or submitted. */
  static final String USER = "user id";

  /** The part of a payload a refusal names: where the answer would go. */
  static final String RESPONSE_URL = "response_url";

  private static final Pattern REQUEST_ID = Pattern.compile("KS-[0-9A-Z]{6}");
  private static final Pattern ROTATION_ID = Pattern.compile("RT-[0-9A-Z]{6}");
  private static final Pattern LINK_ID = Pattern.compile("LK-[0-9A-Z]{6}");
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
  private static final Pattern HOME_PAGE = Pattern.compile("([a-z]{1,10}):([0-9]{1,4})");

  private Untrusted() {}

  /** A request id such as {@code KS-4F7Q2M}, from {@code part}. */
  static String requestId(@Nullable String value, String part) {
    return matching(REQUEST_ID, value, part);
  }

  /** A rotation id such as {@code RT-4F7Q2M}, from {@code part}. */
  static String rotationId(@Nullable String value, String part) {
    return matching(ROTATION_ID, value, part);
  }

  /** A link request id such as {@code LK-4F7Q2M}, from {@code part}. */
  static String linkId(@Nullable String value, String part) {
    return matching(LINK_ID, value, part);
  }

  /** What a Hide button names: the request or rotation whose secret is on screen. */
  static String secretSubject(@Nullable String value) {
    return isRequestId(value) ? requestId(value, BUTTON) : rotationId(value, BUTTON);
  }

  /** An IAM user name by IAM's rules, from {@code part}. */
  static String iamUser(@Nullable String value, String part) {
    if (value == null || !isIamUser(value)) {
      throw malformed(part);
    }
    return value;
  }

  /** An access key id, from {@code part}. */
  static String accessKeyId(@Nullable String value, String part) {
    return matching(ACCESS_KEY_ID, value, part);
  }

  /** The Slack user who clicked, typed or submitted. */
  static String userId(@Nullable String value) {
    if (value == null || !SlackIds.isUserId(value)) {
      throw malformed(USER);
    }
    return value;
  }

  /** Whether {@code value} is a name IAM would take for a user. */
  static boolean isIamUser(@Nullable String value) {
    return value != null
        && !value.isEmpty()
        && value.length() <= IamNames.MAX_USER_NAME_LENGTH
        && IamNames.userNameCharactersNotAllowed(value).isEmpty();
  }

  /** Whether {@code value} is shaped like an access key id. */
  static boolean isAccessKeyId(@Nullable String value) {
    return value != null && ACCESS_KEY_ID.matcher(value).matches();
  }

  /** A Home tab pager's value: which part of the tab, and which page of it. */
  static HomeBlocks.Page homePage(@Nullable String value) {
    java.util.regex.Matcher m = HOME_PAGE.matcher(value == null ? "" : value);
    if (!m.matches()) {
      throw malformed(BUTTON);
    }
    HomeBlocks.Part part = HomeBlocks.Part.byCode(m.group(1));
    if (part == null) {
      throw malformed(BUTTON);
    }
    return new HomeBlocks.Page(part, Integer.parseInt(m.group(2)));
  }

  /** The refusal for a {@code part} that Keysmith cannot read. */
  static Refusal malformed(String part) {
    return new Refusal(Reason.MALFORMED_ACTION, part);
  }

  private static boolean isRequestId(@Nullable String value) {
    return value != null && REQUEST_ID.matcher(value).matches();
  }

  private static String matching(Pattern shape, @Nullable String value, String part) {
    if (value == null || !shape.matcher(value).matches()) {
      throw malformed(part);
    }
    return value;
  }
}
