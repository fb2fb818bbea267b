package dev.keysmith.request;

import java.util.List;

/**
 * What is wrong with one field of a create-user form, as data: a {@link Reason} and the values it
 * names. The Slack layer writes the sentence shown on the field.
 *
 * @param reason why the field cannot be submitted as it is
 * @param args one value for each of the reason's {@link Reason#params()}, in order
 */
public record FormProblem(Reason reason, List<String> args) {

  public FormProblem {
    args = List.copyOf(args);
    if (args.size() != reason.params.size()) {
      throw new IllegalArgumentException(
          reason + " takes " + reason.params + ", not " + args.size() + " values");
    }
  }

  /** A problem for {@code reason}, with one value for each of its {@link Reason#params()}. */
  public static FormProblem of(Reason reason, String... args) {
    return new FormProblem(reason, List.of(args));
  }

  /** The value of one of the reason's parameters. */
  public String arg(String param) {
    int i = reason.params.indexOf(param);
    if (i < 0) {
      throw new IllegalArgumentException(reason + " has no parameter " + param);
    }
    return args.get(i);
  }

  /** Every problem a form field can have, with the names of the values each one carries. */
  public enum Reason {
    // The IAM user name, by IAM's rules (iam.IamNames) and by what exists or is asked for.
    USER_NAME_EMPTY,
    /** "length" is the name's length in characters (code points), over IAM's limit. */
    USER_NAME_TOO_LONG("length"),
    /** "characters" is the distinct characters IAM does not allow, in order of appearance. */
    USER_NAME_BAD_CHARACTERS("characters"),
    /** Both of the above at once; IAM's rules are broken twice, and both are named. */
    USER_NAME_TOO_LONG_AND_BAD_CHARACTERS("length", "characters"),
    /** An IAM user has this name already, in any case. */
    USER_NAME_TAKEN,
    /** Another open request asks for this name; "requestId" is that request's id. */
    USER_NAME_CLAIMED("requestId"),

    // The other fields.
    GROUP_MISSING,
    GROUP_NOT_OFFERED,
    /** The group's policy does not let the requester ask for it. */
    GROUP_NOT_FOR_YOU("group"),
    /** Slack has not said yet who is in the user group the group's policy names. */
    GROUP_MEMBERS_UNKNOWN("group"),
    /**
     * The group's policy needs more approvers than there are besides the requester and the owner;
     * "quorum" is how many it needs.
     */
    GROUP_TOO_FEW_APPROVERS("group", "quorum"),
    /** The lifetime is longer than the group's policy allows; "max" is its maximum in words. */
    LIFETIME_TOO_LONG("group", "max"),
    /** "No end" for a group whose users must end; "max" is its maximum in words. */
    LIFETIME_NEEDS_END("group", "max"),
    /** A lifetime value the form never offers: a form Slack did not send. */
    LIFETIME_UNREADABLE,
    /** An extension that would end the user no later than it ends now. */
    LIFETIME_NOT_LATER,
    /** The group's policy has no break-glass. */
    BREAK_GLASS_NOT_ALLOWED("group"),
    /** Break-glass is for the requester's own access: they must be the owner. */
    BREAK_GLASS_FOR_SOMEONE_ELSE,
    ACCESS_TYPE_MISSING,
    /** The group's policy does not allow this access type; "allowed" lists the labels it does. */
    ACCESS_TYPE_NOT_ALLOWED("group", "allowed"),
    OWNER_MISSING,
    /** The owner is not a Slack user id: a form Slack did not send (see core.SlackIds). */
    OWNER_NOT_A_USER,
    JUSTIFICATION_MISSING,
    /** "limit" is the most characters accepted; "length" is how many were given. */
    JUSTIFICATION_TOO_LONG("limit", "length");

    @SuppressWarnings("ImmutableEnumChecker") // List.of is unmodifiable
    private final List<String> params;

    Reason(String... params) {
      this.params = List.of(params);
    }

    /** The names of the values a problem for this reason carries, in order. */
    public List<String> params() {
      return params;
    }
  }
}
