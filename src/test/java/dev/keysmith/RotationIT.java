package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.testing.FakeSlackApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;

/** Key rotation through Slack against moto, with the clock moved by the test. */
class RotationIT {
  private static final Duration GRACE = Duration.ofDays(7);
  private static final Duration DELETE_AFTER = Duration.ofDays(7);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  // --- unhappy paths first ---------------------------------------------------------------------

  @Test
  void rotate_someoneElsesUser_isRefusedAndMintsNothing() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    assertTrue(k.command(STRANGER, "rotate-key alice").contains("is not yours"));
    clickRotate(STRANGER, "alice|" + old.accessKeyId() + "|rotate");
    assertEquals(1, keys("alice").size());
  }

  @Test
  void rotate_byAnApproverWhoIsNotTheOwner_isRefused_theSecretIsTheOwnersAlone() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    assertTrue(k.command(APPROVER, "rotate-key alice").contains("Only the owner"));
    clickRotate(APPROVER, "alice|" + old.accessKeyId() + "|rotate");
    assertEquals(1, keys("alice").size());
  }

  @Test
  void rotate_withBothSlotsTakenByActiveKeys_deletesNothingUntilTheOwnerConfirmsOne()
      throws Exception {
    AccessKey a = k.ownedUserWithKey("alice", OWNER);
    AccessKey b = k.iam.createAccessKey(x -> x.userName("alice")).accessKey();
    String prompt = k.command(OWNER, "rotate-key");
    assertTrue(prompt.contains("two active access keys"), prompt);
    assertFalse(prompt.contains("keysmith_rotate\""), "no rotate button yet: " + prompt);
    assertTrue(prompt.contains("\"confirm\""), "deleting an active key asks first: " + prompt);
    assertEquals(2, keys("alice").size());

    String url = k.slack.newResponseUrl();
    k.clickEphemeral(
        OWNER, "keysmith_delete_for_room", "alice|" + a.accessKeyId() + "|rotate", url);
    assertEquals("deleted", k.status("alice", a.accessKeyId()));
    String replaced = lastPostTo(url).raw();
    assertTrue(replaced.contains("alice|" + b.accessKeyId() + "|rotate"), replaced);

    String secretUrl = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + b.accessKeyId() + "|rotate", secretUrl);
    assertEquals(2, keys("alice").size());
    assertTrue(lastPostTo(secretUrl).raw().contains("aws_secret_access_key"));
  }

  @Test
  void rotate_withAnInactiveKeyInTheSecondSlot_offersToDeleteItWithConfirmation() throws Exception {
    AccessKey active = k.ownedUserWithKey("alice", OWNER);
    AccessKey inactive = k.iam.createAccessKey(x -> x.userName("alice")).accessKey();
    k.iam.updateAccessKey(
        u -> u.userName("alice").accessKeyId(inactive.accessKeyId()).status("Inactive"));
    String prompt = k.command(OWNER, "rotate-key alice");
    assertTrue(prompt.contains(inactive.accessKeyId() + "` is inactive"), prompt);
    assertTrue(prompt.contains("\"confirm\""), prompt);
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(
        OWNER, "keysmith_delete_for_room", "alice|" + inactive.accessKeyId() + "|rotate", url);
    assertEquals("deleted", k.status("alice", inactive.accessKeyId()));
    assertEquals("Active", k.status("alice", active.accessKeyId()));
    assertTrue(lastPostTo(url).raw().contains("Rotate now"));
  }

  @Test
  void rotate_doubleClickedAtOnce_mintsOneKeyAndLeavesNothingHalfDone() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    String value = "alice|" + old.accessKeyId() + "|rotate";
    List<java.util.concurrent.CompletableFuture<dev.keysmith.testing.SlackRequests.Reply>> clicks =
        new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String body =
          k.send.blockActionBody(
              dev.keysmith.testing.SlackRequests.BlockAction.click(OWNER, "keysmith_rotate", value)
                  .onEphemeral()
                  .withResponseUrl(k.slack.newResponseUrl()));
      clicks.add(k.send.sendAsync(k.send.sign(body)));
    }
    for (var click : clicks) {
      assertEquals(200, click.get().status());
    }
    k.idle();
    assertEquals(2, keys("alice").size(), "the old key and exactly one new key");
    assertEquals(1, k.auditCount("keys.rotated"));
    k.restart();
    assertEquals(2, keys("alice").size(), "no rotation was left half-done for recovery to undo");
  }

  @Test
  void rotate_whenTheKeysChangedSinceThePrompt_isRefused() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    k.iam.createAccessKey(x -> x.userName("alice"));
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + old.accessKeyId() + "|rotate", url);
    assertEquals(2, keys("alice").size());
    assertTrue(lastPost().raw().contains("changed"), lastPost().raw());
  }

  // --- rotation as AWS documents it ------------------------------------------------------------

  @Test
  void rotate_unusedOldKey_graceThenDeactivateThenDelete() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    String prompt = k.command(OWNER, "rotate-key");
    assertTrue(prompt.contains("Rotate now"), prompt);
    String newKey = rotate(old);
    assertEquals("Active", k.status("alice", old.accessKeyId()), "the old key stays active");
    assertTrue(lastDm().contains("stays active until"), lastDm());
    assertTrue(lastDm().contains("keysmith_deactivate_old_now"), lastDm());

    k.clock.advance(GRACE.minusSeconds(1));
    k.keysmith.housekeeping();
    assertEquals("Active", k.status("alice", old.accessKeyId()));
    k.clock.advance(Duration.ofSeconds(1));
    k.keysmith.housekeeping();
    assertEquals("Inactive", k.status("alice", old.accessKeyId()));
    assertTrue(lastDm().contains("now deactivated"), lastDm());

    k.clock.advance(DELETE_AFTER);
    k.keysmith.housekeeping();
    assertEquals("deleted", k.status("alice", old.accessKeyId()));
    assertEquals("Active", k.status("alice", newKey));
    assertTrue(lastDm().contains("is deleted"), lastDm());
    assertEquals(1, k.auditCount("keys.rotated"));
  }

  @Test
  void rotate_oldKeyUsedAfterTheReveal_warnsWhereAndPostponesOnce() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    rotate(old);
    k.useKey(old);

    k.clock.advance(GRACE);
    k.keysmith.housekeeping();
    assertEquals("Active", k.status("alice", old.accessKeyId()), "postponed");
    String warning = lastDm();
    assertTrue(warning.contains("still used"), warning);
    assertTrue(warning.contains("sts"), "says where: " + warning);

    k.clock.advance(GRACE);
    k.keysmith.housekeeping();
    assertEquals("Inactive", k.status("alice", old.accessKeyId()), "postponed only once");
    assertEquals(1, k.auditCount("rotation.postponed"));
  }

  @Test
  void rotate_restartDuringTheGracePeriod_deactivatesOnceAfterwards() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    rotate(old);
    k.restart();
    k.clock.advance(GRACE.plusDays(1));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    assertEquals("Inactive", k.status("alice", old.accessKeyId()));
    assertEquals(1, k.auditCount("keys.deactivated"));
  }

  @Test
  void deactivateOldNow_endsTheGraceAtOnce_andTheJobDoesNotRunAgain() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    rotate(old);
    String rotationId = rotationIdFromDm();
    k.click(STRANGER, "keysmith_deactivate_old_now", rotationId);
    assertEquals("Active", k.status("alice", old.accessKeyId()), "strangers cannot");
    k.click(OWNER, "keysmith_deactivate_old_now", rotationId);
    assertEquals("Inactive", k.status("alice", old.accessKeyId()));
    k.clock.advance(GRACE);
    k.keysmith.housekeeping();
    assertEquals(1, k.auditCount("keys.deactivated"));
  }

  @Test
  void oldKeyReactivatedByTheOwner_isNotDeleted() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    rotate(old);
    k.clock.advance(GRACE);
    k.keysmith.housekeeping();
    assertEquals("Inactive", k.status("alice", old.accessKeyId()));
    k.iam.updateAccessKey(u -> u.userName("alice").accessKeyId(old.accessKeyId()).status("Active"));
    k.clock.advance(DELETE_AFTER);
    k.keysmith.housekeeping();
    assertEquals("Active", k.status("alice", old.accessKeyId()));
  }

  @Test
  void lostKey_deactivatesTheOldKeyAtOnceAndDeletesItLater() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    String prompt = k.command(OWNER, "lost-key alice");
    assertTrue(prompt.contains("Replace lost key"), prompt);
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + old.accessKeyId() + "|lost", url);
    assertTrue(lastPostTo(url).raw().contains("aws_secret_access_key"));
    assertEquals("Inactive", k.status("alice", old.accessKeyId()));
    k.clock.advance(DELETE_AFTER);
    k.keysmith.housekeeping();
    assertEquals("deleted", k.status("alice", old.accessKeyId()));
  }

  @Test
  void rotate_secretIsShownOnceAndWiped() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + old.accessKeyId() + "|rotate", url);
    FakeSlackApi.ResponseUrlPost shown = lastPostTo(url);
    assertTrue(shown.json().path("replace_original").asBoolean());
    assertEquals("ephemeral", shown.json().path("response_type").asText());
    k.clickEphemeral(
        OWNER,
        "keysmith_rotate",
        "alice|" + old.accessKeyId() + "|rotate",
        k.slack.newResponseUrl());
    assertEquals(2, keys("alice").size(), "a second click mints nothing");
    k.clock.advance(KeysmithFixture.VISIBLE_FOR);
    k.keysmith.housekeeping();
    FakeSlackApi.ResponseUrlPost wiped = lastPostTo(url);
    assertFalse(wiped.raw().contains("aws_secret_access_key"));
  }

  @Test
  void restart_afterMintingBeforeShowing_deletesTheUnseenNewKey() throws Exception {
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.keysmith.close();
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      var store = new dev.keysmith.store.SqlRotationStore(db);
      store.insert(
          new dev.keysmith.rotation.Rotation(
              "RT-CRASH1",
              "alice",
              OWNER,
              old.accessKeyId(),
              null,
              false,
              dev.keysmith.rotation.RotationState.MINTING,
              k.clock.instant(),
              null,
              false,
              null,
              null,
              null,
              null,
              k.clock.instant()));
    }
    k.iam.createAccessKey(x -> x.userName("alice"));
    k.start();
    List<AccessKeyMetadata> left = keys("alice");
    assertEquals(1, left.size());
    assertEquals(old.accessKeyId(), left.get(0).accessKeyId());
  }

  // --- where rotations need approval ----------------------------------------------------------

  @Test
  void rotate_whereApprovalIsNeeded_waitsForAnotherApproverThenTheOwnerRotates() throws Exception {
    k.restart(/* rotationNeedsApproval= */ true);
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "rotate-key");
    String value = "alice|" + old.accessKeyId() + "|rotate";
    k.clickEphemeral(OWNER, "keysmith_rotate", value, k.slack.newResponseUrl());
    assertEquals(1, keys("alice").size(), "nothing minted before approval");
    assertTrue(lastPost().raw().contains("approvals channel"), lastPost().raw());
    String rotationId = rotationIdInApprovals();

    k.click(STRANGER, "keysmith_rotation_approve", rotationId);
    assertTrue(lastPost().raw().contains("Only Keysmith approvers"), lastPost().raw());
    k.clickEphemeral(OWNER, "keysmith_rotate", value, k.slack.newResponseUrl());
    assertEquals(1, keys("alice").size(), "still nothing minted");

    k.click(APPROVER, "keysmith_rotation_approve", rotationId);
    assertTrue(lastDm().contains("was approved"), lastDm());
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", value, url);
    assertEquals(2, keys("alice").size());
    assertTrue(lastPostTo(url).raw().contains("aws_secret_access_key"));
    assertEquals(1, k.auditCount("rotation.approved"));
  }

  @Test
  void rotate_whereApprovalIsNeeded_theOwnerWhoIsAnApproverCannotApproveTheirOwn()
      throws Exception {
    k.restart(/* rotationNeedsApproval= */ true);
    AccessKey old = k.ownedUserWithKey("ops", APPROVER);
    k.command(APPROVER, "rotate-key ops");
    String value = "ops|" + old.accessKeyId() + "|rotate";
    k.clickEphemeral(APPROVER, "keysmith_rotate", value, k.slack.newResponseUrl());
    String rotationId = rotationIdInApprovals();
    k.click(APPROVER, "keysmith_rotation_approve", rotationId);
    assertTrue(lastPost().raw().contains("someone else"), lastPost().raw());
    k.click(KeysmithFixture.APPROVER_2, "keysmith_rotation_deny", rotationId);
    assertTrue(
        k.dms(APPROVER).stream().anyMatch(d -> d.contains("was denied")),
        k.dms(APPROVER).toString());
    k.clickEphemeral(APPROVER, "keysmith_rotate", value, k.slack.newResponseUrl());
    assertEquals(1, keys("ops").size(), "a denied rotation mints nothing");
  }

  @Test
  void rotate_whoseApprovalsPostSlackRefusesForGood_endsAndTellsTheOwner_andMayBeAskedAgain()
      throws Exception {
    k.restart(/* rotationNeedsApproval= */ true);
    AccessKey old = k.ownedUserWithKey("alice", OWNER);
    String value = "alice|" + old.accessKeyId() + "|rotate";
    k.slack.failNext("chat.postMessage", "not_in_channel");

    k.clickEphemeral(OWNER, "keysmith_rotate", value, k.slack.newResponseUrl());

    assertEquals(1, keys("alice").size(), "nothing minted");
    assertEquals(
        List.of("CANCELLED"),
        KeysmithFixture.column(k.dataDir, "SELECT state FROM rotations"),
        "nobody could approve it");
    assertEquals(1, k.auditCount("slack.undeliverable"));
    assertTrue(
        k.dms(OWNER).stream().anyMatch(d -> d.contains("could not be posted")),
        k.dms(OWNER).toString());
    k.clickEphemeral(OWNER, "keysmith_rotate", value, k.slack.newResponseUrl());
    assertEquals(
        List.of("CANCELLED", "AWAITING_APPROVAL"),
        KeysmithFixture.column(k.dataDir, "SELECT state FROM rotations ORDER BY rowid"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private String rotationIdInApprovals() throws Exception {
    for (FakeSlackApi.Call call : k.slack.calls("chat.postMessage")) {
      if (KeysmithFixture.APPROVALS.equals(call.param("channel"))) {
        for (JsonNode block : call.json("blocks")) {
          for (JsonNode element : block.path("elements")) {
            if ("keysmith_rotation_approve".equals(element.path("action_id").asText())) {
              return element.path("value").asText();
            }
          }
        }
      }
    }
    throw new AssertionError("no rotation in the approvals channel");
  }

  /** Clicks Rotate now on the prompt; returns the new key's id. */
  private String rotate(AccessKey old) throws Exception {
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_rotate", "alice|" + old.accessKeyId() + "|rotate", url);
    assertTrue(lastPostTo(url).raw().contains("aws_secret_access_key"), lastPostTo(url).raw());
    List<AccessKeyMetadata> keys = keys("alice");
    assertEquals(2, keys.size());
    return keys.stream()
        .map(AccessKeyMetadata::accessKeyId)
        .filter(id -> !id.equals(old.accessKeyId()))
        .findFirst()
        .orElseThrow();
  }

  private void clickRotate(String user, String value) throws Exception {
    k.clickEphemeral(user, "keysmith_rotate", value, k.slack.newResponseUrl());
  }

  private List<AccessKeyMetadata> keys(String user) {
    return k.iam.listAccessKeys(a -> a.userName(user)).accessKeyMetadata();
  }

  private FakeSlackApi.ResponseUrlPost lastPostTo(String url) {
    List<FakeSlackApi.ResponseUrlPost> posts =
        new ArrayList<>(
            k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList());
    assertFalse(posts.isEmpty(), "nothing posted to " + url);
    return posts.get(posts.size() - 1);
  }

  private FakeSlackApi.ResponseUrlPost lastPost() {
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    return posts.get(posts.size() - 1);
  }

  private String lastDm() {
    List<String> dms = k.dms(OWNER);
    assertFalse(dms.isEmpty());
    return dms.get(dms.size() - 1);
  }

  private String rotationIdFromDm() throws Exception {
    for (String dm : k.dms(OWNER)) {
      for (JsonNode block : JSON.readTree(dm)) {
        for (JsonNode element : block.path("elements")) {
          if ("keysmith_deactivate_old_now".equals(element.path("action_id").asText())) {
            return element.path("value").asText();
          }
        }
      }
    }
    throw new AssertionError("no Deactivate old key now button in " + k.dms(OWNER));
  }
}
