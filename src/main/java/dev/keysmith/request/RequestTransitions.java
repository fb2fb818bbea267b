package dev.keysmith.request;

import dev.keysmith.audit.AuditTrail;
import dev.keysmith.workflow.Transactions;
import java.time.Clock;
import java.util.Map;

/**
 * Moves a stored request from one state to the next and audits the move, both or neither: the
 * compare-and-set and its audit event commit in one transaction.
 */
public final class RequestTransitions {
  private final RequestStore store;
  private final Transactions transactions;
  private final AuditTrail audit;
  private final Clock clock;

  public RequestTransitions(
      RequestStore store, Transactions transactions, AuditTrail audit, Clock clock) {
    this.store = store;
    this.transactions = transactions;
    this.audit = audit;
    this.clock = clock;
  }

  /** Stores {@code next} if the request is still {@code expected}, and audits it; else false. */
  public boolean move(
      RequestState expected,
      AccessRequest next,
      String actor,
      String action,
      Map<String, String> details) {
    return transactions.atomically(
        action,
        () -> {
          if (!store.compareAndSet(expected, next)) {
            return false;
          }
          audit.record(clock.instant(), next.id(), actor, action, details);
          return true;
        });
  }
}
