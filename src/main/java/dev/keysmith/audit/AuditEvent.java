package dev.keysmith.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One audited fact: who did what, when, to which request.
 *
 * @param requestId the request concerned, or null for events about no single request
 * @param actor Slack user id, or {@code keysmith} for the bot itself
 * @param action short verb, such as {@code request.submitted} or {@code iam.CreateUser}
 * @param details extra facts; never secrets
 */
public record AuditEvent(
    Instant at, String requestId, String actor, String action, Map<String, String> details) {

  public AuditEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    details = Map.copyOf(details);
  }
}
