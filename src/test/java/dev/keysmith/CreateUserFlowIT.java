package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.GROUP_APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;

/** The create-user slice end to end: slash command, modal, approval, provisioning, reveal, wipe. */
class CreateUserFlowIT {
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
  void auditChannel_botNotInIt_linesAreDroppedOnce_andTheRequestGoesOn() throws Exception {
    k.auditChannel = KeysmithFixture.AUDIT;
    k.restart();
    k.slack.refuseChannel(KeysmithFixture.AUDIT, "not_in_channel");
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.clock.advance(Duration.ofMinutes(10));
    k.keysmith.housekeeping();
    k.idle();

    assertTrue(k.userExists("alice"), "a refused audit line ends no request");
    List<FakeSlackApi.Call> tried =
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> KeysmithFixture.AUDIT.equals(c.param("channel")))
            .toList();
    assertEquals(3, tried.size(), "each line tried once: submitted, approved, provisioned");
    assertTrue(
        k.slack.calls("chat.postMessage").stream()
            .noneMatch(c -> String.valueOf(c.param("text")).contains("could not deliver")),
        "not reported in the approvals channel");
  }

  @Test
  void auditChannel_getsOneLinePerDecisionAndKeyEvent() throws Exception {
    k.auditChannel = KeysmithFixture.AUDIT;
    k.restart();
    String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "<!channel> reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.click(OWNER, "keysmith_get_credentials", id);
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
    k.idle();

    List<String> lines =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> KeysmithFixture.AUDIT.equals(c.param("channel")))
            .map(c -> c.param("text"))
            .toList();
    assertEquals(
        List.of(
            "request.submitted "
                + id
                + " by "
                + REQUESTER
                + ": iamUser alice, group developers,"
                + " accessType BOTH",
            "request.approved " + id + " by " + APPROVER,
            "request.provisioned " + id + " by Keysmith",
            "iam.CreateAccessKey " + id + " by Keysmith: accessKeyId ",
            "delivery.revealed " + id + " by " + OWNER + ": accessKeyId "),
        lines.stream().map(l -> l.replaceAll("AKIA[A-Z0-9]+", "")).toList(),
        String.join("\n", lines));
    assertTrue(
        lines.stream().noneMatch(l -> l.contains("channel") || l.contains("reports")),
        "no free text a person typed");
  }

  @Test
  void slashCommand_withBadSignature_is401AndDoesNothing() throws Exception {
    String body =
        k.send.slashCommandBody(REQUESTER, "create-user", "t.1", k.slack.newResponseUrl());
    Reply reply = k.send.send(k.send.sign(body, SlackRequests.Signing.WRONG_SIGNATURE));
    k.idle();
    assertEquals(401, reply.status());
    assertTrue(k.slack.calls("views.open").isEmpty());
  }

  @Test
  void approveClick_withStaleTimestamp_is401AndProvisionsNothing() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    String body =
        k.send.blockActionBody(
            SlackRequests.BlockAction.click(APPROVER, "keysmith_approve", id)
                .withResponseUrl(k.slack.newResponseUrl()));
    Reply reply = k.send.send(k.send.sign(body, SlackRequests.Signing.STALE_TIMESTAMP));
    k.idle();
    assertEquals(401, reply.status());
    assertFalse(k.userExists("alice"));
  }

  @Test
  void approve_byNonApprover_isRefusedAndCreatesNothing() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(STRANGER, "keysmith_approve", id);
    assertFalse(k.userExists("alice"));
    assertTrue(lastEphemeralText().contains("Only Keysmith approvers"), lastEphemeralText());
    assertTrue(approvalUpdates().isEmpty());
  }

  @Test
  void approve_byMemberOfTheApproversUserGroup_provisions() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(GROUP_APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
    assertEquals(
        GROUP_APPROVER,
        k.iam.listUserTags(t -> t.userName("alice")).tags().stream()
            .filter(t -> t.key().equals("keysmith:approver"))
            .findFirst()
            .orElseThrow()
            .value());
  }

  @Test
  void approve_whenSlackCannotListTheApproversGroup_failsClosed() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.slack.failNext("usergroups.users.list", "ratelimited"); // the warm-up at start fails
    k.restart();
    k.slack.failNext("usergroups.users.list", "ratelimited"); // and so does the retry
    k.click(STRANGER, "keysmith_approve", id);
    assertFalse(k.userExists("alice"));
    assertTrue(lastEphemeralText().contains("could not check"), lastEphemeralText());
  }

  @Test
  void approve_byRequesterWhoIsApprover_isRefused() throws Exception {
    String id = k.submit(APPROVER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    assertFalse(k.userExists("alice"));
    assertTrue(lastEphemeralText().contains("someone else"), lastEphemeralText());
  }

  @Test
  void approve_byOwnerWhoIsApprover_isRefused() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", APPROVER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    assertFalse(k.userExists("alice"));
    assertTrue(lastEphemeralText().contains("You would own this user"), lastEphemeralText());
  }

  @Test
  void approve_concurrentClicksByTwoApproversAndADoubleClick_provisionOnce() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    List<CompletableFuture<Reply>> clicks = new ArrayList<>();
    for (String approver : List.of(APPROVER, APPROVER_2, APPROVER, GROUP_APPROVER)) {
      String body =
          k.send.blockActionBody(
              SlackRequests.BlockAction.click(approver, "keysmith_approve", id)
                  .withResponseUrl(k.slack.newResponseUrl()));
      clicks.add(k.send.sendAsync(k.send.sign(body)));
    }
    for (CompletableFuture<Reply> click : clicks) {
      assertEquals(200, click.get().status());
    }
    k.idle();
    assertTrue(k.userExists("alice"));
    assertEquals(1, auditCount(id, "iam.CreateUser"));
    assertEquals(1, offersTo(OWNER).size());
    long refusals =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.json().path("text").asText().contains("already approved"))
            .count();
    assertEquals(3, refusals);
  }

  @Test
  void reveal_bySomeoneElse_isRefusedAndMintsNothing() throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(STRANGER, "keysmith_reveal", id, url);
    assertTrue(accessKeys("alice").isEmpty());
    assertTrue(lastEphemeralText().contains("Only the owner"), lastEphemeralText());
    k.click(STRANGER, "keysmith_get_credentials", id);
    assertTrue(lastEphemeralText().contains("Only the owner"), lastEphemeralText());
    assertTrue(accessKeys("alice").isEmpty());
  }

  @Test
  void reveal_secondTime_givesNothing() throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    reveal(id);
    int posts = k.slack.responseUrlPosts().size();
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    assertEquals(1, accessKeys("alice").size());
    List<FakeSlackApi.ResponseUrlPost> after = k.slack.responseUrlPosts();
    assertEquals(posts + 1, after.size());
    String text = after.get(after.size() - 1).raw();
    assertTrue(text.contains("already revealed"), text);
    assertTrue(text.contains("rotate"), text);
    assertFalse(text.contains("aws_secret_access_key"), text);
  }

  @Test
  void reveal_afterOfferExpired_givesNothing() throws Exception {
    String id = approvedRequest("BOTH");
    k.clock.advance(KeysmithFixture.OFFER.plusSeconds(1));
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
    assertTrue(accessKeys("alice").isEmpty());
    assertFalse(hasLoginProfile("alice"));
    assertTrue(lastEphemeralText().contains("expired"), lastEphemeralText());
    assertTrue(dmTexts(OWNER).stream().anyMatch(t -> t.contains("expired")));
  }

  @Test
  void provisioning_failingAtAddUserToGroup_leavesNoUserAndTellsPeople() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.iam.deleteGroup(g -> g.groupName("developers"));
    k.click(APPROVER, "keysmith_approve", id);
    assertFalse(k.userExists("alice"));
    assertEquals(1, auditCount(id, "iam.CreateUser"));
    assertEquals(1, auditCount(id, "iam.DeleteUser"));
    String update = lastApprovalUpdate();
    assertTrue(update.contains("Failed"), update);
    assertTrue(update.contains("developers"), update);
    assertTrue(dmTexts(REQUESTER).stream().anyMatch(t -> t.contains("nothing was created")));
    assertTrue(offersTo(OWNER).isEmpty());
  }

  @Test
  void submit_whenTheApprovalsChannelRefusesThePost_failsTheRequestAndFreesTheName()
      throws Exception {
    k.slack.failNext("chat.postMessage", "not_in_channel");
    Reply reply = k.submitForm(REQUESTER, "alice", "developers", "BOTH", OWNER, "reports");
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
    k.idle();
    assertTrue(
        dmTexts(REQUESTER).stream().anyMatch(t -> t.contains("approvals channel")),
        dmTexts(REQUESTER).toString());
    String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "second try");
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
  }

  @Test
  void restart_beforeTheRequestWasPosted_postsItForApproval() throws Exception {
    k.keysmith.close();
    String id = "KS-RESTRT";
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      new dev.keysmith.store.SqlRequestStore(db)
          .insert(
              dev.keysmith.request.AccessRequest.pending(
                  id,
                  new dev.keysmith.request.RequestForm(
                      "alice",
                      "developers",
                      dev.keysmith.request.AccessType.PROGRAMMATIC,
                      OWNER,
                      "reports"),
                  REQUESTER,
                  k.clock.instant()));
    }
    k.start();
    assertTrue(approvalPost().json("blocks").toString().contains(id));
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
  }

  @Test
  void submit_withInvalidName_showsErrorOnTheField() throws Exception {
    Reply reply = k.submitForm(REQUESTER, "alice smith", "developers", "BOTH", OWNER, "x");
    assertEquals("errors", reply.json().path("response_action").asText());
    assertTrue(reply.json().path("errors").has("iam_user_name"), reply.body());
    assertTrue(k.slack.calls("chat.postMessage").isEmpty());
  }

  @Test
  void submit_withNameTakenInAnotherCase_showsErrorOnTheField() throws Exception {
    k.iam.createUser(u -> u.userName("alice"));
    k.keysmith.close();
    k.start();
    Reply reply = k.submitForm(REQUESTER, "Alice", "developers", "BOTH", OWNER, "x");
    assertEquals("errors", reply.json().path("response_action").asText(), reply.body());
    assertTrue(
        reply.json().path("errors").path("iam_user_name").asText().contains("already exists"));
  }

  @Test
  void afterProvisioning_theNewUserIsKnownAtOnce_toTheFormAndToItsOwnersKeyList() throws Exception {
    assertFalse(k.command(OWNER, "keys").contains("alice"), "what Keysmith knew before");
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    k.clickEphemeral(OWNER, "keysmith_reveal", id, k.slack.newResponseUrl());
    k.idle();

    String keys = k.command(OWNER, "keys");
    assertTrue(keys.contains("alice"), keys);
    Reply reply = k.submitForm(STRANGER, "ALICE", "developers", "BOTH", STRANGER, "x");
    assertEquals("errors", reply.json().path("response_action").asText(), reply.body());
    assertTrue(
        reply.json().path("errors").path("iam_user_name").asText().contains("already exists"),
        reply.body());
  }

  @Test
  void submit_withNameAPendingRequestClaims_showsErrorOnTheField() throws Exception {
    k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    Reply reply = k.submitForm(STRANGER, "ALICE", "developers", "BOTH", STRANGER, "x");
    assertEquals("errors", reply.json().path("response_action").asText(), reply.body());
    assertTrue(reply.json().path("errors").path("iam_user_name").asText().contains("already asks"));
  }

  @Test
  void submit_sameSubmissionDeliveredTwice_isAnsweredAsSentBothTimes_andStoredOnce()
      throws Exception {
    SlackRequests.Signed once =
        k.signedSubmission(REQUESTER, "alice", "developers", "BOTH", OWNER, "x");
    Reply first = k.send.send(once);
    Reply again = k.send.send(once);
    k.idle();

    assertEquals("update", first.json().path("response_action").asText(), first.body());
    assertEquals("update", again.json().path("response_action").asText(), again.body());
    assertEquals(first.json().path("view"), again.json().path("view"));
    assertEquals(
        1,
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .count());
  }

  @Test
  void createUserCommand_sameTriggerTwice_opensOneModal() throws Exception {
    String body =
        k.send.slashCommandBody(REQUESTER, "create-user", "t.repeat", k.slack.newResponseUrl());
    SlackRequests.Signed once = k.send.sign(body);
    assertEquals(200, k.send.send(once).status());
    assertEquals(200, k.send.send(once).status());
    k.idle();

    assertEquals(1, k.slack.calls("views.open").size());
  }

  @Test
  void submit_sameNameByManyPeopleAtOnce_acceptsExactlyOne() throws Exception {
    List<CompletableFuture<Reply>> replies = new ArrayList<>();
    for (String person : List.of(REQUESTER, STRANGER, OWNER, REQUESTER, STRANGER, OWNER)) {
      replies.add(
          k.send.sendAsync(k.signedSubmission(person, "alice", "developers", "BOTH", person, "x")));
    }
    List<String> actions = new ArrayList<>();
    for (CompletableFuture<Reply> reply : replies) {
      actions.add(reply.get().json().path("response_action").asText());
    }
    k.idle();

    assertEquals(1, actions.stream().filter("update"::equals).count(), actions.toString());
    assertEquals(5, actions.stream().filter("errors"::equals).count(), actions.toString());
    assertEquals(
        1,
        k.slack.calls("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .count());
  }

  @Test
  void submit_withClaimedNameAndOtherProblems_showsThemAllAtOnce() throws Exception {
    k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    Reply reply = k.submitForm(STRANGER, "Alice", "developers", "BOTH", STRANGER, " ");
    JsonNode errors = reply.json().path("errors");
    assertTrue(errors.path("iam_user_name").asText().contains("already asks"), reply.body());
    assertTrue(errors.has("justification"), reply.body());
  }

  @Test
  void submit_withGroupNotInIam_showsErrorOnTheField() throws Exception {
    Reply reply = k.submitForm(REQUESTER, "alice", "not-in-iam", "BOTH", OWNER, "x");
    assertTrue(reply.json().path("errors").has("group"), reply.body());
  }

  @Test
  void submit_justificationWithMentions_isEscapedInTheApprovalMessage() throws Exception {
    k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "urgent <!channel> & <@U1>");
    String blocks = approvalPost().json("blocks").toString();
    assertTrue(blocks.contains("&lt;!channel&gt; &amp; &lt;@U1&gt;"), blocks);
    assertFalse(blocks.contains("<!channel>"), blocks);
    assertFalse(blocks.contains("<@U1>"), blocks);
  }

  @Test
  void command_unknownSubcommand_answersHelpEphemerally() throws Exception {
    Reply reply =
        k.send.slashCommand(REQUESTER, "destroy-everything", "t.1", k.slack.newResponseUrl());
    assertEquals(200, reply.status());
    assertTrue(reply.body().contains("create-user"), reply.body());
    assertTrue(reply.body().contains("destroy-everything"), reply.body());
    assertFalse(reply.body().contains("in_channel"), reply.body());
  }

  @Test
  void command_help_listsSubcommands() throws Exception {
    for (String text : List.of("", "help")) {
      Reply reply = k.send.slashCommand(REQUESTER, text, "t.1", k.slack.newResponseUrl());
      assertTrue(reply.body().contains("/iam create-user"), reply.body());
    }
  }

  @Test
  void restart_withPendingRequest_thenApprove_provisions() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.restart();
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
    assertEquals(1, offersTo(OWNER).size());
  }

  @Test
  void deny_byApproverWithReason_tellsRequesterAndCreatesNothing() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(APPROVER, "keysmith_deny", id);
    JsonNode modal =
        k.slack.calls("views.open").get(k.slack.calls("views.open").size() - 1).json("view");
    assertEquals(id, modal.path("private_metadata").asText());
    Reply reply =
        k.send.viewSubmission(
            APPROVER,
            "keysmith_deny",
            id,
            Map.of(
                "deny_reason", Map.of("value", SlackRequests.plainTextInput("Use SSO <!here>"))));
    assertEquals(200, reply.status());
    k.idle();
    assertFalse(k.userExists("alice"));
    assertTrue(
        dmTexts(REQUESTER).stream()
            .anyMatch(t -> t.contains("denied") && t.contains("&lt;!here&gt;")));
    k.click(APPROVER_2, "keysmith_approve", id);
    assertTrue(lastEphemeralText().contains("already denied"), lastEphemeralText());
    assertFalse(k.userExists("alice"));
  }

  @Test
  void deny_byNonApprover_isRefusedOnTheModalAndOpensNothing() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.click(STRANGER, "keysmith_deny", id);
    assertTrue(k.slack.calls("views.open").stream().noneMatch(c -> c.param("view").contains(id)));
    Reply reply =
        k.send.viewSubmission(
            STRANGER,
            "keysmith_deny",
            id,
            Map.of("deny_reason", Map.of("value", SlackRequests.plainTextInput("no"))));
    assertEquals("errors", reply.json().path("response_action").asText(), reply.body());
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
  }

  // --- the whole happy path --------------------------------------------------------------------

  @Test
  void createUser_fromSlashCommandToRevealAndWipe_works() throws Exception {
    Reply opened =
        k.send.slashCommand(REQUESTER, "create-user", "t.open", k.slack.newResponseUrl());
    assertEquals(200, opened.status());
    k.idle();
    JsonNode modal = k.slack.calls("views.open").get(0).json("view");
    assertEquals("keysmith_create_user", modal.path("callback_id").asText());
    String groups = modal.toString();
    assertTrue(groups.contains("developers") && groups.contains("readonly"), groups);
    assertFalse(groups.contains("not-in-iam"), groups);

    String id = k.submit(REQUESTER, "alice", "developers", "BOTH", OWNER, "quarterly reports");
    assertTrue(dmTexts(REQUESTER).stream().anyMatch(t -> t.contains(id) && t.contains("waiting")));
    assertTrue(approvalPost().param("blocks").contains("keysmith_approve"));

    k.clock.advance(Duration.ofMinutes(5));
    k.click(APPROVER, "keysmith_approve", id);

    User user = k.iam.getUser(u -> u.userName("alice")).user();
    assertEquals("/keysmith/", user.path());
    Map<String, String> tags =
        k.iam.listUserTags(t -> t.userName("alice")).tags().stream()
            .collect(Collectors.toMap(Tag::key, Tag::value));
    assertEquals(id, tags.get("keysmith:request-id"));
    assertEquals(REQUESTER, tags.get("keysmith:requester"));
    assertEquals(APPROVER, tags.get("keysmith:approver"));
    assertEquals(OWNER, tags.get("keysmith:owner"));
    assertEquals(
        "developers",
        k.iam.listGroupsForUser(g -> g.userName("alice")).groups().get(0).groupName());
    assertTrue(accessKeys("alice").isEmpty(), "nothing is minted before the owner asks");

    String update = lastApprovalUpdate();
    assertFalse(update.contains("keysmith_approve"), update);
    assertTrue(update.contains("Approved by <@" + APPROVER + ">"), update);
    assertTrue(update.contains("Created IAM user"), update);
    assertTrue(update.contains("Added it to group"), update);
    assertTrue(update.contains("Provisioned"), update);
    assertEquals(1, offersTo(OWNER).size());

    String secretUrl = reveal(id);
    List<FakeSlackApi.ResponseUrlPost> posts = k.slack.responseUrlPosts();
    FakeSlackApi.ResponseUrlPost shown = posts.get(posts.size() - 1);
    assertEquals(secretUrl, shown.url());
    assertTrue(shown.json().path("replace_original").asBoolean());
    assertEquals("ephemeral", shown.json().path("response_type").asText());
    AccessKeyMetadata key = accessKeys("alice").get(0);
    assertTrue(shown.raw().contains(key.accessKeyId()));
    assertTrue(shown.raw().contains("aws_secret_access_key = "));
    assertTrue(shown.raw().contains("Temporary password"));
    assertTrue(shown.raw().contains("https://123456789012.signin.aws.amazon.com/console"));
    assertTrue(hasLoginProfile("alice"));

    List<String> dmUpdates =
        k.slack.calls("chat.update").stream()
            .filter(c -> !APPROVALS.equals(c.param("channel")))
            .map(c -> c.json("blocks").toString())
            .toList();
    assertEquals(1, dmUpdates.size(), "the owner's offer message is closed: " + dmUpdates);
    assertTrue(dmUpdates.get(0).contains("were revealed"), dmUpdates.get(0));
    assertFalse(dmUpdates.get(0).contains("keysmith_get_credentials"), dmUpdates.get(0));
    String afterReveal = lastApprovalUpdate();
    assertTrue(afterReveal.contains("revealed"), afterReveal);
    assertTrue(afterReveal.contains("Created IAM user"), "the trail survives: " + afterReveal);

    k.clock.advance(KeysmithFixture.VISIBLE_FOR.minusSeconds(1));
    k.keysmith.housekeeping();
    assertEquals(posts.size(), k.slack.responseUrlPosts().size(), "not wiped before its time");
    k.clock.advance(Duration.ofSeconds(1));
    k.keysmith.housekeeping();
    FakeSlackApi.ResponseUrlPost wiped = last(k.slack.responseUrlPosts());
    assertEquals(secretUrl, wiped.url());
    assertTrue(wiped.json().path("replace_original").asBoolean());
    assertFalse(wiped.raw().contains("aws_secret_access_key"), wiped.raw());
    k.keysmith.housekeeping();
    assertEquals(posts.size() + 1, k.slack.responseUrlPosts().size(), "wiped once");

    assertEquals(
        List.of(
            "request.submitted",
            "request.approved",
            "iam.CreateUser",
            "iam.AddUserToGroup",
            "request.provisioned",
            "delivery.offered",
            "iam.CreateAccessKey",
            "iam.CreateLoginProfile",
            "delivery.revealed",
            "delivery.wiped"),
        auditActions(id));
  }

  @Test
  void offer_unrevealedPastItsLifetime_expiresOnceAndTellsTheOwner() throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    k.clock.advance(KeysmithFixture.OFFER.minusSeconds(1));
    k.keysmith.housekeeping();
    assertTrue(dmTexts(OWNER).stream().noneMatch(t -> t.contains("expired")));
    k.clock.advance(Duration.ofSeconds(1));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    assertEquals(1, dmTexts(OWNER).stream().filter(t -> t.contains("expired")).count());
    assertTrue(lastApprovalUpdate().contains("expired"), lastApprovalUpdate());
    assertTrue(
        k.slack.calls("chat.update").stream()
            .filter(c -> !APPROVALS.equals(c.param("channel")))
            .anyMatch(c -> c.json("blocks").toString().contains("has closed (expired)")),
        "the owner's offer message loses its button");
    assertEquals(1, auditCount(id, "delivery.expired"));
    k.click(OWNER, "keysmith_get_credentials", id);
    assertTrue(lastEphemeralText().contains("expired"), lastEphemeralText());
    assertTrue(accessKeys("alice").isEmpty());
  }

  @Test
  void restart_duringProvisioning_carriesOnAndProvisionsOnce() throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", "PROGRAMMATIC", OWNER, "reports");
    k.keysmith.close();
    // What a crash right after CreateUser leaves: an APPROVED request and a half-made user.
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      var store = new dev.keysmith.store.SqlRequestStore(db);
      var r = store.find(id).orElseThrow();
      assertTrue(
          store.compareAndSet(
              dev.keysmith.request.RequestState.PENDING,
              dev.keysmith.request.RequestWorkflow.approve(r, APPROVER, true, k.clock.instant())));
    }
    k.iam.createUser(
        u ->
            u.userName("alice")
                .path("/keysmith/")
                .tags(Tag.builder().key("keysmith:request-id").value(id).build()));
    k.start();
    k.idle();
    assertTrue(k.userExists("alice"));
    assertEquals(
        "developers",
        k.iam.listGroupsForUser(g -> g.userName("alice")).groups().get(0).groupName());
    assertEquals(1, offersTo(OWNER).size());
    assertTrue(lastApprovalUpdate().contains("carries on"), lastApprovalUpdate());
    assertTrue(lastApprovalUpdate().contains("from an earlier try"), lastApprovalUpdate());
    assertEquals(List.of(), k.pendingJobs(id), "nothing left to run");
  }

  @Test
  void groupField_typeAhead_suggestsOfferedGroupsAndAcceptsTheChoice() throws Exception {
    Reply suggestions = k.send.blockSuggestion(REQUESTER, "keysmith_group", "group", "DEV");
    assertEquals(200, suggestions.status());
    JsonNode options = suggestions.json().path("options");
    assertEquals(1, options.size(), suggestions.body());
    assertEquals("developers", options.get(0).path("value").asText());
    Reply none = k.send.blockSuggestion(REQUESTER, "keysmith_group", "group", "not-in");
    assertEquals(0, none.json().path("options").size(), "groups missing from IAM are not offered");

    Map<String, Map<String, JsonNode>> values = new java.util.LinkedHashMap<>();
    values.put("iam_user_name", Map.of("value", SlackRequests.plainTextInput("alice")));
    values.put(
        "group",
        Map.of("keysmith_group", SlackRequests.externalSelect("developers", "developers")));
    values.put("access_type", Map.of("value", SlackRequests.radioButtons("Both", "BOTH")));
    values.put("owner", Map.of("value", SlackRequests.usersSelect(OWNER)));
    values.put("justification", Map.of("value", SlackRequests.plainTextInput("reports")));
    Reply reply = k.send.viewSubmission(REQUESTER, "keysmith_create_user", "", values);
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
  }

  @Test
  void hide_byOwner_wipesAtOnce_andNotAgainLater() throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    String url = reveal(id);
    k.clickEphemeral(OWNER, "keysmith_hide", id, url);
    FakeSlackApi.ResponseUrlPost wiped = last(k.slack.responseUrlPosts());
    assertEquals(url, wiped.url());
    assertTrue(wiped.json().path("replace_original").asBoolean());
    assertFalse(wiped.raw().contains("aws_secret_access_key"));
    int posts = k.slack.responseUrlPosts().size();
    k.clock.advance(KeysmithFixture.VISIBLE_FOR);
    k.keysmith.housekeeping();
    assertEquals(posts, k.slack.responseUrlPosts().size());
  }

  @Test
  void reveal_whenSlackRefusesTheMessage_deletesTheUnseenKeyAndKeepsTheOffer() throws Exception {
    String id = approvedRequest("BOTH");
    String url = k.slack.newResponseUrl();
    k.slack.failNextResponseUrlPost(404, "expired_url");
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    assertTrue(accessKeys("alice").isEmpty());
    assertFalse(hasLoginProfile("alice"));
    reveal(id);
    assertEquals(1, accessKeys("alice").size());
  }

  @Test
  void restart_afterMintingBeforeShowing_deletesTheUnseenKey() throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    crashAfterMintingBeforeShowing(id);
    k.start();
    assertTrue(accessKeys("alice").isEmpty());
    assertTrue(dmTexts(OWNER).stream().anyMatch(t -> t.contains("interrupted")));
    reveal(id);
    assertEquals(1, accessKeys("alice").size());
  }

  @Test
  void restart_whileRevealingWithIamDown_startsAnyway_andUndoesTheRevealOnceIamAnswers()
      throws Exception {
    String id = approvedRequest("PROGRAMMATIC");
    crashAfterMintingBeforeShowing(id);
    k.iamDown.set(true); // and IAM cannot be reached when Keysmith starts again

    k.start(); // before, this threw: "cannot start: IamException"

    var health =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + k.keysmith.port() + "/health"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), "it serves while it waits for IAM");
    assertTrue(
        health.body().contains("\"recovering\":[\"delete the credentials of reveals"),
        "and says what it waits for: " + health.body());
    assertEquals(1, accessKeys("alice").size(), "nothing could be undone without IAM");
    k.iamDown.set(false);
    k.clock.advance(java.time.Duration.ofSeconds(5));
    k.keysmith.housekeeping(); // the timer's retry
    k.idle();

    assertTrue(accessKeys("alice").isEmpty(), "the unseen key is deleted once IAM answers");
    assertTrue(dmTexts(OWNER).stream().anyMatch(t -> t.contains("interrupted")));
    reveal(id);
    assertEquals(1, accessKeys("alice").size());
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Stops Keysmith as a crash between CreateAccessKey and the ephemeral post would leave it. */
  private void crashAfterMintingBeforeShowing(String id) throws Exception {
    k.keysmith.close();
    k.iam.createAccessKey(a -> a.userName("alice"));
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      var store = new dev.keysmith.store.SqlRequestStore(db);
      var r = store.find(id).orElseThrow();
      assertTrue(
          store.compareAndSet(
              dev.keysmith.request.RequestState.PROVISIONED,
              r.withState(dev.keysmith.request.RequestState.REVEALING, k.clock.instant())));
    }
  }

  /** Submits and approves a request for alice owned by OWNER; returns its id. */
  private String approvedRequest(String type) throws Exception {
    String id = k.submit(REQUESTER, "alice", "developers", type, OWNER, "reports");
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
    return id;
  }

  /** The owner's two clicks: Get credentials in the DM, then Reveal on the ephemeral prompt. */
  private String reveal(String id) throws Exception {
    k.click(OWNER, "keysmith_get_credentials", id);
    FakeSlackApi.ResponseUrlPost prompt = last(k.slack.responseUrlPosts());
    assertFalse(prompt.json().path("replace_original").asBoolean());
    assertEquals("ephemeral", prompt.json().path("response_type").asText());
    assertTrue(prompt.raw().contains("keysmith_reveal"), prompt.raw());
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_reveal", id, url);
    assertTrue(last(k.slack.responseUrlPosts()).raw().contains("Credentials for"));
    return url;
  }

  private boolean hasLoginProfile(String name) {
    try {
      k.iam.getLoginProfile(u -> u.userName(name));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  private List<AccessKeyMetadata> accessKeys(String name) {
    return k.iam.listAccessKeys(a -> a.userName(name)).accessKeyMetadata();
  }

  private long auditCount(String id, String action) {
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      return new dev.keysmith.store.SqlAuditTrail(db)
          .forRequest(id).stream().filter(e -> e.action().code().equals(action)).count();
    }
  }

  private List<String> auditActions(String id) {
    try (var db = dev.keysmith.store.Database.open(dataDir)) {
      return new dev.keysmith.store.SqlAuditTrail(db)
          .forRequest(id).stream().map(e -> e.action().code()).toList();
    }
  }

  private FakeSlackApi.Call approvalPost() {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .findFirst()
        .orElseThrow();
  }

  private List<FakeSlackApi.Call> approvalUpdates() {
    return k.slack.calls("chat.update");
  }

  private String lastApprovalUpdate() {
    List<FakeSlackApi.Call> updates =
        approvalUpdates().stream().filter(c -> APPROVALS.equals(c.param("channel"))).toList();
    assertFalse(updates.isEmpty(), "the approvals message was never updated");
    return updates.get(updates.size() - 1).json("blocks").toString();
  }

  private List<String> offersTo(String user) {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> user.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .filter(b -> b.contains("keysmith_get_credentials"))
        .toList();
  }

  private List<String> dmTexts(String user) {
    return k.slack.calls("chat.postMessage").stream()
        .filter(c -> user.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }

  private String lastEphemeralText() {
    return last(k.slack.responseUrlPosts()).raw();
  }

  private static <T> T last(List<T> list) {
    assertFalse(list.isEmpty());
    return list.get(list.size() - 1);
  }
}
