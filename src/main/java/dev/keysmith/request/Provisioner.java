package dev.keysmith.request;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import dev.keysmith.offboard.Teardown;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Creates the IAM user of an approved request: CreateUser (path, tags, boundary) then
 * AddUserToGroup. Running it again carries on: a user that already exists with this request's tag
 * is Keysmith's own from an earlier try. It undoes nothing itself; {@link #undo} removes what it
 * made when the request fails.
 */
public final class Provisioner {
  private static final String ENTITY_ALREADY_EXISTS = "EntityAlreadyExists";

  private final IamGateway iam;
  private final Teardown teardown;
  private final AuditTrail audit;
  private final Clock clock;
  private final String path;
  private final Optional<String> boundaryArn;

  public Provisioner(
      IamGateway iam, AuditTrail audit, Clock clock, String path, Optional<String> boundaryArn) {
    this.iam = iam;
    this.teardown = new Teardown(iam);
    this.audit = audit;
    this.clock = clock;
    this.path = path;
    this.boundaryArn = boundaryArn;
  }

  /** One kind of work on an approved request: provisioning a new user, or extending one. */
  @FunctionalInterface
  interface Step {
    void run(AccessRequest r, Consumer<String> progress);
  }

  /**
   * Provisions {@code r}, or carries on where an earlier try stopped, telling {@code progress} each
   * step as it completes.
   *
   * @throws IamException when a step fails; what was made stays, for a later try or {@link #undo}
   */
  public void provision(AccessRequest r, Consumer<String> progress) {
    // No listing of users first: IAM itself refuses a name taken in any case, and a listing costs
    // one call per thousand users on every approval. The form already checked a cached list.
    try {
      call(
          r,
          AuditAction.IAM_CREATE_USER,
          () -> iam.createUser(r.iamUserName(), path, tags(r), boundaryArn));
      progress.accept("Created IAM user `" + r.iamUserName() + "` under `" + path + "`");
    } catch (IamException e) {
      // An earlier try may have created it and lost the answer (a timeout, a stop).
      if (!ENTITY_ALREADY_EXISTS.equals(e.errorCode()) || !isOwnUser(r)) {
        throw e;
      }
      progress.accept("Found IAM user `" + r.iamUserName() + "` from an earlier try");
    }
    call(
        r,
        AuditAction.IAM_ADD_USER_TO_GROUP,
        () -> iam.addUserToGroup(r.iamUserName(), r.groupName()));
    progress.accept("Added it to group `" + r.groupName() + "`");
  }

  /**
   * Applies an approved extension: the user's {@code keysmith:expires-at} tag moves to the
   * extension's end. Refuses (as IAM's NoSuchEntity) a user that is gone or is no longer the one
   * the extended request made.
   *
   * @throws IamException when IAM refuses or cannot be reached; running it again is safe
   */
  public void extend(AccessRequest r, Consumer<String> progress) {
    Instant end = r.userExpiresAt().orElseThrow(() -> new IllegalStateException("no end"));
    Optional<Map<String, String>> tags = iam.userTags(r.iamUserName());
    if (tags.isEmpty() || !r.rootRequest().equals(tags.get().get(UserTags.REQUEST))) {
      throw new IamException(
          "NoSuchEntity",
          "IAM user " + r.iamUserName() + " is gone, or is no longer the one Keysmith made",
          null);
    }
    call(
        r,
        AuditAction.IAM_TAG_USER,
        () -> iam.tagUser(r.iamUserName(), Map.of(UserTags.EXPIRES_AT, end.toString())));
    progress.accept("Moved the end of `" + r.iamUserName() + "` to " + end);
  }

  /**
   * Removes whatever a provisioning of {@code r} may have created, if it is Keysmith's; true when a
   * user was deleted.
   */
  public boolean undo(AccessRequest r) {
    if (r.isExtension() || !isOwnUser(r)) {
      return false;
    }
    // Everything IAM requires gone first, in its order, as an offboarding removes it.
    call(
        r,
        AuditAction.IAM_DELETE_USER,
        () -> teardown.removeAll(r.iamUserName(), (step, thing) -> {}));
    return true;
  }

  private boolean isOwnUser(AccessRequest r) {
    Optional<Map<String, String>> tags = iam.userTags(r.iamUserName());
    return tags.isPresent() && r.id().equals(tags.get().get(UserTags.REQUEST));
  }

  private Map<String, String> tags(AccessRequest r) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(UserTags.REQUEST, r.id());
    tags.put(UserTags.REQUESTER, r.requesterId());
    tags.put(UserTags.APPROVER, r.decidedBy());
    tags.put(UserTags.OWNER, r.ownerId());
    r.userExpiresAt().ifPresent(at -> tags.put(UserTags.EXPIRES_AT, at.toString()));
    return tags;
  }

  private void call(AccessRequest r, AuditAction action, Runnable step) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("iamUser", r.iamUserName());
    try {
      step.run();
      details.put("result", "ok");
    } catch (IamException e) {
      details.put("result", "failed");
      details.put("errorCode", e.errorCode());
      throw e;
    } finally {
      audit.record(clock.instant(), r.id(), AuditEvent.SYSTEM, action, details);
    }
  }
}
