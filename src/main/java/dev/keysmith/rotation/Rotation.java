package dev.keysmith.rotation;

import dev.keysmith.workflow.Stateful;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One rotation of an IAM user's access key, from minting the new key to deleting the old one.
 *
 * @param oldKeyId the key being replaced, or null when the user had none
 * @param newKeyId the new key, once minted
 * @param lost the owner lost the old secret: the old key is deactivated at once
 * @param postponed the deactivation already waited once because the old key was still in use
 * @param decidedBy the approver who approved or denied, where rotations need approval
 * @param approvalTs the approvals-channel message of the rotation, where it needs approval
 * @param deactivatedAt when IAM deactivated the old key, once it has
 */
public record Rotation(
    String id,
    String iamUser,
    String ownerId,
    @Nullable String oldKeyId,
    @Nullable String newKeyId,
    boolean lost,
    RotationState state,
    Instant startedAt,
    @Nullable Instant revealedAt,
    boolean postponed,
    @Nullable String decidedBy,
    @Nullable String approvalChannel,
    @Nullable String approvalTs,
    @Nullable Instant deactivatedAt,
    Instant updatedAt)
    implements Stateful<RotationState> {

  public Rotation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(iamUser, "iamUser");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * The key being replaced, for the steps that only a rotation replacing a key reaches (its grace
   * period, deactivation and deletion).
   */
  String replacedKey() {
    if (oldKeyId == null) {
      throw new IllegalStateException("rotation " + id + " replaces no key");
    }
    return oldKeyId;
  }

  /** A new rotation in {@code state}: MINTING, or AWAITING_APPROVAL where approval is needed. */
  static Rotation start(
      String id,
      String iamUser,
      String ownerId,
      @Nullable String oldKeyId,
      boolean lost,
      RotationState state,
      Instant now) {
    return new Rotation(
        id, iamUser, ownerId, oldKeyId, null, lost, state, now, null, false, null, null, null, null,
        now);
  }

  /** The new key reached the owner's screen. */
  Rotation revealed(String newKey, RotationState next, Instant now) {
    return edit(
        now,
        d -> {
          d.newKeyId = newKey;
          d.state = next;
          d.revealedAt = now;
        });
  }

  /** The rotation moved on to {@code next}. */
  Rotation moved(RotationState next, Instant now) {
    return edit(now, d -> d.state = next);
  }

  /** An approver decided. */
  Rotation decided(RotationState next, String approver, Instant now) {
    return edit(
        now,
        d -> {
          d.state = next;
          d.decidedBy = approver;
        });
  }

  /** The rotation with its approvals message recorded. */
  Rotation withApprovalMessage(String channel, String ts) {
    return edit(
        updatedAt,
        d -> {
          d.approvalChannel = channel;
          d.approvalTs = ts;
        });
  }

  /** IAM deactivated the old key at {@code now}; its deletion is due from then. */
  Rotation oldKeyDeactivated(Instant now) {
    return edit(now, d -> d.deactivatedAt = now);
  }

  /** The deactivation waits once more, because the old key was still in use. */
  Rotation postponedOnce(Instant now) {
    return edit(now, d -> d.postponed = true);
  }

  private Rotation edit(Instant now, Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new Rotation(
        id,
        iamUser,
        ownerId,
        oldKeyId,
        d.newKeyId,
        lost,
        d.state,
        startedAt,
        d.revealedAt,
        d.postponed,
        d.decidedBy,
        d.approvalChannel,
        d.approvalTs,
        d.deactivatedAt,
        now);
  }

  /** The fields a rotation changes over its life, so each wither names only its own. */
  private static final class Draft {
    private @Nullable String newKeyId;
    private RotationState state;
    private @Nullable Instant revealedAt;
    private boolean postponed;
    private @Nullable String decidedBy;
    private @Nullable String approvalChannel;
    private @Nullable String approvalTs;
    private @Nullable Instant deactivatedAt;

    private Draft(Rotation r) {
      newKeyId = r.newKeyId;
      state = r.state;
      revealedAt = r.revealedAt;
      postponed = r.postponed;
      decidedBy = r.decidedBy;
      approvalChannel = r.approvalChannel;
      approvalTs = r.approvalTs;
      deactivatedAt = r.deactivatedAt;
    }
  }
}
