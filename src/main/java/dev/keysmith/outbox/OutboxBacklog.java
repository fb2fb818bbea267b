package dev.keysmith.outbox;

/**
 * The outbox for the health check.
 *
 * @param pending messages not delivered yet
 * @param overdue of those, the ones due more than a minute ago: Slack is failing or throttling
 * @param undeliverable messages given up on for good in the last day, which someone should read in
 *     the log and the audit trail
 */
public record OutboxBacklog(long pending, long overdue, long undeliverable) {}
