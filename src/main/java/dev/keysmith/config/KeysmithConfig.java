package dev.keysmith.config;

import dev.keysmith.request.GroupPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keysmith's settings from the YAML config file.
 *
 * @param approverIds Slack user ids allowed to approve
 * @param approverGroupId Slack user group whose members may approve, if any
 * @param approvalsChannel channel id where requests are posted for approval
 * @param groups IAM groups people may ask for (offered when they exist in IAM)
 * @param protectedGroups IAM groups whose members are never linked to an owner
 * @param iamPath path new IAM users are created under, like {@code /keysmith/}
 * @param permissionsBoundaryArn boundary policy set on every new user, if any
 * @param offerLifetime how long the owner may reveal new credentials
 * @param secretVisibleFor how long a revealed secret stays on screen before it is wiped
 * @param dataDir directory of the SQLite database
 * @param keyCare how access keys are rotated and when their owners are reminded
 * @param pending how long a request may wait for a decision
 * @param policies the access policies of the groups that have one; the others get {@link
 *     GroupPolicy#defaults}
 * @param database the PostgreSQL server replicas share, when one is set; else SQLite in {@code
 *     dataDir}
 * @param auditChannel channel id that gets a one-line summary of every decision and key event, if
 *     any
 */
public record KeysmithConfig(
    Set<String> approverIds,
    Optional<String> approverGroupId,
    String approvalsChannel,
    List<String> groups,
    List<String> protectedGroups,
    String iamPath,
    Optional<String> permissionsBoundaryArn,
    Duration offerLifetime,
    Duration secretVisibleFor,
    Path dataDir,
    KeyCare keyCare,
    Pending pending,
    List<GroupPolicy> policies,
    Optional<DatabaseServer> database,
    Optional<String> auditChannel) {

  public KeysmithConfig {
    policies = List.copyOf(policies);
  }

  /** Settings without an audit channel. */
  public KeysmithConfig(
      Set<String> approverIds,
      Optional<String> approverGroupId,
      String approvalsChannel,
      List<String> groups,
      List<String> protectedGroups,
      String iamPath,
      Optional<String> permissionsBoundaryArn,
      Duration offerLifetime,
      Duration secretVisibleFor,
      Path dataDir,
      KeyCare keyCare,
      Pending pending,
      List<GroupPolicy> policies,
      Optional<DatabaseServer> database) {
    this(
        approverIds,
        approverGroupId,
        approvalsChannel,
        groups,
        protectedGroups,
        iamPath,
        permissionsBoundaryArn,
        offerLifetime,
        secretVisibleFor,
        dataDir,
        keyCare,
        pending,
        policies,
        database,
        Optional.empty());
  }

  /** These settings with {@code channel} as the audit channel. */
  public KeysmithConfig withAuditChannel(String channel) {
    return new KeysmithConfig(
        approverIds,
        approverGroupId,
        approvalsChannel,
        groups,
        protectedGroups,
        iamPath,
        permissionsBoundaryArn,
        offerLifetime,
        secretVisibleFor,
        dataDir,
        keyCare,
        pending,
        policies,
        database,
        Optional.of(channel));
  }

  /**
   * A PostgreSQL database that several replicas share.
   *
   * @param url its JDBC URL, without a login (that comes from the environment)
   * @param poolSize how many connections one replica keeps at most
   */
  public record DatabaseServer(String url, int poolSize) {
    /** Enough for the work pool, the courier and the timer, with room for a burst of clicks. */
    public static final int DEFAULT_POOL_SIZE = 10;
  }

  /**
   * How long a request may wait for a decision.
   *
   * @param remindApproversAfter how long after it was asked for the approvers are reminded, once
   * @param expireAfter how long after it was asked for a request nobody decided expires
   */
  public record Pending(Duration remindApproversAfter, Duration expireAfter) {
    /** The settings when {@code requests:} is left out of the config file. */
    public static Pending defaults() {
      return new Pending(Duration.ofHours(4), Duration.ofDays(3));
    }
  }

  /**
   * How Keysmith looks after access keys: rotation and reminders.
   *
   * @param rotationNeedsApproval whether a rotation waits for an approver (else owners rotate
   *     alone)
   * @param rotationGracePeriod how long the old key stays active after a rotation
   * @param deleteAfterDeactivation how long after its deactivation an old key is deleted
   * @param maxKeyAge keys older than this get their owner a rotation reminder
   * @param unusedKeyAge keys unused this long get their owner a nudge to deactivate them
   */
  public record KeyCare(
      boolean rotationNeedsApproval,
      Duration rotationGracePeriod,
      Duration deleteAfterDeactivation,
      Duration maxKeyAge,
      Duration unusedKeyAge) {

    /** The settings when {@code keys:} is left out of the config file. */
    public static KeyCare defaults() {
      return new KeyCare(
          false, Duration.ofDays(7), Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(45));
    }
  }
}
