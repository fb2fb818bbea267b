package dev.keysmith.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.KeyLastUsed;
import dev.keysmith.iam.KeyStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake must behave like IAM where Keysmith's unit tests lean on it. */
class FakeIamGatewayTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant USED = Instant.parse("2026-11-25T08:30:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final FakeIamGateway iam = new FakeIamGateway(clock);

  @BeforeEach
  void aliceExists() {
    iam.createUser("alice", "/", Map.of("team", "ops"), Optional.empty());
    iam.createUser("bob", "/", Map.of(), Optional.empty());
    iam.calls.clear();
  }

  @Test
  void tagUser_missingUser_failsWithNoSuchEntity() {
    IamException e =
        assertThrows(IamException.class, () -> iam.tagUser("nobody", Map.of("team", "ops")));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(e.getMessage().contains("nobody"), e.getMessage());
  }

  @Test
  void tagUser_noTags_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> iam.tagUser("alice", Map.of()));
  }

  @Test
  void tagUser_past50Tags_failsWithLimitExceededAndKeepsTheOldTags() {
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < FakeIamGateway.MAX_TAGS; i++) {
      many.put("k" + i, "v");
    }

    IamException e = assertThrows(IamException.class, () -> iam.tagUser("alice", many));

    assertEquals("LimitExceeded", e.errorCode());
    assertEquals(Optional.of(Map.of("team", "ops")), iam.userTags("alice"));
  }

  @Test
  void tagUser_keyInAnotherCase_replacesTheOldKeyAsIamDoes() {
    iam.tagUser("alice", Map.of("Team", "payments", "ticket", "OPS-42"));

    assertEquals(
        Optional.of(Map.of("Team", "payments", "ticket", "OPS-42")), iam.userTags("alice"));
    assertEquals(List.of("TagUser alice", "ListUserTags alice"), iam.calls);
  }

  @Test
  void setAccessKeyStatus_unknownKey_failsWithNoSuchEntityNamingIt() {
    IamException e =
        assertThrows(
            IamException.class,
            () -> iam.setAccessKeyStatus("alice", "AKIAUNKNOWN", /* active= */ false));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(e.getMessage().contains("AKIAUNKNOWN"), e.getMessage());
  }

  @Test
  void setAccessKeyStatus_keyOfAnotherUser_failsWithNoSuchEntity() {
    String bobs = iam.createAccessKey("bob").accessKeyId();

    IamException e =
        assertThrows(
            IamException.class, () -> iam.setAccessKeyStatus("alice", bobs, /* active= */ false));

    assertEquals("NoSuchEntity", e.errorCode());
    assertEquals(KeyStatus.ACTIVE, iam.listAccessKeys("bob").get(0).status());
  }

  @Test
  void setAccessKeyStatus_missingUser_failsWithNoSuchEntity() {
    IamException e =
        assertThrows(
            IamException.class,
            () -> iam.setAccessKeyStatus("nobody", "AKIAUNKNOWN", /* active= */ true));

    assertEquals("NoSuchEntity", e.errorCode());
  }

  @Test
  void setAccessKeyStatus_inactiveThenActive_listShowsEachWithTheCreationDate() {
    String id = iam.createAccessKey("alice").accessKeyId();
    clock.advance(Duration.between(T0, USED));

    iam.setAccessKeyStatus("alice", id, /* active= */ false);
    assertEquals(
        List.of(new AccessKeyInfo(id, KeyStatus.INACTIVE, T0)), iam.listAccessKeys("alice"));

    iam.setAccessKeyStatus("alice", id, /* active= */ true);
    assertEquals(List.of(new AccessKeyInfo(id, KeyStatus.ACTIVE, T0)), iam.listAccessKeys("alice"));
  }

  @Test
  void accessKeyLastUsed_unknownKey_failsWithNoSuchEntity() {
    IamException e = assertThrows(IamException.class, () -> iam.accessKeyLastUsed("AKIAUNKNOWN"));

    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(e.getMessage().contains("no access key AKIAUNKNOWN exists"), e.getMessage());
  }

  @Test
  void accessKeyLastUsed_keyOfDeletedUser_failsWithNoSuchEntity() {
    String id = iam.createAccessKey("alice").accessKeyId();
    iam.deleteUser("alice");

    IamException e = assertThrows(IamException.class, () -> iam.accessKeyLastUsed(id));

    assertEquals("NoSuchEntity", e.errorCode());
  }

  @Test
  void accessKeyLastUsed_neverUsed_namesTheOwnerOnly() {
    String id = iam.createAccessKey("bob").accessKeyId();

    assertEquals(
        new KeyLastUsed("bob", Optional.empty(), Optional.empty(), Optional.empty()),
        iam.accessKeyLastUsed(id));
  }

  @Test
  void accessKeyLastUsed_afterMarkUsed_showsTheLatestUse() {
    String id = iam.createAccessKey("alice").accessKeyId();
    iam.markUsed(id, T0, "iam", "us-east-1");
    iam.markUsed(id, USED, "s3", "eu-west-1");

    assertEquals(
        new KeyLastUsed("alice", Optional.of(USED), Optional.of("s3"), Optional.of("eu-west-1")),
        iam.accessKeyLastUsed(id));
  }

  @Test
  void markUsed_unknownKey_isATestSetupError() {
    assertThrows(
        IllegalArgumentException.class, () -> iam.markUsed("AKIAUNKNOWN", USED, "s3", "eu-west-1"));
  }

  @Test
  void failNext_newOperations_failOnceAndAreLogged() {
    String id = iam.createAccessKey("alice").accessKeyId();
    iam.calls.clear();
    iam.failNext("TagUser", "Throttling");
    iam.failNext("UpdateAccessKey", "Throttling");
    iam.failNext("GetAccessKeyLastUsed", "AccessDenied");

    assertEquals(
        "Throttling",
        assertThrows(IamException.class, () -> iam.tagUser("alice", Map.of("a", "b"))).errorCode());
    assertEquals(
        "Throttling",
        assertThrows(
                IamException.class, () -> iam.setAccessKeyStatus("alice", id, /* active= */ false))
            .errorCode());
    assertEquals(
        "AccessDenied",
        assertThrows(IamException.class, () -> iam.accessKeyLastUsed(id)).errorCode());

    iam.tagUser("alice", Map.of("a", "b"));
    iam.setAccessKeyStatus("alice", id, /* active= */ false);
    assertEquals("alice", iam.accessKeyLastUsed(id).userName());
    assertEquals(
        List.of(
            "TagUser alice",
            "UpdateAccessKey alice " + id + " Inactive",
            "GetAccessKeyLastUsed " + id,
            "TagUser alice",
            "UpdateAccessKey alice " + id + " Inactive",
            "GetAccessKeyLastUsed " + id),
        iam.calls);
  }
}
