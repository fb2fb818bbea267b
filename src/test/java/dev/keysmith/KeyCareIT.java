package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.iam.AwsClients;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.MotoServer;
import dev.keysmith.testing.SlackRequests;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.Tag;

/** Key care through Slack: listing keys, the panic button, linking existing users. */
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
    ownedUserWithKey("alice", OWNER);
    String answer = command(STRANGER, "keys alice");
    assertTrue(answer.contains("is not yours"), answer);
    assertFalse(answer.contains("AKIA"), answer);
  }

  @Test
  void deactivateKey_bySomeoneElse_isRefusedAndTheKeyStaysActive() throws Exception {
    String key = ownedUserWithKey("alice", OWNER);
    String answer = command(STRANGER, "deactivate-key " + key);
    assertTrue(answer.contains("is not yours"), answer);
    assertEquals("Active", status("alice", key));
    assertTrue(approvalsPosts().isEmpty());
  }

  @Test
  void deactivateKey_unknownKey_saysSo() throws Exception {
    String answer = command(OWNER, "deactivate-key AKIAIOSFODNN7EXAMPLE");
    assertTrue(answer.contains("no access key"), answer);
  }

  @Test
  void deactivateKey_withoutAKeyId_explainsUsage() throws Exception {
    SlackRequests.Reply reply =
        k.send.slashCommand(OWNER, "deactivate-key", "t.1", k.slack.newResponseUrl());
    assertTrue(reply.body().contains("/iam deactivate-key AKIA"), reply.body());
  }

  @Test
  void link_byNonApprover_isRefusedAndTagsNothing() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String answer = command(STRANGER, "link legacy <@" + STRANGER + "|mallory>");
    assertTrue(answer.contains("Only Keysmith approvers"), answer);
    assertTrue(k.iam.listUserTags(t -> t.userName("legacy")).tags().isEmpty());
  }

  @Test
  void link_withoutAMention_explainsUsage() throws Exception {
    SlackRequests.Reply reply =
        k.send.slashCommand(APPROVER, "link legacy bob", "t.1", k.slack.newResponseUrl());
    assertTrue(
        reply.json().path("text").asText().contains("/iam link &lt;iam-user&gt; @someone"),
        reply.body());
  }

  // --- what people do --------------------------------------------------------------------------

  @Test
  void keys_listsMyUsersKeysWithAgeAndLastUse() throws Exception {
    String used = ownedUserWithKey("alice", OWNER);
    CreateAccessKeyResponse second = k.iam.createAccessKey(a -> a.userName("alice"));
    useKey(second);
    String answer = command(OWNER, "keys");
    assertTrue(answer.contains("alice"), answer);
    assertTrue(answer.contains(used), answer);
    assertTrue(answer.contains(second.accessKey().accessKeyId()), answer);
    assertTrue(answer.contains("never"), "the unused key: " + answer);
    assertTrue(answer.contains("keysmith_deactivate_key"), answer);
    assertFalse(answer.contains(second.accessKey().secretAccessKey()), answer);
  }

  @Test
  void keys_ofAnyUser_areShownToAnApprover() throws Exception {
    String key = ownedUserWithKey("alice", OWNER);
    assertTrue(command(APPROVER, "keys alice").contains(key));
  }

  @Test
  void deactivateKey_byOwner_deactivatesAtOnceAndTellsOwnerAndApprovers() throws Exception {
    String key = ownedUserWithKey("alice", OWNER);
    String answer = command(OWNER, "deactivate-key " + key);
    assertTrue(answer.contains("deactivated"), answer);
    assertEquals("Inactive", status("alice", key));
    assertTrue(
        approvalsPosts().stream().anyMatch(p -> p.contains(key)), approvalsPosts().toString());
    assertEquals(1, auditCount("keys.deactivated"));
  }

  @Test
  void deactivateButton_byApprover_deactivates() throws Exception {
    String key = ownedUserWithKey("alice", OWNER);
    k.click(APPROVER, "keysmith_deactivate_key", key);
    assertEquals("Inactive", status("alice", key));
    assertTrue(
        k.slack.calls("chat.postMessage").stream()
            .anyMatch(c -> OWNER.equals(c.param("channel")) && c.param("blocks").contains(key)));
  }

  @Test
  void link_byApprover_tagsTheUserInIamAndItShowsInTheOwnersKeys() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));
    String key = k.iam.createAccessKey(a -> a.userName("legacy")).accessKey().accessKeyId();
    String answer = command(APPROVER, "link legacy <@" + OWNER + "|olivia>");
    assertTrue(answer.contains("now belongs to"), answer);
    List<Tag> tags = k.iam.listUserTags(t -> t.userName("legacy")).tags();
    assertEquals(List.of(Tag.builder().key("keysmith:owner").value(OWNER).build()), tags);
    assertTrue(command(OWNER, "keys").contains(key));
    assertEquals(1, auditCount("keys.linked"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** An IAM user owned (by tag) by {@code owner} with one key; returns the key id. */
  private String ownedUserWithKey(String name, String owner) {
    k.iam.createUser(
        u -> u.userName(name).tags(Tag.builder().key("keysmith:owner").value(owner).build()));
    return k.iam.createAccessKey(a -> a.userName(name)).accessKey().accessKeyId();
  }

  /** Signs one request to moto with the key, so IAM records its last use. */
  private void useKey(CreateAccessKeyResponse key) {
    try (var client =
        AwsClients.sts(
            MotoServer.get().endpoint(),
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    key.accessKey().accessKeyId(), key.accessKey().secretAccessKey())))) {
      client.getCallerIdentity();
    }
  }

  /** Runs {@code /iam <text>} and returns what Keysmith answered through the response_url. */
  private String command(String user, String text) throws Exception {
    String url = k.slack.newResponseUrl();
    SlackRequests.Reply reply = k.send.slashCommand(user, text, "t.1", url);
    assertEquals(200, reply.status(), reply.body());
    k.idle();
    List<FakeSlackApi.ResponseUrlPost> posts =
        k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertEquals(1, posts.size(), "one answer to " + text);
    assertEquals("ephemeral", posts.get(0).json().path("response_type").asText());
    return posts.get(0).raw();
  }

  private String status(String user, String key) {
    return k.iam.listAccessKeys(a -> a.userName(user)).accessKeyMetadata().stream()
        .filter(m -> m.accessKeyId().equals(key))
        .map(AccessKeyMetadata::statusAsString)
        .findFirst()
        .orElse("deleted");
  }

  private List<String> approvalsPosts() {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }

  private long auditCount(String action) {
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      return db.withConnection(
          "count",
          c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM audit WHERE action = ?")) {
              ps.setString(1, action);
              try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            }
          });
    }
  }
}
