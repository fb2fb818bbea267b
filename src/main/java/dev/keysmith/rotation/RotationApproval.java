package dev.keysmith.rotation;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.request.Approvers;
import dev.keysmith.request.Notifier;
import dev.keysmith.workflow.Transitions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where rotations need approval ({@code keys.rotationNeedsApproval}): a rotation is posted to the
 * approvals channel, and an approver other than the owner approves or denies it.
 */
public final class RotationApproval {
  private static final Logger log = LoggerFactory.getLogger(RotationApproval.class);

  private final RotationContext context;
  private final RotationStore rotations;
  private final Transitions transitions;
  private final Clock clock;
  private final Approvers approvers;
  private final Supplier<String> ids;

  public RotationApproval(RotationContext context, Approvers approvers, Supplier<String> ids) {
    this.context = context;
    this.rotations = context.rotations();
    this.transitions = context.workflow().transitions();
    this.clock = context.workflow().clock();
    this.approvers = approvers;
    this.ids = ids;
  }

  /** Posts a rotation of {@code iamUser} for approval instead of minting. */
  Rotation request(String actor, String iamUser, @Nullable String oldKeyId, boolean lost) {
    rotations.findByState(RotationState.AWAITING_APPROVAL).stream()
        .filter(r -> r.iamUser().equals(iamUser))
        .findFirst()
        .ifPresent(
            r -> {
              throw new Refusal(Reason.ROTATION_AWAITS_APPROVAL, r.id(), iamUser);
            });
    Rotation waiting =
        Rotation.start(
            ids.get(),
            iamUser,
            actor,
            oldKeyId,
            lost,
            RotationState.AWAITING_APPROVAL,
            clock.instant());
    if (!transitions
        .change(waiting.id(), () -> rotations.insert(waiting))
        .audited(actor, AuditAction.ROTATION_REQUESTED, Map.of("iamUser", iamUser))
        .tell(() -> context.notifier().rotationForApproval(waiting))
        .commit()) {
      throw new KeysmithException("Could not find a free rotation id; please try again.");
    }
    return waiting;
  }

  /** Slack has the approvals message of rotation {@code id}: decisions may come from it now. */
  public void approvalPosted(String id, Notifier.MessageRef where) {
    Optional<Rotation> r = rotations.find(id);
    // Decisions refuse a rotation whose message is not stored yet, so nothing else moves it.
    if (r.isEmpty()
        || r.get().state() != RotationState.AWAITING_APPROVAL
        || !rotations.compareAndSet(
            RotationState.AWAITING_APPROVAL,
            r.get().withApprovalMessage(where.channel(), where.ts()))) {
      log.warn("rotation {}: moved on before its approvals message was recorded", id);
    }
  }

  /**
   * Slack refused the approvals message of rotation {@code id} for good: nobody can decide it, so
   * it ends, and its owner is told.
   */
  public void approvalUndeliverable(String id, String error) {
    Rotation r = context.find(id);
    if (r.state() != RotationState.AWAITING_APPROVAL || r.approvalTs() != null) {
      return;
    }
    context.finish(
        r,
        RotationState.CANCELLED,
        "could not post for approval: " + error,
        () -> context.notifier().rotationNotPosted(r));
  }

  /** An approver (never the owner) approves or denies a rotation that needs approval. */
  public void decide(String rotationId, String approver, boolean approve) {
    Rotation r = context.find(rotationId);
    Rotation next =
        RotationWorkflow.decide(
            r, approver, approvers.isApprover(approver), approve, clock.instant());
    if (!transitions
        .move(rotations, RotationState.AWAITING_APPROVAL, next)
        .audited(approver, approve ? AuditAction.ROTATION_APPROVED : AuditAction.ROTATION_DENIED)
        .tell(() -> context.notifier().rotationDecided(next))
        .commit()) {
      throw new Refusal(Reason.ROTATION_JUST_DECIDED, r.id());
    }
  }
}
