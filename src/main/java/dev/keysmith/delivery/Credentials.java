package dev.keysmith.delivery;

import dev.keysmith.core.Secret;
import java.util.Optional;

/**
 * Freshly minted credentials for one IAM user, on their way to the owner's screen. The secret parts
 * are {@link Secret}s, so printing this record prints no secret.
 */
public record Credentials(
    String iamUserName,
    Optional<String> accessKeyId,
    Optional<Secret> secretAccessKey,
    Optional<String> consoleSignInUrl,
    Optional<Secret> password) {}
