package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.user;

import dev.keysmith.outbox.Message;
import dev.keysmith.outbox.Outbox;
import dev.keysmith.outbox.Posted;
import dev.keysmith.outbox.Receipt;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestService;
import dev.keysmith.rotation.KeyNotifier;
import dev.keysmith.rotation.LinkNotifier;
import dev.keysmith.rotation.LinkService;
import dev.keysmith.rotation.RotationApproval;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows when Slack has, or refuses for good, a message of the outbox: an approvals message
 * posted is recorded on its request (decisions wait for it); one refused ends its request, and the
 * requester hears why. A direct message refused for good is reported in the approvals channel, so
 * an approver can tell the person another way.
 */
public final class OutboxReceipts {
  static final String ESCALATION = "outbox.undeliverable";

  private static final Logger log = LoggerFactory.getLogger(OutboxReceipts.class);

  private OutboxReceipts() {}

  /**
   * The receipts by purpose; an owner's offer that cannot be delivered is reported as {@code
   * otherwise} reports it.
   */
  public static Map<String, Receipt> byPurpose(
      RequestService requests, RotationApproval rotations, LinkService links, Receipt otherwise) {
    return Map.of(
        Notifier.APPROVAL,
        new Receipt() {
          @Override
          public void posted(Message m, Posted where) {
            requests.approvalPosted(m.about(), ref(where));
          }

          @Override
          public void undeliverable(Message m, String error) {
            requests.approvalUndeliverable(m.about(), error);
          }
        },
        Notifier.OFFER,
        new Receipt() {
          @Override
          public void posted(Message m, Posted where) {
            requests.offerPosted(m.about(), ref(where));
          }

          @Override
          public void undeliverable(Message m, String error) {
            otherwise.undeliverable(m, error);
          }
        },
        KeyNotifier.APPROVAL,
        new Receipt() {
          @Override
          public void posted(Message m, Posted where) {
            rotations.approvalPosted(m.about(), ref(where));
          }

          @Override
          public void undeliverable(Message m, String error) {
            rotations.approvalUndeliverable(m.about(), error);
          }
        },
        LinkNotifier.APPROVAL,
        new Receipt() {
          @Override
          public void posted(Message m, Posted where) {
            links.approvalPosted(m.about(), ref(where));
          }

          @Override
          public void undeliverable(Message m, String error) {
            links.approvalUndeliverable(m.about(), error);
          }
        },
        AuditChannel.PURPOSE,
        AuditChannel.RECEIPT);
  }

  /**
   * For every other purpose: a message refused for good outside the approvals channel is reported
   * there (once: a report that cannot be delivered is only logged and audited).
   */
  public static Receipt otherwise(Outbox outbox, String approvalsChannel) {
    Outgoing out = new Outgoing(outbox);
    return new Receipt() {
      @Override
      public void undeliverable(Message m, String error) {
        if (m.channel().equals(approvalsChannel) || m.purpose().equals(ESCALATION)) {
          log.error("outbox: nobody in Slack can be told that {} was not delivered", m);
          return;
        }
        String to =
            m.channel().startsWith("U") || m.channel().startsWith("W")
                ? user(m.channel())
                : "<#" + m.channel() + ">";
        String text =
            ":warning: Keysmith could not deliver a message about "
                + m.about()
                + " to "
                + to
                + ": Slack said `"
                + error
                + "`, which retrying cannot fix. Please tell them another way: \""
                + Mrkdwn.escape(m.text())
                + "\"";
        out.send(
            ESCALATION, m.about(), approvalsChannel, null, Outgoing.plain(text), Blocks.text(text));
      }
    };
  }

  private static Notifier.MessageRef ref(Posted where) {
    return new Notifier.MessageRef(where.channel(), where.ts());
  }
}
