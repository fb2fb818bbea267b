package dev.keysmith.request;

/** What a person typed into the create-user modal, already trimmed. */
public record RequestForm(
    String iamUserName,
    String groupName,
    AccessType accessType,
    String ownerId,
    String justification) {}
