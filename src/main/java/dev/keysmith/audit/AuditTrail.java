package dev.keysmith.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Append-only record of every request, decision, IAM call and delivery; never holds a secret. */
public interface AuditTrail {

  /** Appends one event. */
  void record(AuditEvent event);

  /** Appends one event about {@code requestId} that happened at {@code at}. */
  default void record(
      Instant at,
      @Nullable String requestId,
      String actor,
      AuditAction action,
      Map<String, String> details) {
    record(new AuditEvent(at, requestId, actor, action, details));
  }

  /** Events of one request, oldest first. */
  List<AuditEvent> forRequest(String requestId);
}
