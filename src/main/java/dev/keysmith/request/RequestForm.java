package dev.keysmith.request;

import org.jspecify.annotations.Nullable;

/**
 * What a person typed into the create-user modal, already trimmed; a choice left empty is null.
 * {@link RequestValidator} checks it before a request is made of it.
 */
public record RequestForm(
    String iamUserName,
    @Nullable String groupName,
    @Nullable AccessType accessType,
    String ownerId,
    String justification) {}
