package dev.keysmith.rotation;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.jobs.Leases;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** People looking after their own keys: listing them, and the panic button for a leaked one. */
public final class KeyCare {
  private final IamGateway iam;
  private final Ownership ownership;
  private final KeyNotifier notifier;
  private final Transitions transitions;
  private final Clock clock;
  private final Leases leases;

  public KeyCare(
      IamGateway iam, Ownership ownership, KeyNotifier notifier, WorkflowContext workflow) {
    this.iam = iam;
    this.ownership = ownership;
    this.notifier = notifier;
    this.transitions = workflow.transitions();
    this.clock = workflow.clock();
    this.leases = workflow.leases();
  }

  /** The keys of {@code iamUser}, or of every user {@code actor} owns when none is named. */
  public List<KeyView> keys(String actor, Optional<String> iamUser) {
    List<String> users;
    if (iamUser.isPresent()) {
      ownership.checkMayActOn(iamUser.get(), actor);
      users = List.of(iamUser.get());
    } else {
      users = ownership.usersOwnedBy(actor);
    }
    List<KeyView> views = new ArrayList<>();
    for (String user : users) {
      for (IamGateway.AccessKeyInfo key : iam.listAccessKeys(user)) {
        views.add(view(user, key));
      }
    }
    return views;
  }

  private KeyView view(String user, IamGateway.AccessKeyInfo key) {
    Instant now = clock.instant();
    IamGateway.KeyLastUsed used = iam.accessKeyLastUsed(key.accessKeyId());
    Optional<KeyNotifier.KeyUse> lastUse =
        used.at()
            .map(
                at ->
                    new KeyNotifier.KeyUse(
                        at, used.service().orElse("unknown"), used.region().orElse("unknown")));
    return new KeyView(
        user,
        key.accessKeyId(),
        key.active(),
        key.createdAt(),
        Math.max(0, Duration.between(key.createdAt(), now).toDays()),
        lastUse);
  }

  /** The user a key belongs to, or a refusal when this account has no such key. */
  public String userOfKey(String accessKeyId) {
    try {
      return iam.accessKeyLastUsed(accessKeyId).userName();
    } catch (IamException e) {
      if ("NoSuchEntity".equals(e.errorCode())) {
        throw new Refusal(Reason.NO_SUCH_ACCESS_KEY, accessKeyId);
      }
      throw e;
    }
  }

  /**
   * The panic button: deactivates a (maybe leaked) key at once, with no approval; its owner and the
   * approvers are told. Refuses anyone but the owner and approvers.
   */
  public void deactivate(String accessKeyId, String actor) {
    String user = userOfKey(accessKeyId);
    Optional<String> owner = ownership.checkMayActOn(user, actor);
    // Clicks on several replicas (or a double click) deactivate, audit and tell once: one holds
    // the key while it looks and acts, and the others find it held or already inactive.
    String subject = "deactivate:" + accessKeyId;
    if (!leases.tryHold(subject)) {
      throw new Refusal(Reason.KEY_DEACTIVATION_UNDER_WAY, accessKeyId);
    }
    try {
      boolean active =
          iam.listAccessKeys(user).stream()
              .filter(k -> k.accessKeyId().equals(accessKeyId))
              .findFirst()
              .orElseThrow(() -> new Refusal(Reason.NO_SUCH_ACCESS_KEY, accessKeyId))
              .active();
      if (!active) {
        throw new Refusal(Reason.KEY_ALREADY_INACTIVE, accessKeyId);
      }
      iam.setAccessKeyStatus(user, accessKeyId, /* active= */ false);
      transitions
          .about(accessKeyId)
          .audited(
              actor,
              AuditAction.KEYS_DEACTIVATED,
              Map.of("iamUser", user, "accessKeyId", accessKeyId))
          .tell(() -> notifier.keyDeactivated(user, accessKeyId, owner.orElse(actor), actor))
          .commit();
    } finally {
      leases.release(subject);
    }
  }
}
