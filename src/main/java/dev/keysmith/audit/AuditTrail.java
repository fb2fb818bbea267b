package dev.keysmith.audit;

import java.util.List;

/** Append-only record of every request, decision, IAM call and delivery; never holds a secret. */
public interface AuditTrail {

  /** Appends one event. */
  void record(AuditEvent event);

  /** Events of one request, oldest first. */
  List<AuditEvent> forRequest(String requestId);
}
