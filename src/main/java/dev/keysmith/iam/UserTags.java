package dev.keysmith.iam;

/**
 * The tags Keysmith puts on the IAM users it creates. The owner tag is the truth of who owns a
 * user: it lives in IAM, so it survives anything that happens to Keysmith's database.
 */
public final class UserTags {
  /** The request that created the user. */
  public static final String REQUEST = "keysmith:request-id";

  /** The Slack user who asked for it. */
  public static final String REQUESTER = "keysmith:requester";

  /** The Slack user who approved it. */
  public static final String APPROVER = "keysmith:approver";

  /** The Slack user who owns it: the only one who sees its secrets and rotates its keys. */
  public static final String OWNER = "keysmith:owner";

  /**
   * When the user ends (ISO-8601, like {@code 2026-12-04T18:00:00Z}), for a group whose policy
   * bounds its users' lifetime; Keysmith deletes the user then.
   */
  public static final String EXPIRES_AT = "keysmith:expires-at";

  private UserTags() {}
}
