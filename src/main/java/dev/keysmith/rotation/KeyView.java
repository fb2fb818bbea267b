package dev.keysmith.rotation;

import java.time.Instant;
import java.util.Optional;

/**
 * What `/iam keys` shows of one access key (never a secret: IAM does not keep it).
 *
 * @param lastUsed when, where and through which service it was last used; empty when never
 */
public record KeyView(
    String iamUser,
    String accessKeyId,
    boolean active,
    Instant createdAt,
    long ageDays,
    Optional<KeyNotifier.KeyUse> lastUsed) {}
