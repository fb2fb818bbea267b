package dev.keysmith.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlackIdsTest {

  @Test
  void isUserId_userAndEnterpriseIds_areUserIds() {
    assertTrue(SlackIds.isUserId("U0OWNER0001"));
    assertTrue(SlackIds.isUserId("W012A3CDE"));
  }

  @Test
  void isUserId_mentionsChannelsAndTooLong_areNot() {
    assertFalse(SlackIds.isUserId(null));
    assertFalse(SlackIds.isUserId("<!channel>"));
    assertFalse(SlackIds.isUserId("<@U0OWNER0001>"));
    assertFalse(SlackIds.isUserId("C0APPROVALS"));
    assertFalse(SlackIds.isUserId("U0"));
    assertFalse(SlackIds.isUserId("U" + "0".repeat(50)));
  }
}
