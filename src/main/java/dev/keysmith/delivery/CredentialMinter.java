package dev.keysmith.delivery;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Secret;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.PasswordGenerator;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The IAM side of a new user's one-time reveal: creates the access key and the console password at
 * the moment the owner asks, and deletes them again when they cannot be shown. Every IAM call is
 * audited; no secret is.
 */
public final class CredentialMinter {
  private final IamGateway iam;
  private final IamDirectory directory;
  private final PasswordGenerator passwords;
  private final AuditTrail audit;
  private final Clock clock;

  public CredentialMinter(
      IamGateway iam,
      IamDirectory directory,
      PasswordGenerator passwords,
      WorkflowContext context) {
    this.iam = iam;
    this.directory = directory;
    this.passwords = passwords;
    this.audit = context.audit();
    this.clock = context.clock();
  }

  /** Creates what {@code r}'s access type asks for: an access key, a console password, or both. */
  Credentials mint(AccessRequest r) {
    Optional<String> keyId = Optional.empty();
    Optional<Secret> secret = Optional.empty();
    Optional<String> url = Optional.empty();
    Optional<Secret> password = Optional.empty();
    if (r.accessType().programmatic()) {
      IamGateway.NewAccessKey key = iam.createAccessKey(r.iamUserName());
      record(r, AuditAction.IAM_CREATE_ACCESS_KEY, Map.of("accessKeyId", key.accessKeyId()));
      keyId = Optional.of(key.accessKeyId());
      secret = Optional.of(key.secretAccessKey());
    }
    if (r.accessType().console()) {
      Secret generated = passwords.generate(directory.passwordPolicy());
      iam.createLoginProfile(r.iamUserName(), generated, /* passwordResetRequired= */ true);
      record(r, AuditAction.IAM_CREATE_LOGIN_PROFILE, Map.of("passwordResetRequired", "true"));
      url = Optional.of(directory.consoleSignInUrl());
      password = Optional.of(generated);
    }
    return new Credentials(r.iamUserName(), keyId, secret, url, password);
  }

  /**
   * Deletes every access key and the console password of {@code r}'s user, which nobody has seen: a
   * Keysmith user has none before its first reveal.
   *
   * @throws IamException when IAM refuses, after auditing that the undo failed
   */
  void deleteUnseen(AccessRequest r) {
    try {
      for (IamGateway.AccessKeyInfo key : iam.listAccessKeys(r.iamUserName())) {
        iam.deleteAccessKey(r.iamUserName(), key.accessKeyId());
        record(r, AuditAction.IAM_DELETE_ACCESS_KEY, Map.of("accessKeyId", key.accessKeyId()));
      }
      if (r.accessType().console()) {
        iam.deleteLoginProfile(r.iamUserName());
        record(r, AuditAction.IAM_DELETE_LOGIN_PROFILE, Map.of());
      }
    } catch (IamException e) {
      record(r, AuditAction.DELIVERY_UNDO_FAILED, Map.of("errorCode", e.errorCode()));
      throw e;
    }
  }

  private void record(AccessRequest r, AuditAction action, Map<String, String> details) {
    audit.record(clock.instant(), r.id(), SYSTEM, action, details);
  }
}
