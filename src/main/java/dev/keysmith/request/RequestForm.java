package dev.keysmith.request;

import org.jspecify.annotations.Nullable;

/**
 * What a person typed into the create-user modal, already trimmed; a choice left empty is null.
 * {@link RequestValidator} checks it before a request is made of it.
 *
 * @param lifetime how long the user is needed, as the form's option wrote it: an ISO-8601 duration,
 *     {@link #NO_END}, or null for the group's default
 * @param breakGlass whether the requester breaks the glass: approves their own request, in an
 *     emergency, where the group's policy allows it; the justification is the reason
 */
public record RequestForm(
    String iamUserName,
    @Nullable String groupName,
    @Nullable AccessType accessType,
    String ownerId,
    String justification,
    @Nullable String lifetime,
    boolean breakGlass) {

  /** A form that asks for approval, not break-glass. */
  public RequestForm(
      String iamUserName,
      @Nullable String groupName,
      @Nullable AccessType accessType,
      String ownerId,
      String justification,
      @Nullable String lifetime) {
    this(iamUserName, groupName, accessType, ownerId, justification, lifetime, false);
  }

  /** The lifetime option that asks for a user with no end. */
  public static final String NO_END = "none";

  /** A form that leaves the lifetime to the group's default. */
  public RequestForm(
      String iamUserName,
      @Nullable String groupName,
      @Nullable AccessType accessType,
      String ownerId,
      String justification) {
    this(iamUserName, groupName, accessType, ownerId, justification, null);
  }
}
