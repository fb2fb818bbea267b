package dev.keysmith.workflow;

import dev.keysmith.audit.AuditTrail;
import dev.keysmith.jobs.Leases;
import java.time.Clock;

/**
 * What every workflow service needs besides its own ports: the one path for state changes, the
 * audit trail for facts that change no state (an IAM call made), the clock, and the leases that
 * keep what this replica is in the middle of (a reveal, a provisioning) from the other replicas.
 */
public record WorkflowContext(
    Transitions transitions, AuditTrail audit, Clock clock, Leases leases) {}
