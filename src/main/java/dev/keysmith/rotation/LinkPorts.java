package dev.keysmith.rotation;

import dev.keysmith.request.Approvers;

/**
 * The ports a link request's life goes through: where it is kept, who may decide it, and how people
 * hear of it.
 */
public record LinkPorts(LinkStore store, Approvers approvers, LinkNotifier notifier) {}
