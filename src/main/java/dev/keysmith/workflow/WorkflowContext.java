package dev.keysmith.workflow;

import dev.keysmith.audit.AuditTrail;
import java.time.Clock;

/**
 * What every workflow service needs besides its own ports: the one path for state changes, the
 * audit trail for facts that change no state (an IAM call made), and the clock.
 */
public record WorkflowContext(Transitions transitions, AuditTrail audit, Clock clock) {}
