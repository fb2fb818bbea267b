/**
 * The durable outbox: every Slack message a promise depends on is stored in the transaction of the
 * state change that promises it, then delivered by the {@link dev.keysmith.outbox.Courier} with
 * retries, so a Slack outage delays a message but never loses it or fails a workflow. Secrets never
 * enter it: they travel only on {@code response_url}.
 */
@NullMarked
package dev.keysmith.outbox;

import org.jspecify.annotations.NullMarked;
