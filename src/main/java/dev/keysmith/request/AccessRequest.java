package dev.keysmith.request;

import dev.keysmith.audit.AuditEvent;
import dev.keysmith.workflow.Stateful;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One request for an IAM user, from submission to the owner's one-time reveal. Immutable: every
 * transition returns a new record.
 *
 * @param id short id shown to people, e.g. {@code KS-4F7Q2M}
 * @param approvalChannel channel of the approvals message, once posted
 * @param approvalTs timestamp of the approvals message, once posted
 * @param decidedBy Slack id of the approver who approved or denied
 * @param outcome deny reason or failure text, in plain words; never a secret
 * @param progress provisioning steps done so far, in plain words, shown on the approvals message
 * @param offerExpiresAt until when the owner may reveal the credentials
 * @param offerTs the owner's direct message offering the reveal, once posted
 * @param quorum how many distinct approvers must approve, by the group's policy when asked
 * @param approvals who approved so far, in order; the last one of a quorum is {@code decidedBy}
 * @param lifetime how long the user lives from its approval, by the group's policy; null for no end
 * @param extendsRequest for an extension of a time-bound user, the request that created the user;
 *     null for a request that creates one
 */
public record AccessRequest(
    String id,
    RequestState state,
    String iamUserName,
    String groupName,
    AccessType accessType,
    String ownerId,
    String requesterId,
    String justification,
    Instant createdAt,
    Instant updatedAt,
    @Nullable String approvalChannel,
    @Nullable String approvalTs,
    @Nullable String decidedBy,
    @Nullable Instant decidedAt,
    @Nullable String outcome,
    List<String> progress,
    @Nullable Instant offerExpiresAt,
    @Nullable Instant revealedAt,
    @Nullable String offerChannel,
    @Nullable String offerTs,
    int quorum,
    List<Approval> approvals,
    @Nullable Duration lifetime,
    @Nullable String extendsRequest)
    implements Stateful<RequestState> {

  /** One approver's approval. */
  public record Approval(String approver, Instant at) {}

  public AccessRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(iamUserName, "iamUserName");
    Objects.requireNonNull(groupName, "groupName");
    Objects.requireNonNull(accessType, "accessType");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(requesterId, "requesterId");
    Objects.requireNonNull(justification, "justification");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    progress = List.copyOf(progress);
    approvals = List.copyOf(approvals);
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1");
    }
  }

  /** Whether the group's policy approved this request when it was asked for, not a person. */
  public boolean approvedByPolicy() {
    return AuditEvent.SYSTEM.equals(decidedBy) && approvals.isEmpty();
  }

  /**
   * Whether the requester broke the glass: approved their own request in an emergency. Nothing else
   * lets a requester's approval count.
   */
  public boolean brokeGlass() {
    return approvals.size() == 1 && approvals.get(0).approver().equals(requesterId);
  }

  /** Whether {@code approver} approved this request already. */
  public boolean approvedBy(String approver) {
    return approvals.stream().anyMatch(a -> a.approver().equals(approver));
  }

  /** A new PENDING request that needs one approval, for a user with no end. */
  public static AccessRequest pending(
      String id, RequestForm form, String requesterId, Instant now) {
    return pending(id, form, requesterId, 1, null, now);
  }

  /**
   * A new PENDING request that needs {@code quorum} distinct approvals, for a user that lives
   * {@code lifetime} from its approval (null: no end).
   */
  public static AccessRequest pending(
      String id,
      RequestForm form,
      String requesterId,
      int quorum,
      @Nullable Duration lifetime,
      Instant now) {
    return create(id, form, requesterId, quorum, lifetime, null, now);
  }

  /**
   * A new PENDING extension of the time-bound user that {@code live} (the request that made it, or
   * its latest extension) keeps: by {@code requesterId}, for {@code lifetime} from its approval.
   */
  public static AccessRequest extension(
      String id,
      AccessRequest live,
      String requesterId,
      String justification,
      int quorum,
      Duration lifetime,
      Instant now) {
    RequestForm asked =
        new RequestForm(
            live.iamUserName(), live.groupName(), live.accessType(), live.ownerId(), justification);
    return create(id, asked, requesterId, quorum, lifetime, live.rootRequest(), now);
  }

  private static AccessRequest create(
      String id,
      RequestForm form,
      String requesterId,
      int quorum,
      @Nullable Duration lifetime,
      @Nullable String extendsRequest,
      Instant now) {
    return new AccessRequest(
        id,
        RequestState.PENDING,
        form.iamUserName(),
        Objects.requireNonNull(form.groupName(), "groupName is checked before"),
        Objects.requireNonNull(form.accessType(), "accessType is checked before"),
        form.ownerId(),
        requesterId,
        form.justification(),
        now,
        now,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        null,
        null,
        null,
        null,
        quorum,
        List.of(),
        lifetime,
        extendsRequest);
  }

  /** The request that created the IAM user: this one, or the one an extension extends. */
  public String rootRequest() {
    return extendsRequest != null ? extendsRequest : id;
  }

  /** Whether this request extends an existing user rather than creating one. */
  public boolean isExtension() {
    return extendsRequest != null;
  }

  /** When the user ends: its approval plus its lifetime; empty for no end or not yet approved. */
  public Optional<Instant> userExpiresAt() {
    return lifetime == null || decidedAt == null
        ? Optional.empty()
        : Optional.of(decidedAt.plus(lifetime).truncatedTo(ChronoUnit.SECONDS));
  }

  /** This request moved to {@code next} at {@code now}. */
  public AccessRequest withState(RequestState next, Instant now) {
    return edit(
        d -> {
          d.state = next;
          d.updatedAt = now;
        });
  }

  /** This request with its approvals message recorded. */
  public AccessRequest withApprovalMessage(String channel, String ts) {
    return edit(
        d -> {
          d.approvalChannel = channel;
          d.approvalTs = ts;
        });
  }

  /** This request decided by {@code approver}. */
  public AccessRequest withDecision(
      RequestState next, String approver, @Nullable String why, Instant now) {
    return edit(
        d -> {
          d.state = next;
          d.updatedAt = now;
          d.decidedBy = approver;
          d.decidedAt = now;
          d.outcome = why;
        });
  }

  /** This request with one more approval, still waiting for the others its quorum needs. */
  public AccessRequest withApproval(String approver, Instant now) {
    return edit(
        d -> {
          d.approvals =
              Stream.concat(approvals.stream(), Stream.of(new Approval(approver, now))).toList();
          d.updatedAt = now;
        });
  }

  /** This request ended with {@code why} (a failure or expiry text). */
  public AccessRequest withOutcome(RequestState next, String why, Instant now) {
    return edit(
        d -> {
          d.state = next;
          d.updatedAt = now;
          d.outcome = why;
        });
  }

  /** This request with one more provisioning step done. */
  public AccessRequest withProgress(String step, Instant now) {
    return edit(
        d -> {
          d.progress =
              Stream.concat(progress.stream(), Stream.of(step.replace('\n', ' '))).toList();
          d.updatedAt = now;
        });
  }

  /** This request provisioned, its credentials on offer until {@code expiresAt}. */
  public AccessRequest withOffer(Instant expiresAt, Instant now) {
    return edit(
        d -> {
          d.state = RequestState.PROVISIONED;
          d.updatedAt = now;
          d.offerExpiresAt = expiresAt;
        });
  }

  /** This request's credentials shown to the owner at {@code now}. */
  public AccessRequest withRevealed(Instant now) {
    return edit(
        d -> {
          d.state = RequestState.REVEALED;
          d.updatedAt = now;
          d.revealedAt = now;
        });
  }

  /** This request with the owner's offer message recorded. */
  public AccessRequest withOfferMessage(String channel, String ts) {
    return edit(
        d -> {
          d.offerChannel = channel;
          d.offerTs = ts;
        });
  }

  private AccessRequest edit(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return d.build();
  }

  /** A mutable copy, so each wither names only the fields it changes. */
  private static final class Draft {
    private final AccessRequest from;
    private RequestState state;
    private Instant updatedAt;
    private @Nullable String approvalChannel;
    private @Nullable String approvalTs;
    private @Nullable String decidedBy;
    private @Nullable Instant decidedAt;
    private @Nullable String outcome;
    private List<String> progress;
    private @Nullable Instant offerExpiresAt;
    private @Nullable Instant revealedAt;
    private @Nullable String offerChannel;
    private @Nullable String offerTs;
    private List<Approval> approvals;

    private Draft(AccessRequest r) {
      from = r;
      state = r.state;
      updatedAt = r.updatedAt;
      approvalChannel = r.approvalChannel;
      approvalTs = r.approvalTs;
      decidedBy = r.decidedBy;
      decidedAt = r.decidedAt;
      outcome = r.outcome;
      progress = r.progress;
      offerExpiresAt = r.offerExpiresAt;
      revealedAt = r.revealedAt;
      offerChannel = r.offerChannel;
      offerTs = r.offerTs;
      approvals = r.approvals;
    }

    private AccessRequest build() {
      return new AccessRequest(
          from.id,
          state,
          from.iamUserName,
          from.groupName,
          from.accessType,
          from.ownerId,
          from.requesterId,
          from.justification,
          from.createdAt,
          updatedAt,
          approvalChannel,
          approvalTs,
          decidedBy,
          decidedAt,
          outcome,
          progress,
          offerExpiresAt,
          revealedAt,
          offerChannel,
          offerTs,
          from.quorum,
          approvals,
          from.lifetime,
          from.extendsRequest);
    }
  }
}
