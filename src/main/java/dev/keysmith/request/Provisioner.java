package dev.keysmith.request;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.UserTags;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Creates the IAM user of an approved request: CreateUser (path, tags, boundary) then
 * AddUserToGroup. If a step fails, what was created is removed again, so no half-made user stays.
 */
public final class Provisioner {
  private final IamGateway iam;
  private final AuditTrail audit;
  private final Clock clock;
  private final String path;
  private final Optional<String> boundaryArn;

  public Provisioner(
      IamGateway iam, AuditTrail audit, Clock clock, String path, Optional<String> boundaryArn) {
    this.iam = iam;
    this.audit = audit;
    this.clock = clock;
    this.path = path;
    this.boundaryArn = boundaryArn;
  }

  /**
   * Provisions {@code r}, telling {@code progress} each step as it completes.
   *
   * @throws IamException when a step fails, after undoing what was done
   */
  public void provision(AccessRequest r, Consumer<String> progress) {
    // No listing of users first: IAM itself refuses a name taken in any case, and a listing costs
    // one call per thousand users on every approval. The form already checked a cached list.
    call(
        r,
        AuditAction.IAM_CREATE_USER,
        () -> iam.createUser(r.iamUserName(), path, tags(r), boundaryArn));
    progress.accept("Created IAM user `" + r.iamUserName() + "` under `" + path + "`");
    try {
      call(
          r,
          AuditAction.IAM_ADD_USER_TO_GROUP,
          () -> iam.addUserToGroup(r.iamUserName(), r.groupName()));
      progress.accept("Added it to group `" + r.groupName() + "`");
    } catch (IamException e) {
      undo(r);
      progress.accept("Removed the half-made user `" + r.iamUserName() + "` again");
      throw e;
    }
  }

  /** Removes whatever a provisioning of {@code r} may have created, if it is Keysmith's. */
  public void undo(AccessRequest r) {
    Optional<Map<String, String>> tags = iam.userTags(r.iamUserName());
    if (tags.isPresent() && r.id().equals(tags.get().get(UserTags.REQUEST))) {
      call(r, AuditAction.IAM_DELETE_USER, () -> iam.deleteUser(r.iamUserName()));
    }
  }

  private Map<String, String> tags(AccessRequest r) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(UserTags.REQUEST, r.id());
    tags.put(UserTags.REQUESTER, r.requesterId());
    tags.put(UserTags.APPROVER, r.decidedBy());
    tags.put(UserTags.OWNER, r.ownerId());
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
