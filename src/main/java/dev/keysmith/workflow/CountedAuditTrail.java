package dev.keysmith.workflow;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Metrics;
import java.util.List;

/**
 * An {@link AuditTrail} that also counts each fact in {@link Metrics} once its transaction commits:
 * every decision is audited, so requests, approvals and reveals are counted where they are
 * recorded, and a rolled-back change counts nothing.
 */
public final class CountedAuditTrail implements AuditTrail {
  private final AuditTrail trail;
  private final Transactions transactions;
  private final Metrics metrics;

  public CountedAuditTrail(AuditTrail trail, Transactions transactions, Metrics metrics) {
    this.trail = trail;
    this.transactions = transactions;
    this.metrics = metrics;
  }

  @Override
  public void record(AuditEvent event) {
    trail.record(event);
    String action = event.action().code();
    transactions.afterCommit(() -> metrics.audited(action));
  }

  @Override
  public List<AuditEvent> forRequest(String requestId) {
    return trail.forRequest(requestId);
  }
}
