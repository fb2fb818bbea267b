package dev.keysmith.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The audit trail's hash chain: what an event's hash covers, and the anchor of the rows written
 * before the chain began. An event's hash is SHA-256 over its id, time (epoch milliseconds),
 * request id (or none), actor, action code, details JSON exactly as stored, and the hash of the
 * event before it, each as a 4-byte length (-1 for none) and its UTF-8 bytes, so no two different
 * events encode alike.
 */
final class AuditChain {
  private static final String EVENT_TAG = "keysmith-audit-event-v1";
  private static final String ANCHOR_TAG = "keysmith-audit-anchor-v1";
  private static final String BETWEEN_TAG = "keysmith-audit-between-v1";
  private static final HexFormat HEX = HexFormat.of();

  private AuditChain() {}

  /** The hash of one event, hex. */
  static String hash(
      long id,
      long atMillis,
      @Nullable String requestId,
      String actor,
      String action,
      String details,
      String prevHash) {
    MessageDigest digest = sha256();
    field(digest, EVENT_TAG);
    row(digest, id, atMillis, requestId, actor, action, details);
    field(digest, prevHash);
    return HEX.formatHex(digest.digest());
  }

  /**
   * The prev_hash of a chained event that follows rows without a hash: a digest of those rows in id
   * order, after the hash of the chained event before them ({@code after}, null when the chain
   * begins with this event: then of every row before it, or of nothing).
   */
  static final class Anchor {
    private final MessageDigest digest = sha256();
    private long rows;

    Anchor(@Nullable String after) {
      if (after == null) {
        field(digest, ANCHOR_TAG);
      } else {
        field(digest, BETWEEN_TAG);
        field(digest, after);
      }
    }

    void add(
        long id,
        long atMillis,
        @Nullable String requestId,
        String actor,
        String action,
        String details) {
      row(digest, id, atMillis, requestId, actor, action, details);
      rows++;
    }

    /** How many rows it covers. */
    long rows() {
      return rows;
    }

    /** The anchor, hex; the digest is spent. */
    String finish() {
      return HEX.formatHex(digest.digest());
    }
  }

  private static void row(
      MessageDigest digest,
      long id,
      long atMillis,
      @Nullable String requestId,
      String actor,
      String action,
      String details) {
    field(digest, Long.toString(id));
    field(digest, Long.toString(atMillis));
    field(digest, requestId);
    field(digest, actor);
    field(digest, action);
    field(digest, details);
  }

  private static void field(MessageDigest digest, @Nullable String value) {
    if (value == null) {
      digest.update(ByteBuffer.allocate(4).putInt(-1).array());
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
