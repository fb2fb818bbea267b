package dev.keysmith.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One audited fact: who did what, when, to which request.
 *
 * @param requestId the request, rotation or access key concerned, or null for none
 * @param actor Slack user id, or {@link #SYSTEM} for Keysmith itself
 * @param action what happened
 * @param details extra facts; never secrets
 */
public record AuditEvent(
    Instant at,
    @Nullable String requestId,
    String actor,
    AuditAction action,
    Map<String, String> details) {

  /** The actor of everything Keysmith does by itself: provisioning, jobs, recovery, expiry. */
  public static final String SYSTEM = "keysmith";

  public AuditEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    details = Map.copyOf(details);
  }
}
