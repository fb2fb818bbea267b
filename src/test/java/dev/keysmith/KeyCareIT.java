package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.SlackRequests;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key care through Slack: listing keys and the panic button ({@link LinkFlowIT} links users). */
class KeyCareIT {
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
  void keys_ofSomeoneElsesUser_isRefused() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    String answer = k.command(STRANGER, "keys alice");
    assertTrue(answer.contains("is not yours"), answer);
    assertFalse(answer.contains("AKIA"), answer);
  }

  @Test
  void deactivateKey_bySomeoneElse_isRefusedAndTheKeyStaysActive() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    String answer = k.command(STRANGER, "deactivate-key " + key);
    assertTrue(answer.contains("is not yours"), answer);
    assertEquals("Active", k.status("alice", key));
    assertTrue(approvalsPosts().isEmpty());
  }

  @Test
  void deactivateKey_unknownKey_saysSo() throws Exception {
    String answer = k.command(OWNER, "deactivate-key AKIAIOSFODNN7EXAMPLE");
    assertTrue(answer.contains("no access key"), answer);
  }

  @Test
  void deactivateKey_withoutAKeyId_explainsUsage() throws Exception {
    SlackRequests.Reply reply =
        k.send.slashCommand(OWNER, "deactivate-key", "t.1", k.slack.newResponseUrl());
    assertTrue(reply.body().contains("/iam deactivate-key AKIA"), reply.body());
  }

  // --- what people do --------------------------------------------------------------------------

  @Test
  void keys_listsMyUsersKeysWithAgeAndLastUse() throws Exception {
    String used = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    var second = k.iam.createAccessKey(a -> a.userName("alice")).accessKey();
    k.useKey(second);
    String answer = k.command(OWNER, "keys");
    assertTrue(answer.contains("alice"), answer);
    assertTrue(answer.contains(used), answer);
    assertTrue(answer.contains(second.accessKeyId()), answer);
    assertTrue(answer.contains("never"), "the unused key: " + answer);
    assertTrue(answer.contains("keysmith_deactivate_key"), answer);
    assertFalse(answer.contains(second.secretAccessKey()), answer);
  }

  @Test
  void keys_ofAnyUser_areShownToAnApprover() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    assertTrue(k.command(APPROVER, "keys alice").contains(key));
  }

  @Test
  void deactivateKey_byOwner_deactivatesAtOnceAndTellsOwnerAndApprovers() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    String answer = k.command(OWNER, "deactivate-key " + key);
    assertTrue(answer.contains("deactivated"), answer);
    assertEquals("Inactive", k.status("alice", key));
    assertTrue(
        approvalsPosts().stream().anyMatch(p -> p.contains(key)), approvalsPosts().toString());
    assertEquals(1, k.auditCount("keys.deactivated"));
  }

  @Test
  void deactivateKey_twice_saysItIsInactiveAlready_andAuditsAndTellsOnce() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    k.command(OWNER, "deactivate-key " + key);
    int approvalsPostsBefore = approvalsPosts().size();

    String again = k.command(APPROVER, "deactivate-key " + key);

    assertTrue(again.contains("inactive already"), again);
    assertEquals("Inactive", k.status("alice", key));
    assertEquals(1, k.auditCount("keys.deactivated"));
    assertEquals(approvalsPostsBefore, approvalsPosts().size(), "nobody is told twice");
  }

  @Test
  void deactivateButton_byApprover_deactivates() throws Exception {
    String key = k.ownedUserWithKey("alice", OWNER).accessKeyId();
    k.click(APPROVER, "keysmith_deactivate_key", key);
    assertEquals("Inactive", k.status("alice", key));
    assertTrue(
        k.slack.calls("chat.postMessage").stream()
            .anyMatch(c -> OWNER.equals(c.param("channel")) && c.param("blocks").contains(key)));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private List<String> approvalsPosts() {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }
}
