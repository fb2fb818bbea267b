package dev.keysmith.offboard;

import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.ServiceCredential;
import java.util.List;
import java.util.Optional;

/**
 * What offboarding an IAM user would remove, read from IAM before anything is: shown to the person
 * who asks, so they confirm exactly this. Never holds a secret.
 *
 * @param owner the user's owner by Keysmith's tag, if it has one
 * @param mfaDevices serial numbers (a virtual device's is its ARN)
 * @param attachedPolicies managed policy ARNs
 */
public record OffboardPlan(
    String iamUser,
    Optional<String> owner,
    List<AccessKeyInfo> accessKeys,
    boolean loginProfile,
    List<String> signingCertificates,
    List<String> sshPublicKeys,
    List<ServiceCredential> serviceCredentials,
    List<String> mfaDevices,
    List<String> groups,
    List<String> attachedPolicies,
    List<String> inlinePolicies) {

  public OffboardPlan {
    accessKeys = List.copyOf(accessKeys);
    signingCertificates = List.copyOf(signingCertificates);
    sshPublicKeys = List.copyOf(sshPublicKeys);
    serviceCredentials = List.copyOf(serviceCredentials);
    mfaDevices = List.copyOf(mfaDevices);
    groups = List.copyOf(groups);
    attachedPolicies = List.copyOf(attachedPolicies);
    inlinePolicies = List.copyOf(inlinePolicies);
  }

  /** Whether the user has nothing but itself to remove. */
  public boolean bare() {
    return accessKeys.isEmpty()
        && !loginProfile
        && signingCertificates.isEmpty()
        && sshPublicKeys.isEmpty()
        && serviceCredentials.isEmpty()
        && mfaDevices.isEmpty()
        && groups.isEmpty()
        && attachedPolicies.isEmpty()
        && inlinePolicies.isEmpty();
  }
}
