package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditChannelTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

  @Test
  void line_actionNotSummarised_isNone() {
    assertNull(
        AuditChannel.line(
            new AuditEvent(T0, "KS-1", "U0ALICE01", AuditAction.REQUEST_REMINDED, Map.of())));
  }

  @Test
  void line_refusedAuditLine_makesNoFurtherLine() {
    assertNull(
        AuditChannel.line(
            new AuditEvent(
                T0,
                "KS-1",
                AuditEvent.SYSTEM,
                AuditAction.SLACK_UNDELIVERABLE,
                Map.of("purpose", AuditChannel.PURPOSE, "error", "not_in_channel"))));
  }

  @Test
  void line_showsChosenDetailsOnly_escapedAndOnOneLine() {
    String line =
        AuditChannel.line(
            new AuditEvent(
                T0,
                "KS-1",
                "U0ALICE01",
                AuditAction.REQUEST_DENIED,
                Map.of(
                    "reason", "typed by a person",
                    "iamUser", "a<!channel>`b\nc",
                    "justification", "secretive")));

    assertEquals("`request.denied` `KS-1` by `U0ALICE01`: iamUser `a&lt;!channel&gt;'b c`", line);
  }

  @Test
  void line_undeliverableElsewhere_namesPurposeAndError() {
    assertEquals(
        "`slack.undeliverable` `KS-1` by Keysmith: purpose `request.offer`, channel `U0OWNER01`,"
            + " error `user_not_found`",
        AuditChannel.line(
            new AuditEvent(
                T0,
                "KS-1",
                AuditEvent.SYSTEM,
                AuditAction.SLACK_UNDELIVERABLE,
                Map.of(
                    "purpose",
                    "request.offer",
                    "channel",
                    "U0OWNER01",
                    "error",
                    "user_not_found"))));
  }
}
