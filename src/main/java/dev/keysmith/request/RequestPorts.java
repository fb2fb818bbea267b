package dev.keysmith.request;

/**
 * The ports an access request's life goes through: where it is kept, whose policy says who may ask
 * and decide, and how people hear of it.
 */
public record RequestPorts(RequestStore store, Policies policies, Notifier notifier) {}
