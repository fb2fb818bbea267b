package dev.keysmith.slack;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.outbox.Message;
import dev.keysmith.outbox.Outbox;
import dev.keysmith.outbox.Receipt;
import dev.keysmith.workflow.Transactions;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit channel: an {@link AuditTrail} that, besides recording, leaves a one-line summary of
 * every decision and key event in the outbox for the configured channel, in the transaction of the
 * audit row, so the line commits with the change and is never lost. A line names the action, what
 * it is about, who did it and a few chosen details (never free text a person typed, never a
 * secret); it mentions nobody.
 */
public final class AuditChannel implements AuditTrail {
  /** The outbox purpose of an audit channel line. */
  public static final String PURPOSE = "audit.line";

  private static final Logger log = LoggerFactory.getLogger(AuditChannel.class);

  /** What the channel hears about: decisions and what happens to users and keys. */
  static final Set<AuditAction> SUMMARISED =
      EnumSet.of(
          AuditAction.REQUEST_SUBMITTED,
          AuditAction.REQUEST_APPROVED,
          AuditAction.REQUEST_BREAK_GLASS,
          AuditAction.REQUEST_DENIED,
          AuditAction.REQUEST_CANCELLED,
          AuditAction.REQUEST_EXPIRED,
          AuditAction.REQUEST_PROVISIONED,
          AuditAction.REQUEST_FAILED,
          AuditAction.USER_EXTENDED,
          AuditAction.LINK_APPROVED,
          AuditAction.LINK_DENIED,
          AuditAction.KEYS_LINKED,
          AuditAction.IAM_CREATE_ACCESS_KEY,
          AuditAction.IAM_DELETE_ACCESS_KEY,
          AuditAction.KEYS_ROTATED,
          AuditAction.KEYS_DEACTIVATED,
          AuditAction.KEYS_DELETED,
          AuditAction.ROTATION_APPROVED,
          AuditAction.ROTATION_DENIED,
          AuditAction.DELIVERY_REVEALED,
          AuditAction.OFFBOARD_STARTED,
          AuditAction.OFFBOARD_DONE,
          AuditAction.OFFBOARD_FAILED,
          AuditAction.SLACK_UNDELIVERABLE);

  /** The details a line may show, in this order; anything else (free text) stays out. */
  static final List<String> SHOWN =
      List.of(
          "iamUser",
          "group",
          "accessType",
          "accessKeyId",
          "by",
          "approvedBy",
          "errorCode",
          "purpose",
          "channel",
          "error");

  /**
   * A refused line (the bot is not in the channel, the channel is gone) is logged, and nothing
   * else: it ends no request, and is not reported in the approvals channel.
   */
  public static final Receipt RECEIPT =
      new Receipt() {
        @Override
        public void undeliverable(Message m, String error) {
          log.warn(
              "audit channel {}: Slack refused a line ({}); invite the bot to the channel or"
                  + " correct auditChannel",
              m.channel(),
              error);
        }
      };

  private final AuditTrail trail;
  private final Transactions transactions;
  private final Outgoing out;
  private final String channel;

  private AuditChannel(AuditTrail trail, Transactions transactions, Outbox outbox, String channel) {
    this.trail = trail;
    this.transactions = transactions;
    this.out = new Outgoing(outbox);
    this.channel = channel;
  }

  /** {@code trail}, telling {@code channel} too when one is set. */
  public static AuditTrail around(
      AuditTrail trail, Transactions transactions, Outbox outbox, Optional<String> channel) {
    return channel
        .<AuditTrail>map(c -> new AuditChannel(trail, transactions, outbox, c))
        .orElse(trail);
  }

  @Override
  public void record(AuditEvent event) {
    @Nullable String line = line(event);
    if (line == null) {
      trail.record(event);
      return;
    }
    transactions.atomically(
        "record audit event and its channel line",
        () -> {
          trail.record(event);
          String about = event.requestId() != null ? event.requestId() : event.action().code();
          out.send(PURPOSE, about, channel, null, Outgoing.plain(line), Blocks.text(line));
          return null;
        });
  }

  @Override
  public List<AuditEvent> forRequest(String requestId) {
    return trail.forRequest(requestId);
  }

  /** The line for {@code event}, or null when the channel does not hear of it. */
  static @Nullable String line(AuditEvent event) {
    if (!SUMMARISED.contains(event.action())) {
      return null;
    }
    // A refused line must not make another line, which would be refused in turn.
    if (event.action() == AuditAction.SLACK_UNDELIVERABLE
        && PURPOSE.equals(event.details().get("purpose"))) {
      return null;
    }
    StringBuilder line = new StringBuilder(160).append(code(event.action().code()));
    if (event.requestId() != null) {
      line.append(' ').append(code(event.requestId()));
    }
    line.append(" by ")
        .append(AuditEvent.SYSTEM.equals(event.actor()) ? "Keysmith" : code(event.actor()));
    String sep = ": ";
    for (String key : SHOWN) {
      String value = event.details().get(key);
      if (value != null) {
        line.append(sep).append(key).append(' ').append(code(value));
        sep = ", ";
      }
    }
    return line.toString();
  }

  // One line, in code style: escaped, so nothing in it mentions, links or formats.
  private static String code(String value) {
    String flat = value.replace('`', '\'').replace('\n', ' ').replace('\r', ' ');
    if (flat.length() > 200) {
      flat = flat.substring(0, 200) + "…";
    }
    return "`" + Mrkdwn.escape(flat) + "`";
  }
}
