package dev.keysmith.core;

import java.util.List;
import java.util.Objects;

/**
 * A decision not to do what a person asked (not an approver, already decided, not the owner...), as
 * data: a {@link Reason} and the values it names. The Slack layer writes the sentence; the
 * exception's own message is for logs.
 */
public final class Refusal extends KeysmithException {
  private static final long serialVersionUID = 1L;

  private final Reason reason;
  private final List<String> args;

  /** A refusal for {@code reason}, with one value for each of its {@link Reason#params()}. */
  public Refusal(Reason reason, String... args) {
    super(describe(reason, args));
    if (args.length != reason.params.size()) {
      throw new IllegalArgumentException(
          reason + " takes " + reason.params + ", not " + args.length + " values");
    }
    this.reason = reason;
    this.args = List.of(args);
  }

  /** Why the action was refused. */
  public Reason reason() {
    return reason;
  }

  /** The value of one of the reason's parameters. */
  public String arg(String param) {
    int i = reason.params.indexOf(param);
    if (i < 0) {
      throw new IllegalArgumentException(reason + " has no parameter " + param);
    }
    return args.get(i);
  }

  private static String describe(Reason reason, String[] args) {
    StringBuilder text = new StringBuilder(reason.name());
    for (int i = 0; i < Math.min(args.length, reason.params.size()); i++) {
      text.append(' ').append(reason.params.get(i)).append('=').append(Objects.toString(args[i]));
    }
    return text.toString();
  }

  /** Every reason Keysmith refuses for, with the names of the values each one carries. */
  public enum Reason {
    /**
     * A payload Keysmith cannot read: a button value, form metadata, user id or response_url that
     * Keysmith never wrote and Slack never sends. "part" names which, in Keysmith's own words.
     */
    MALFORMED_ACTION("part"),

    // Access requests and their decisions; "decision" is APPROVE or DENY.
    NO_SUCH_REQUEST("requestId"),
    NOT_APPROVER("decision"),
    REQUESTER_DECIDES("decision"),
    OWNER_DECIDES("decision"),
    /** "state" is the request's state; "decidedBy" the approver's id, or empty. */
    ALREADY_DECIDED("requestId", "state", "decidedBy"),
    NOT_YET_POSTED("requestId"),
    /** The approver approved already; "approvals" of "quorum" are in. */
    ALREADY_APPROVED_BY_YOU("requestId", "approvals", "quorum"),
    /** The person may not ask for this group by its policy. */
    MAY_NOT_REQUEST("group"),
    /** The request ended in FAILED; "decidedBy" is who approved it, or empty if none did. */
    REQUEST_FAILED("requestId", "decidedBy"),
    /** The request was approved and provisioned, but its offer ran out unrevealed. */
    REQUEST_EXPIRED("requestId", "decidedBy"),
    /** Nobody decided the request before it expired. */
    REQUEST_EXPIRED_UNDECIDED("requestId"),
    /** The requester withdrew the request. */
    REQUEST_CANCELLED("requestId"),
    /** The request stopped because its requester or owner left. */
    REQUEST_STOPPED("requestId"),
    /** Only the requester may cancel a request. */
    NOT_REQUESTER("requestId"),

    // The one-time reveal of a new user's credentials.
    NOT_CREDENTIALS_OWNER("ownerId"),
    OFFER_EXPIRED("iamUser"),
    REVEAL_UNDER_WAY,
    ALREADY_REVEALED,
    NOTHING_TO_REVEAL("requestId"),
    /** "iamError" is IAM's failure in plain words. */
    CREDENTIALS_NOT_MINTED("iamError"),
    CREDENTIALS_NOT_SHOWN,
    NOT_SECRET_OWNER,

    // Owners and their keys.
    NO_SUCH_IAM_USER("iamUser"),
    NOT_YOUR_USER("iamUser"),
    NO_SUCH_ACCESS_KEY("accessKeyId"),
    /** The panic button on a key that is inactive already: nothing to do. */
    KEY_ALREADY_INACTIVE("accessKeyId"),
    /** Another click deactivates the key at this moment. */
    KEY_DEACTIVATION_UNDER_WAY("accessKeyId"),
    /** The user has no end to move, or ended already, or was never made. */
    NOT_EXTENDABLE("iamUser"),

    // Deleting a user (offboarding).
    /** The user has no Keysmith owner tag, so Keysmith does not delete it. */
    NOT_MANAGED_USER("iamUser"),
    /** Neither its owner nor an approver. */
    NOT_YOURS_TO_DELETE("iamUser"),
    /** "startedBy" is who started the offboarding under way. */
    OFFBOARD_UNDER_WAY("iamUser", "startedBy"),

    // Link requests: making someone the owner of an existing IAM user.
    NO_SUCH_LINK("linkId"),
    /** IAM refused to let Keysmith read the user's tags or groups. */
    LINK_OUT_OF_REACH("iamUser"),
    /** "group" is the protected group the user is in. */
    LINK_PROTECTED_GROUP("iamUser", "group"),
    LINK_ALREADY_OWNER("iamUser", "ownerId"),
    LINK_PENDING("linkId", "iamUser"),
    LINK_NOT_POSTED,
    LINK_NOT_YET_POSTED("linkId"),
    LINK_NEEDS_APPROVER,
    LINK_REQUESTER_DECIDES("iamUser"),
    LINK_OWNER_DECIDES("iamUser"),
    /** "state" is the link's state; "decidedBy" the approver's id, or empty. */
    LINK_ALREADY_DECIDED("linkId", "state", "decidedBy"),
    LINK_EXPIRED("linkId"),
    /** "was" and "now" are the owner's ids when asked and now, either empty for nobody. */
    LINK_OWNER_CHANGED("iamUser", "was", "now"),

    // Key rotation.
    OWNS_NO_USER,
    /** "iamUsers" is the owned users' names, comma-separated. */
    OWNS_SEVERAL_USERS("iamUsers"),
    ONLY_OWNER_ROTATES("iamUser"),
    NO_OWNER_TO_ROTATE("iamUser"),
    KEY_GONE("accessKeyId", "iamUser"),
    FREE_KEY_SLOT("iamUser"),
    KEYS_CHANGED("iamUser"),
    ROTATION_UNDER_WAY,
    USER_ROTATION_UNDER_WAY("iamUser"),
    NEW_KEY_NOT_MINTED("iamError"),
    NEW_KEY_NOT_SHOWN,
    ROTATION_AWAITS_APPROVAL("rotationId", "iamUser"),
    ROTATION_NOT_POSTED,
    ROTATION_NEEDS_APPROVER,
    OWNER_DECIDES_ROTATION("iamUser"),
    /** "state" is the rotation's state; "decidedBy" the approver's id, or empty. */
    ROTATION_ALREADY_DECIDED("rotationId", "state", "decidedBy"),
    ROTATION_NOT_YET_POSTED("rotationId"),
    ROTATION_JUST_DECIDED("rotationId"),
    OLD_KEY_NOT_WAITING,
    OLD_KEY_JUST_HANDLED,
    NO_SUCH_ROTATION("rotationId");

    @SuppressWarnings("ImmutableEnumChecker") // List.of is unmodifiable
    private final List<String> params;

    Reason(String... params) {
      this.params = List.of(params);
    }

    /** The names of the values a refusal for this reason carries, in order. */
    public List<String> params() {
      return params;
    }
  }
}
