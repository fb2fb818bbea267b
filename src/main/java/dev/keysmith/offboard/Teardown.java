package dev.keysmith.offboard;

import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.ServiceCredential;
import dev.keysmith.iam.UserTags;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one implementation of removing an IAM user in the order IAM requires: each {@link
 * OffboardStep} reads from IAM what is left of its kind and removes it. Every step can run again:
 * what is gone already, and a user gone altogether, are fine.
 */
public final class Teardown {
  private static final String NO_SUCH_ENTITY = "NoSuchEntity";

  /** Told of each thing removed, as it is removed: the step and the thing's id. */
  @FunctionalInterface
  public interface Removed {
    void removed(OffboardStep step, String id);
  }

  private final IamGateway iam;

  public Teardown(IamGateway iam) {
    this.iam = iam;
  }

  /** What offboarding {@code iamUser} would remove now; empty when IAM has no such user. */
  public Optional<OffboardPlan> plan(String iamUser) {
    Optional<Map<String, String>> tags = iam.userTags(iamUser);
    if (tags.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new OffboardPlan(
              iamUser,
              Optional.ofNullable(tags.get().get(UserTags.OWNER)),
              iam.listAccessKeys(iamUser),
              iam.hasLoginProfile(iamUser),
              iam.signingCertificates(iamUser),
              iam.sshPublicKeys(iamUser),
              iam.serviceSpecificCredentials(iamUser),
              iam.mfaDevices(iamUser),
              List.copyOf(iam.groupsOfUser(iamUser)),
              iam.attachedPolicies(iamUser),
              iam.inlinePolicies(iamUser)));
    } catch (IamException e) {
      if (NO_SUCH_ENTITY.equals(e.errorCode())) {
        return Optional.empty(); // deleted while it was being read
      }
      throw e;
    }
  }

  /** Runs every step in order, then the user is gone. */
  public void removeAll(String iamUser, Removed removed) {
    for (OffboardStep step : OffboardStep.values()) {
      run(step, iamUser, removed);
    }
  }

  /**
   * Runs one step: lists what is left of its kind and removes each, telling {@code removed}.
   *
   * @throws IamException when IAM refuses or does not answer; what was removed stays removed
   */
  public void run(OffboardStep step, String iamUser, Removed removed) {
    try {
      switch (step) {
        case ACCESS_KEYS ->
            each(
                iam.listAccessKeys(iamUser).stream().map(AccessKeyInfo::accessKeyId).toList(),
                id -> iam.deleteAccessKey(iamUser, id),
                step,
                removed);
        case LOGIN_PROFILE -> {
          if (iam.hasLoginProfile(iamUser)) {
            iam.deleteLoginProfile(iamUser);
            removed.removed(step, iamUser);
          }
        }
        case SIGNING_CERTIFICATES ->
            each(
                iam.signingCertificates(iamUser),
                id -> iam.deleteSigningCertificate(iamUser, id),
                step,
                removed);
        case SSH_PUBLIC_KEYS ->
            each(
                iam.sshPublicKeys(iamUser),
                id -> iam.deleteSshPublicKey(iamUser, id),
                step,
                removed);
        case SERVICE_CREDENTIALS ->
            each(
                iam.serviceSpecificCredentials(iamUser).stream()
                    .map(ServiceCredential::id)
                    .toList(),
                id -> iam.deleteServiceSpecificCredential(iamUser, id),
                step,
                removed);
        case MFA_DEVICES ->
            each(
                iam.mfaDevices(iamUser),
                serial -> iam.removeMfaDevice(iamUser, serial),
                step,
                removed);
        case GROUPS ->
            each(
                List.copyOf(iam.groupsOfUser(iamUser)),
                group -> iam.removeUserFromGroup(iamUser, group),
                step,
                removed);
        case ATTACHED_POLICIES ->
            each(
                iam.attachedPolicies(iamUser),
                arn -> iam.detachUserPolicy(iamUser, arn),
                step,
                removed);
        case INLINE_POLICIES ->
            each(
                iam.inlinePolicies(iamUser),
                name -> iam.deleteUserPolicy(iamUser, name),
                step,
                removed);
        case USER -> {
          if (iam.userTags(iamUser).isPresent()) {
            iam.deleteUser(iamUser);
            removed.removed(step, iamUser);
          }
        }
      }
    } catch (IamException e) {
      // A listing says NoSuchEntity when the user itself is gone: nothing of it is left.
      if (!NO_SUCH_ENTITY.equals(e.errorCode())) {
        throw e;
      }
    }
  }

  private static void each(
      List<String> ids, Consumer<String> remove, OffboardStep step, Removed removed) {
    // The list is read in full before removing from it, so removals cannot shift its pages.
    for (String id : ids) {
      remove.accept(id);
      removed.removed(step, id);
    }
  }
}
