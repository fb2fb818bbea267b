package dev.keysmith.rotation;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.workflow.WorkflowContext;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every step of a key rotation needs (IAM, who owns what, the rotations and how their owners
 * hear of them, the settings), and the few things the steps share.
 */
public record RotationContext(
    IamGateway iam,
    Ownership ownership,
    RotationStore rotations,
    KeyNotifier notifier,
    KeysmithConfig.KeyCare settings,
    WorkflowContext workflow) {
  private static final Logger log = LoggerFactory.getLogger(RotationContext.class);

  /** The rotation with this id, or a refusal naming the id. */
  Rotation find(String id) {
    return rotations.find(id).orElseThrow(() -> new Refusal(Reason.NO_SUCH_ROTATION, id));
  }

  /** The old key of {@code r} as IAM has it now; empty when it is gone. */
  Optional<AccessKeyInfo> oldKey(Rotation r) {
    return iam.listAccessKeys(r.iamUser()).stream()
        .filter(k -> k.accessKeyId().equals(r.oldKeyId()))
        .findFirst();
  }

  /** Audits an IAM call Keysmith made for rotation {@code r}. */
  void auditIamCall(Rotation r, AuditAction action, String accessKeyId) {
    workflow
        .audit()
        .record(
            workflow.clock().instant(), r.id(), SYSTEM, action, Map.of("accessKeyId", accessKeyId));
  }

  /**
   * Ends {@code r} as DONE or CANCELLED, saying why; false when it had moved on meanwhile (a click
   * and a job at once), and then the other one's outcome stands.
   */
  boolean finish(Rotation r, RotationState end, String why) {
    return finish(r, end, why, () -> {});
  }

  /** The same, leaving the messages of {@code notices} in the outbox with the change. */
  boolean finish(Rotation r, RotationState end, String why, Runnable notices) {
    boolean finished =
        workflow
            .transitions()
            .move(rotations, r.state(), r.moved(end, workflow.clock().instant()))
            .audited(
                SYSTEM,
                end == RotationState.DONE
                    ? AuditAction.ROTATION_DONE
                    : AuditAction.ROTATION_CANCELLED,
                Map.of("why", why))
            .tell(notices)
            .commit();
    if (!finished) {
      log.info("rotation {}: moved on before it could end as {}", r.id(), end);
    }
    return finished;
  }
}
