package dev.keysmith.rotation;

import dev.keysmith.workflow.Stateful;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request to make {@code ownerId} the owner of the existing IAM user {@code iamUser}, from asking
 * to the owner tag in IAM. Immutable: every transition returns a new record.
 *
 * @param id short id shown to people, e.g. {@code LK-4F7Q2M}
 * @param previousOwnerId who owned the user when the link was asked for, or null for nobody
 * @param groups the user's IAM groups when the link was asked for, shown to the approver
 * @param expiresAt when the request expires if nobody decided it
 * @param decidedBy the approver who approved or denied, or who found it could not go ahead
 * @param outcome why it was cancelled or failed, for the record; never a secret
 */
public record LinkRequest(
    String id,
    LinkState state,
    String iamUser,
    String ownerId,
    @Nullable String previousOwnerId,
    List<String> groups,
    String requesterId,
    Instant createdAt,
    Instant expiresAt,
    Instant updatedAt,
    @Nullable String approvalChannel,
    @Nullable String approvalTs,
    @Nullable String decidedBy,
    @Nullable String outcome)
    implements Stateful<LinkState> {

  public LinkRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(iamUser, "iamUser");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(requesterId, "requesterId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    groups = List.copyOf(groups);
  }

  /** A new PENDING request. */
  static LinkRequest pending(
      String id,
      LinkTarget target,
      String ownerId,
      String requesterId,
      Instant now,
      Instant expiresAt) {
    return new LinkRequest(
        id,
        LinkState.PENDING,
        target.iamUser(),
        ownerId,
        target.owner().orElse(null),
        target.groups().stream().sorted().toList(),
        requesterId,
        now,
        expiresAt,
        now,
        null,
        null,
        null,
        null);
  }

  /** This request with its approvals message recorded. */
  LinkRequest withApprovalMessage(String channel, String ts) {
    return edit(
        updatedAt,
        d -> {
          d.approvalChannel = channel;
          d.approvalTs = ts;
        });
  }

  /** This request moved to {@code next} by {@code approver} (null for Keysmith itself). */
  LinkRequest decided(
      LinkState next, @Nullable String approver, @Nullable String why, Instant now) {
    return edit(
        now,
        d -> {
          d.state = next;
          d.decidedBy = approver == null ? decidedBy : approver;
          d.outcome = why;
        });
  }

  /** This request moved to {@code next}, keeping who decided it. */
  LinkRequest moved(LinkState next, @Nullable String why, Instant now) {
    return decided(next, null, why, now);
  }

  private LinkRequest edit(Instant now, Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new LinkRequest(
        id,
        d.state,
        iamUser,
        ownerId,
        previousOwnerId,
        groups,
        requesterId,
        createdAt,
        expiresAt,
        now,
        d.approvalChannel,
        d.approvalTs,
        d.decidedBy,
        d.outcome);
  }

  /** The fields a link request changes over its life, so each wither names only its own. */
  private static final class Draft {
    private LinkState state;
    private @Nullable String approvalChannel;
    private @Nullable String approvalTs;
    private @Nullable String decidedBy;
    private @Nullable String outcome;

    private Draft(LinkRequest r) {
      state = r.state;
      approvalChannel = r.approvalChannel;
      approvalTs = r.approvalTs;
      decidedBy = r.decidedBy;
      outcome = r.outcome;
    }
  }
}
