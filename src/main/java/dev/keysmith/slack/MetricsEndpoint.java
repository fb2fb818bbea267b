package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /metrics} serves: {@code scrape} in Prometheus's text format, as {@code
 * contentType}; when {@code token} is set, only to a request with {@code Authorization: Bearer
 * <token>}.
 */
public record MetricsEndpoint(Supplier<String> scrape, String contentType, Optional<String> token) {
  /** Whether {@code authorization} (the header, or null) lets the request read the metrics. */
  boolean allows(@Nullable String authorization) {
    if (token.isEmpty()) {
      return true;
    }
    byte[] expected = ("Bearer " + token.get()).getBytes(UTF_8);
    byte[] given = (authorization == null ? "" : authorization.strip()).getBytes(UTF_8);
    // Constant time in the token's content: only its length can show.
    return MessageDigest.isEqual(expected, given);
  }
}
