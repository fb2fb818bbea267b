package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.GroupPolicy;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import dev.keysmith.testing.SlackRequests.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Time-bound users against moto: the form asks how long, within the group's maximum; the end is
 * tagged on the IAM user and stored; the owner is warned before it with Delete now; at the end
 * Keysmith offboards the user.
 */
class UserLifetimeIT {
  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
    k.policies =
        List.of(
            policy(
                "developers",
                Optional.of(Duration.ofHours(8)),
                Optional.of(Duration.ofDays(1)),
                false),
            policy("readonly", Optional.empty(), Optional.of(Duration.ofHours(8)), true));
    k.restart();
  }

  @AfterEach
  void stop() {
    k.close();
  }

  private static GroupPolicy policy(
      String group, Optional<Duration> dflt, Optional<Duration> max, boolean auto) {
    return new GroupPolicy(
        group,
        Optional.empty(),
        Optional.empty(),
        1,
        EnumSet.allOf(AccessType.class),
        dflt,
        max,
        auto);
  }

  private Reply submit(String group, String lifetime) throws Exception {
    Map<String, Map<String, JsonNode>> values =
        KeysmithFixture.formValues("alice", group, "PROGRAMMATIC", OWNER, "reports");
    if (lifetime != null) {
      values.put("lifetime", Map.of("value", SlackRequests.staticSelect(lifetime, lifetime)));
    }
    Reply reply = k.send.viewSubmission(REQUESTER, "keysmith_create_user", "", values);
    k.idle();
    return reply;
  }

  private String requestId() throws Exception {
    return KeysmithFixture.column(dataDir, "SELECT id FROM requests WHERE iam_user_name = 'alice'")
        .get(0);
  }

  private Optional<String> expiresTag() {
    return k.iam.listUserTags(t -> t.userName("alice")).tags().stream()
        .filter(t -> t.key().equals("keysmith:expires-at"))
        .map(Tag::value)
        .findFirst();
  }

  @Test
  void aDayLongUser_isTaggedWarnedSixHoursBefore_andOffboardedAtItsEnd() throws Exception {
    Reply reply = submit("developers", "PT24H");
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
    String id = requestId();
    Instant approvedAt = k.clock.instant();
    k.click(APPROVER, "keysmith_approve", id);

    Instant end = approvedAt.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    assertEquals(Optional.of(end.toString()), expiresTag());
    assertEquals(
        List.of("86400"), KeysmithFixture.column(dataDir, "SELECT lifetime_seconds FROM requests"));
    assertEquals(List.of("user.expiry-warning", "user.expire"), k.pendingJobs(id));

    k.clock.advance(Duration.ofHours(18).minusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(0, k.auditCount("user.expiry-warned"), "not before 6 hours before its end");

    k.clock.advance(Duration.ofMinutes(2));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, k.auditCount("user.expiry-warned"));
    FakeSlackApi.Call warning = lastDm(OWNER);
    String blocks = warning.json("blocks").toString();
    assertTrue(blocks.contains("ends") && blocks.contains("keysmith_delete_user_prompt"), blocks);

    // Delete now shows the plan, as /iam delete-user does; nothing is deleted yet.
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(OWNER, "keysmith_delete_user_prompt", "alice", url);
    String plan =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.url().equals(url))
            .findFirst()
            .orElseThrow()
            .raw();
    assertTrue(plan.contains("keysmith_delete_user"), plan);
    assertTrue(k.userExists("alice"));

    k.clock.advance(Duration.ofHours(6));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertFalse(k.userExists("alice"), "offboarded at its end");
    assertEquals("EXPIRED", k.requestState(id), "its unrevealed offer closed with it");
    assertEquals(1, k.auditCount("offboard.started"));
    assertEquals(1, k.auditCount("offboard.done"));
    assertEquals(
        List.of("EXPIRED"), KeysmithFixture.column(dataDir, "SELECT cause FROM offboardings"));
    assertTrue(
        k.dms(OWNER).stream().anyMatch(t -> t.contains("was deleted")),
        () -> k.dms(OWNER).toString());
  }

  @Test
  void extend_byTheOwner_isANewRequestThroughThePolicy_andMovesTheEnd() throws Exception {
    submit("developers", "PT24H");
    String id = requestId();
    k.click(APPROVER, "keysmith_approve", id);
    k.clock.advance(Duration.ofHours(18).plusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertTrue(lastDm(OWNER).json("blocks").toString().contains("keysmith_extend"));

    // Only the owner may extend.
    String strangers = k.slack.newResponseUrl();
    k.clickEphemeral(REQUESTER, "keysmith_extend", id, strangers);
    assertEquals(0, k.slack.accepted("views.open").size(), "no form for someone else");
    k.click(OWNER, "keysmith_extend", id);
    String modal = k.slack.accepted("views.open").get(0).json("view").toString();
    assertTrue(modal.contains("keysmith_extend") && modal.contains("\"PT24H\""), modal);
    assertFalse(modal.contains("\"P3D\""), "no longer than the group allows");

    Reply tooLong = extend(id, "P3D", "still migrating");
    assertTrue(
        tooLong.json().path("errors").path("lifetime").asText().contains("at most 1 day"),
        tooLong.body());
    Reply noWhy = extend(id, "PT24H", "");
    assertTrue(noWhy.json().path("errors").has("justification"), noWhy.body());
    Reply asked = extend(id, "PT24H", "still migrating");
    assertEquals("update", asked.json().path("response_action").asText(), asked.body());
    String extension =
        KeysmithFixture.column(
                dataDir, "SELECT id FROM requests WHERE extends_request = '" + id + "'")
            .get(0);
    assertEquals("PENDING", k.requestState(extension));

    Instant approvedAt = k.clock.instant();
    k.click(APPROVER, "keysmith_approve", extension);

    assertEquals("EXTENDED", k.requestState(extension));
    Instant newEnd = approvedAt.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    assertEquals(Optional.of(newEnd.toString()), expiresTag());
    assertEquals(1, k.auditCount("user.extended"));
    assertTrue(
        k.dms(OWNER).stream().anyMatch(t -> t.contains("now ends")), () -> k.dms(OWNER).toString());

    // The first end passes: the user stays.
    k.clock.advance(Duration.ofHours(6));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();
    assertTrue(k.userExists("alice"), "extended past its first end");
    assertEquals(0, k.auditCount("offboard.started"));

    // The new end: offboarded.
    k.clock.advance(Duration.ofHours(18));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();
    assertFalse(k.userExists("alice"));
  }

  @Test
  void aTagEditedInIam_doesNotKeepTheUserPastItsApprovedEnd() throws Exception {
    submit("developers", "PT8H");
    String id = requestId();
    k.click(APPROVER, "keysmith_approve", id);
    k.iam.tagUser(
        t ->
            t.userName("alice")
                .tags(
                    Tag.builder()
                        .key("keysmith:expires-at")
                        .value("2099-01-01T00:00:00Z")
                        .build()));

    k.clock.advance(Duration.ofHours(8).plusMinutes(1));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertFalse(k.userExists("alice"), "only an approved extension moves the end");
  }

  private Reply extend(String id, String lifetime, String why) throws Exception {
    Map<String, Map<String, JsonNode>> values = new java.util.LinkedHashMap<>();
    values.put("lifetime", Map.of("value", SlackRequests.staticSelect(lifetime, lifetime)));
    values.put("justification", Map.of("value", SlackRequests.plainTextInput(why)));
    Reply reply = k.send.viewSubmission(OWNER, "keysmith_extend", id, values);
    k.idle();
    return reply;
  }

  @Test
  void theFormRefusesNoEndAndTooLong_andLeftEmptyTakesTheGroupsDefault() throws Exception {
    Reply noEnd = submit("developers", "none");
    assertTrue(
        noEnd.json().path("errors").path("lifetime").asText().contains("end by themselves"),
        noEnd.body());
    Reply tooLong = submit("developers", "P3D");
    assertTrue(
        tooLong.json().path("errors").path("lifetime").asText().contains("at most 1 day"),
        tooLong.body());
    Reply forged = submit("developers", "P99999999999D");
    assertTrue(
        forged.json().path("errors").path("lifetime").asText().contains("cannot read"),
        forged.body());
    assertEquals(0, k.auditCount("request.submitted"));

    submit("developers", null);
    assertEquals(
        List.of("28800"),
        KeysmithFixture.column(dataDir, "SELECT lifetime_seconds FROM requests"),
        "the group's default, 8 hours");
  }

  @Test
  void theFormOffersOnlyLifetimesTheRequestersGroupsAllow() throws Exception {
    k.send.slashCommand(REQUESTER, "create-user", "trigger-9", k.slack.newResponseUrl());
    k.idle();
    String modal = k.slack.accepted("views.open").get(0).json("view").toString();
    assertTrue(modal.contains("\"PT24H\"") && modal.contains("\"PT8H\""), modal);
    assertFalse(modal.contains("\"P3D\""), "longer than any group allows");
    assertFalse(modal.contains("No end"), "every group's users end");
  }

  @Test
  void anAutoApprovedUser_endsAfterItsEightHours() throws Exception {
    submit("readonly", null);
    k.keysmith.housekeeping();
    k.idle();
    assertTrue(k.userExists("alice"));

    k.clock.advance(Duration.ofHours(8).plusMinutes(1));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertFalse(k.userExists("alice"));
    assertEquals(1, k.auditCount("user.expiry-warned"), "warned 2 hours before");
  }

  @Test
  void aUserDeletedBeforeItsEnd_isLeftAlone_andANewUserOfTheSameNameIsNotTouched()
      throws Exception {
    submit("developers", "PT8H");
    String id = requestId();
    k.click(APPROVER, "keysmith_approve", id);
    assertTrue(k.userExists("alice"));
    // Someone deleted it by hand and made another user of that name.
    k.iam.deleteUser(d -> d.userName("alice"));
    k.iam.createUser(u -> u.userName("alice"));

    k.clock.advance(Duration.ofHours(9));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();

    assertTrue(k.userExists("alice"), "not the user request " + id + " made");
    assertEquals(0, k.auditCount("offboard.started"));
    assertEquals(0, k.auditCount("user.expiry-warned"));
  }

  private FakeSlackApi.Call lastDm(String user) {
    List<FakeSlackApi.Call> dms =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> user.equals(c.param("channel")))
            .toList();
    assertFalse(dms.isEmpty());
    return dms.get(dms.size() - 1);
  }
}
