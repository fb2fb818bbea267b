package dev.keysmith.request;

/**
 * The ports an access request's life goes through: where it is kept, who may decide it, and how
 * people hear of it.
 */
public record RequestPorts(RequestStore store, Approvers approvers, Notifier notifier) {}
