package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UntrustedTest {

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "null",
        "KS-ABC12",
        "KS-ABC1234",
        "ks-abc123",
        "KS-ABC123\r\n",
        " KS-ABC123",
        "KS-ABC12é",
        "RT-ABC123",
        "KS-ABC123|x"
      })
  void requestId_thatKeysmithDidNotWrite_isMalformedNamingThePart(String value) {
    Refusal r = assertThrows(Refusal.class, () -> Untrusted.requestId(value, Untrusted.FORM));

    assertEquals(Reason.MALFORMED_ACTION, r.reason());
    assertEquals(Untrusted.FORM, r.arg("part"));
  }

  @Test
  void requestIdAndRotationId_asKeysmithWritesThem_areRead() {
    assertEquals("KS-4F7Q2M", Untrusted.requestId("KS-4F7Q2M", Untrusted.BUTTON));
    assertEquals("RT-4F7Q2M", Untrusted.rotationId("RT-4F7Q2M", Untrusted.BUTTON));
    assertEquals("KS-4F7Q2M", Untrusted.secretSubject("KS-4F7Q2M"));
    assertEquals("RT-4F7Q2M", Untrusted.secretSubject("RT-4F7Q2M"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"<!channel>", "<@U0OWNER>", "u0owner", "U", "U0", "C0CHANNEL", "U0 X"})
  void userId_thatIsNotASlackUserId_isMalformed(String value) {
    Refusal r = assertThrows(Refusal.class, () -> Untrusted.userId(value));

    assertEquals(Untrusted.USER, r.arg("part"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"U0A", "U0OWNER0001", "W0ENTERPRISE1"})
  void userId_ofSlackShape_isRead(String value) {
    assertEquals(value, Untrusted.userId(value));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"alice bob", "alice\n", "../alice", "alice|x", "ålice", "<!channel>"})
  void iamUser_thatIamWouldRefuse_isMalformed(String value) {
    assertThrows(Refusal.class, () -> Untrusted.iamUser(value, Untrusted.BUTTON));
  }

  @Test
  void iamUser_ofSixtyFiveCharacters_isMalformed_sixtyFourIsRead() {
    assertThrows(Refusal.class, () -> Untrusted.iamUser("a".repeat(65), Untrusted.BUTTON));
    assertEquals("a".repeat(64), Untrusted.iamUser("a".repeat(64), Untrusted.BUTTON));
  }

  @Property
  void everyReader_onAnyString_readsItBackOrRefusesAsMalformed(@ForAll String value) {
    for (Function<String, String> reader :
        java.util.List.<Function<String, String>>of(
            v -> Untrusted.requestId(v, Untrusted.BUTTON),
            v -> Untrusted.rotationId(v, Untrusted.BUTTON),
            Untrusted::secretSubject,
            v -> Untrusted.iamUser(v, Untrusted.BUTTON),
            v -> Untrusted.accessKeyId(v, Untrusted.BUTTON),
            Untrusted::userId)) {
      try {
        String read = reader.apply(value);
        assertEquals(value, read);
        assertEquals(read, LogSafe.value(read), "whatever is read needs no escaping in a log");
      } catch (Refusal e) {
        assertEquals(Reason.MALFORMED_ACTION, e.reason());
      }
    }
  }
}
