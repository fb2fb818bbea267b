package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Slack's request signature check, stricter than Bolt's own: the timestamp must be within five
 * minutes of now in both directions (Bolt lets future ones through), and the signature is compared
 * in constant time (Bolt uses {@code String.equals}).
 */
final class SlackSignature {
  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  private final byte[] secret;
  private final Clock clock;

  SlackSignature(String signingSecret, Clock clock) {
    this.secret = signingSecret.getBytes(UTF_8);
    this.clock = clock;
  }

  /** Whether {@code body} was signed by Slack with our signing secret, recently. */
  boolean verify(@Nullable String timestamp, @Nullable String signature, byte[] body) {
    if (timestamp == null || signature == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    long skew = Math.abs(clock.instant().getEpochSecond() - seconds);
    if (skew > MAX_SKEW.toSeconds()) {
      return false;
    }
    byte[] expected = ("v0=" + hmac(timestamp.strip(), body)).getBytes(UTF_8);
    return MessageDigest.isEqual(expected, signature.strip().getBytes(UTF_8));
  }

  private String hmac(String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
