package dev.keysmith.request;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Refusal;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.Retries;
import dev.keysmith.offboard.OffboardCause;
import dev.keysmith.offboard.OffboardService;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a time-bound user: its owner is warned before it, and at the end Keysmith offboards
 * it, like any deletion. Both are stored jobs about the request that made the user, scheduled when
 * it is provisioned; each first checks in IAM that the user is still the one that request made.
 */
public final class Lifetimes {
  /** The job that warns the owner that the user ends soon. */
  public static final String WARN = "user.expiry-warning";

  /** The job that offboards the user at its end. */
  public static final String END = "user.expire";

  /** How long before its end the owner of a long-lived user is warned. */
  static final Duration WARNING = Duration.ofDays(1);

  private static final Logger log = LoggerFactory.getLogger(Lifetimes.class);

  private final RequestStore store;
  private final Notifier notifier;
  private final IamGateway iam;
  private final OffboardService offboarding;
  private final Transitions transitions;
  private final Clock clock;

  public Lifetimes(
      RequestStore store,
      Notifier notifier,
      IamGateway iam,
      OffboardService offboarding,
      WorkflowContext workflow) {
    this.store = store;
    this.notifier = notifier;
    this.iam = iam;
    this.offboarding = offboarding;
    this.transitions = workflow.transitions();
    this.clock = workflow.clock();
  }

  /**
   * When the owner of {@code r}'s user is warned: a day before its end, or a quarter of its
   * lifetime before for a user that lives two days or less (an 8-hour user: 2 hours before).
   */
  static Optional<Instant> warnAt(AccessRequest r) {
    Duration lifetime = r.lifetime();
    if (lifetime == null) {
      return Optional.empty();
    }
    Duration lead =
        lifetime.compareTo(WARNING.multipliedBy(2)) > 0 ? WARNING : lifetime.dividedBy(4);
    return r.userExpiresAt().map(end -> end.minus(lead));
  }

  /**
   * Adds the warning and the end of {@code provisioned}'s user, if it has one, to {@code change}.
   */
  static void schedule(Transitions.Change change, AccessRequest provisioned) {
    Optional<Instant> end = provisioned.userExpiresAt();
    if (end.isEmpty()) {
      return;
    }
    warnAt(provisioned).ifPresent(at -> change.schedule(WARN, at));
    change.schedule(END, end.get());
  }

  /** Job: tells the owner the user ends soon, with a way to delete it now. */
  public JobHandler warnJob() {
    return job -> {
      Optional<AccessRequest> r = liveUserOf(job.subject());
      if (r.isEmpty()) {
        return;
      }
      AccessRequest request = r.get();
      Instant end = request.userExpiresAt().orElseThrow();
      transitions
          .about(request.id())
          .audited(
              SYSTEM,
              AuditAction.USER_EXPIRY_WARNED,
              Map.of("iamUser", request.iamUserName(), "expiresAt", end.toString()))
          .tell(() -> notifier.userEndsSoon(request, end))
          .commit();
    };
  }

  /** Job: the user reached its end; Keysmith offboards it (tries again while IAM is away). */
  public JobHandler endJob() {
    return job -> {
      Optional<AccessRequest> r;
      try {
        r = liveUserOf(job.subject());
      } catch (IamException e) {
        retry(job.subject(), e, Retries.failuresBefore(job) + 1);
        return;
      }
      if (r.isEmpty()) {
        return;
      }
      AccessRequest request = r.get();
      log.info(
          "request {}: IAM user {} reached its end; offboarding it",
          request.id(),
          request.iamUserName());
      try {
        offboarding.start(request.iamUserName(), SYSTEM, OffboardCause.EXPIRED);
      } catch (Refusal e) {
        // Already being deleted, or gone since: either way it ends.
        log.info("request {}: not offboarded again: {}", request.id(), e.getMessage());
      } catch (IamException e) {
        retry(request.id(), e, Retries.failuresBefore(job) + 1);
        return;
      }
      closeOffer(request.rootRequest());
    };
  }

  /** A user that ended has nothing left to reveal: an offer still open closes with it. */
  private void closeOffer(String rootId) {
    Optional<AccessRequest> offered =
        store.find(rootId).filter(r -> r.state() == RequestState.PROVISIONED);
    if (offered.isEmpty()) {
      return;
    }
    AccessRequest closed = RequestWorkflow.expire(offered.get(), clock.instant());
    transitions
        .move(store, RequestState.PROVISIONED, closed)
        .audited(SYSTEM, AuditAction.DELIVERY_EXPIRED, Map.of("why", "the user reached its end"))
        .tell(
            () -> {
              notifier.updateApproval(closed);
              notifier.offerClosed(closed);
            })
        .commit();
  }

  private void retry(String id, IamException e, int failures) {
    if (!e.isTransient()) {
      log.error("request {}: IAM refused to start ending its user: {}", id, e.getMessage());
      return;
    }
    transitions
        .about(id)
        .schedule(END, clock.instant().plus(Retries.backoff(failures)), Retries.data(failures))
        .commit();
  }

  /**
   * The request {@code id} whose time-bound user still exists in IAM as the user it made (its
   * request tag), or empty: the user was deleted, or the name now belongs to another user.
   */
  private Optional<AccessRequest> liveUserOf(String id) {
    Optional<AccessRequest> r = store.find(id);
    if (r.isEmpty() || r.get().userExpiresAt().isEmpty()) {
      return Optional.empty();
    }
    Optional<Map<String, String>> tags = iam.userTags(r.get().iamUserName());
    if (tags.isEmpty() || !r.get().rootRequest().equals(tags.get().get(UserTags.REQUEST))) {
      log.info("request {}: its user is gone already; nothing to end", id);
      return Optional.empty();
    }
    // A later approved extension moved the end; its own jobs take over. The tag in IAM alone
    // moves nothing: whoever may edit tags may not extend access past what was approved.
    Instant end = r.get().userExpiresAt().orElseThrow();
    boolean movedLater =
        store.findExtensions(r.get().rootRequest()).stream()
            .filter(e -> e.state() == RequestState.EXTENDED)
            .flatMap(e -> e.userExpiresAt().stream())
            .anyMatch(end::isBefore);
    if (movedLater) {
      log.info("request {}: an extension moved its user's end past {}; left to it", id, end);
      return Optional.empty();
    }
    return r;
  }
}
