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
        .commit()) {
      throw new KeysmithException("Could not find a free rotation id; please try again.");
    }
    Notifier.MessageRef ref;
    try {
      ref = context.notifier().rotationForApproval(waiting);
    } catch (RuntimeException e) {
      context.finish(waiting, RotationState.CANCELLED, "could not post for approval");
      throw new Refusal(Reason.ROTATION_NOT_POSTED);
    }
    Rotation posted = waiting.withApprovalMessage(ref.channel(), ref.ts());
    // Decisions refuse a rotation whose message is not stored yet, so no click races this write.
    if (!rotations.compareAndSet(RotationState.AWAITING_APPROVAL, posted)) {
      log.warn("rotation {}: moved on before its approvals message was recorded", waiting.id());
    }
    return posted;
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
        .commit()) {
      throw new Refusal(Reason.ROTATION_JUST_DECIDED, r.id());
    }
    Notifier.bestEffort(next.id(), () -> context.notifier().rotationDecided(next));
  }
}
