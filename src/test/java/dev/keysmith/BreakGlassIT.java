package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.APPROVER_GROUP;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Break-glass against moto: where a group's policy allows it, the requester approves their own
 * request for themselves, with a reason, for at most the policy's short time; it is posted loudly,
 * every approver is told, and the user is offboarded at its end.
 */
class BreakGlassIT {
  @TempDir Path dataDir;
  KeysmithFixture k;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
    k.policies =
        List.of(
            new GroupPolicy(
                "developers",
                Optional.empty(),
                Optional.empty(),
                2,
                EnumSet.allOf(AccessType.class),
                Optional.empty(),
                Optional.of(Duration.ofDays(1)),
                false,
                Optional.of(Duration.ofHours(4))));
    k.restart();
  }

  @AfterEach
  void stop() {
    k.close();
  }

  private Reply submit(String group, String owner, String lifetime, String why) throws Exception {
    Map<String, Map<String, JsonNode>> values =
        KeysmithFixture.formValues("alice", group, "PROGRAMMATIC", owner, why);
    values.put("break_glass", Map.of("value", SlackRequests.checkboxes("break_glass")));
    if (lifetime != null) {
      values.put("lifetime", Map.of("value", SlackRequests.staticSelect(lifetime, lifetime)));
    }
    Reply reply = k.send.viewSubmission(REQUESTER, "keysmith_create_user", "", values);
    k.idle();
    return reply;
  }

  @Test
  void breakGlass_approvesAtOnceLoudly_andEndsAfterThePolicysShortTime() throws Exception {
    Reply reply = submit("developers", REQUESTER, null, "prod is down, need to rotate a secret");
    assertEquals("update", reply.json().path("response_action").asText(), reply.body());
    k.keysmith.housekeeping();
    k.idle();

    String id =
        KeysmithFixture.column(dataDir, "SELECT id FROM requests WHERE iam_user_name = 'alice'")
            .get(0);
    assertEquals("PROVISIONED", k.requestState(id), "no approver needed, quorum or not");
    assertTrue(k.userExists("alice"));
    assertEquals(
        List.of("14400"), KeysmithFixture.column(dataDir, "SELECT lifetime_seconds FROM requests"));
    assertEquals(1, k.auditCount("request.break-glass"));
    assertEquals(
        List.of(REQUESTER),
        KeysmithFixture.column(
            dataDir, "SELECT actor FROM audit WHERE action = 'request.approved'"));
    assertTrue(
        KeysmithFixture.column(
                dataDir, "SELECT details FROM audit WHERE action = 'request.break-glass'")
            .get(0)
            .contains("prod is down"));

    // Loudly: in the request's thread and the channel, mentioning the approvers; each approver
    // named is told directly.
    FakeSlackApi.Call loud =
        k.slack.accepted("chat.postMessage").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")) && c.param("thread_ts") != null)
            .findFirst()
            .orElseThrow();
    String text = loud.json("blocks").toString();
    assertTrue(text.contains("Break-glass") && text.contains("prod is down"), text);
    assertTrue(text.contains("<!subteam^" + APPROVER_GROUP + ">"), text);
    for (String approver : List.of(APPROVER, APPROVER_2)) {
      assertTrue(
          k.dms(approver).stream().anyMatch(t -> t.contains("Break-glass")),
          () -> approver + ": " + k.dms(approver));
    }
    String approval =
        k.slack.accepted("chat.update").stream()
            .filter(c -> APPROVALS.equals(c.param("channel")))
            .reduce((a, b) -> b)
            .orElseThrow()
            .json("blocks")
            .toString();
    assertTrue(approval.contains("breaking the glass"), approval);

    k.clock.advance(Duration.ofHours(4).plusMinutes(1));
    k.keysmith.housekeeping();
    k.keysmith.housekeeping();
    k.idle();
    assertFalse(k.userExists("alice"), "offboarded at its end like any time-bound user");
  }

  @Test
  void breakGlass_isRefusedWhereThePolicyHasNone_forSomeoneElse_andLongerThanItsTime()
      throws Exception {
    Reply noPolicy = submit("readonly", REQUESTER, null, "why");
    assertTrue(
        noPolicy.json().path("errors").path("break_glass").asText().contains("has no break-glass"),
        noPolicy.body());
    Reply forOther = submit("developers", OWNER, null, "why");
    assertTrue(
        forOther.json().path("errors").path("owner").asText().contains("your own emergency"),
        forOther.body());
    Reply tooLong = submit("developers", REQUESTER, "PT8H", "why");
    assertTrue(
        tooLong.json().path("errors").path("lifetime").asText().contains("at most 4 hours"),
        tooLong.body());
    Reply noReason = submit("developers", REQUESTER, null, "");
    assertTrue(noReason.json().path("errors").has("justification"), noReason.body());

    assertEquals(0, k.auditCount("request.submitted"));
    assertFalse(k.userExists("alice"));
  }

  @Test
  void theFormOffersBreakGlassOnlyWhereAGroupAllowsIt() throws Exception {
    k.send.slashCommand(REQUESTER, "create-user", "trigger-bg", k.slack.newResponseUrl());
    k.idle();
    assertTrue(
        k.slack.accepted("views.open").get(0).json("view").toString().contains("break_glass"));

    k.policies = List.of();
    k.restart();
    k.slack.clear();
    k.send.slashCommand(REQUESTER, "create-user", "trigger-bg2", k.slack.newResponseUrl());
    k.idle();
    assertFalse(
        k.slack.accepted("views.open").get(0).json("view").toString().contains("break_glass"));
  }
}
