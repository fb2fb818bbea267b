package dev.keysmith.config;

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
 * @param iamPath path new IAM users are created under, like {@code /keysmith/}
 * @param permissionsBoundaryArn boundary policy set on every new user, if any
 * @param offerLifetime how long the owner may reveal new credentials
 * @param secretVisibleFor how long a revealed secret stays on screen before it is wiped
 * @param dataDir directory of the SQLite database
 */
public record KeysmithConfig(
    Set<String> approverIds,
    Optional<String> approverGroupId,
    String approvalsChannel,
    List<String> groups,
    String iamPath,
    Optional<String> permissionsBoundaryArn,
    Duration offerLifetime,
    Duration secretVisibleFor,
    Path dataDir) {}
