package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class MrkdwnTest {
  @Test
  void escape_channelMention_cannotPing() {
    String escaped = Mrkdwn.escape("ping <!channel> and <@U123> & <!subteam^S1>");
    assertEquals("ping &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;!subteam^S1&gt;", escaped);
    assertFalse(escaped.contains("<"));
  }

  @Test
  void escape_alreadyEscapedText_isEscapedAgain() {
    assertEquals("&amp;lt;", Mrkdwn.escape("&lt;"));
  }

  @Test
  void escape_null_isEmpty() {
    assertEquals("", Mrkdwn.escape(null));
  }

  @Test
  void escape_otherMarkup_isLeftAlone() {
    assertEquals("*bold* _it_ `code`", Mrkdwn.escape("*bold* _it_ `code`"));
  }

  @Test
  void quote_multiline_quotesEachLine() {
    assertEquals("&gt; a\n&gt; &lt;b&gt;", Mrkdwn.quote("a\n<b>"));
  }

  @Test
  void userAndDate_absent_renderAsUnknownRatherThanFailTheMessage() {
    assertEquals("(unknown)", Mrkdwn.user(null));
    assertEquals("(unknown)", Mrkdwn.date(null));
    assertEquals("<@U123>", Mrkdwn.user("U123"));
  }

  @Test
  void user_thatIsNotAUserId_isEscapedTextNotAMention() {
    assertEquals("&lt;!channel&gt;", Mrkdwn.user("<!channel>"));
    assertEquals("U1&gt; &lt;!here", Mrkdwn.user("U1> <!here"));
    assertEquals("<@W0ENTERPRISE1>", Mrkdwn.user("W0ENTERPRISE1"));
  }
}
