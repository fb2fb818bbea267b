package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.APPROVER_2;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.REQUESTER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.SlackRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * People who leave, against moto: once Slack says an owner's account is deactivated (the daily
 * check, or the user_change event), their IAM users' keys are deactivated and console logins
 * removed at once, their open requests stop, and the approvals channel gets the list with Delete
 * user and Reassign owner (a link request, so two people decide).
 */
class LeaversIT {
  @TempDir Path dataDir;
  KeysmithFixture k;
  AccessKey legacyKey;
  AccessKey othersKey;

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
    legacyKey = k.ownedUserWithKey("legacy", OWNER);
    k.iam.createLoginProfile(p -> p.userName("legacy").password("Initial-Passw0rd!"));
    othersKey = k.ownedUserWithKey("others", STRANGER);
  }

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void dailyCheck_aDeactivatedOwner_hasTheirUsersShutOffAndListed_once() throws Exception {
    String pending = k.submit(REQUESTER, "carol", "developers", "PROGRAMMATIC", OWNER, "x");
    k.slack.deactivate(OWNER);

    k.keysmith.housekeeping();
    k.idle();
    k.keysmith.housekeeping();
    k.idle();

    assertEquals("Inactive", k.status("legacy", legacyKey.accessKeyId()));
    assertFalse(hasLoginProfile("legacy"), "console login removed");
    assertEquals("Active", k.status("others", othersKey.accessKeyId()), "not theirs");
    assertTrue(k.userExists("legacy"), "deleting is the approvers' call");
    assertEquals(1, k.auditCount("owner.left"));
    assertEquals("CANCELLED", k.requestState(pending), "a request for them stops");
    String list = leaverPost();
    assertTrue(list.contains("<@" + OWNER + ">") && list.contains("`legacy`"), list);
    assertTrue(list.contains("1 key deactivated, console login removed"), list);
    assertTrue(list.contains("keysmith_delete_user_prompt") && list.contains("keysmith_reassign"));
    assertFalse(list.contains("`others`"), list);

    k.clock.advance(Duration.ofDays(1).plusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(1, leaverPosts().size(), "handled once");
    assertEquals(1, k.auditCount("owner.left"));
  }

  @Test
  void userChangeEvent_shutsOffAtOnce_andReassignIsALinkRequestAnotherApproverDecides()
      throws Exception {
    k.slack.deactivate(OWNER);
    SlackRequests.Reply ack =
        k.send.event(
            "{\"token\":\"x\",\"team_id\":\"T0001\",\"api_app_id\":\"A0001\",\"type\":"
                + "\"event_callback\",\"event_id\":\"Ev0LEAVER1\",\"event_time\":1700000000,"
                + "\"event\":{\"type\":\"user_change\",\"user\":{\"id\":\""
                + OWNER
                + "\",\"team_id\":\"T0001\",\"name\":\"olivia\",\"deleted\":true},"
                + "\"event_ts\":\"1700000000.000100\"}}");
    assertEquals(200, ack.status(), ack.body());
    k.idle();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("Inactive", k.status("legacy", legacyKey.accessKeyId()));
    assertEquals(1, leaverPosts().size());

    // Reassign owner: the picker, then a choice, which is only a link request.
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(APPROVER, "keysmith_reassign", "legacy", url);
    String prompt =
        k.slack.responseUrlPosts().stream()
            .filter(p -> p.url().equals(url))
            .findFirst()
            .orElseThrow()
            .raw();
    assertTrue(prompt.contains("reassign:legacy") && prompt.contains("users_select"), prompt);
    SlackRequests.Reply picked =
        k.send.send(
            k.send.sign(
                k.send.userPickBody(
                    SlackRequests.BlockAction.click(APPROVER, "keysmith_reassign_to", "")
                        .inBlock("reassign:legacy")
                        .withResponseUrl(url),
                    APPROVER_2)));
    assertEquals(200, picked.status(), picked.body());
    k.idle();
    k.keysmith.housekeeping();
    k.idle();
    assertEquals(Optional.of(OWNER), k.ownerTag("legacy"), "nothing moves until approved");
    String linkId =
        KeysmithFixture.column(dataDir, "SELECT id FROM links WHERE iam_user = 'legacy'").get(0);

    k.click(APPROVER, "keysmith_link_approve", linkId); // the one who asked may not approve
    assertEquals(Optional.of(OWNER), k.ownerTag("legacy"));
    k.click(KeysmithFixture.GROUP_APPROVER, "keysmith_link_approve", linkId);
    assertEquals(Optional.of(APPROVER_2), k.ownerTag("legacy"));
  }

  @Test
  void slackNotAnswering_aboutAnOwner_changesNothing_andIsAskedAgainTomorrow() throws Exception {
    k.slack.deactivate(OWNER);
    k.slack.failNext("users.info", "fatal_error");
    k.slack.failNext("users.info", "fatal_error");

    k.keysmith.housekeeping();
    k.idle();

    assertEquals("Active", k.status("legacy", legacyKey.accessKeyId()));
    assertEquals(0, k.auditCount("owner.left"));
    k.clock.advance(Duration.ofDays(1).plusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("Inactive", k.status("legacy", legacyKey.accessKeyId()));
  }

  @Test
  void iamRefusingTheShutOff_recordsNothing_keepsOneDailyCheck_andIsDoneTheNextDay()
      throws Exception {
    k.slack.deactivate(OWNER);
    k.proxy.fail("UpdateAccessKey", 403, "AccessDenied");

    k.keysmith.housekeeping();
    k.idle();

    assertEquals("Active", k.status("legacy", legacyKey.accessKeyId()));
    assertEquals(0, k.auditCount("owner.left"));
    assertEquals(List.of("people.leavers"), k.pendingJobs("all-owners"), "one daily check");

    k.proxy.heal();
    k.clock.advance(Duration.ofDays(1).plusMinutes(1));
    k.keysmith.housekeeping();
    k.idle();
    assertEquals("Inactive", k.status("legacy", legacyKey.accessKeyId()));
    assertEquals(1, k.auditCount("owner.left"));
    assertEquals(List.of("people.leavers"), k.pendingJobs("all-owners"));
  }

  private boolean hasLoginProfile(String user) {
    try {
      k.iam.getLoginProfile(p -> p.userName(user));
      return true;
    } catch (software.amazon.awssdk.services.iam.model.NoSuchEntityException e) {
      return false;
    }
  }

  private List<FakeSlackApi.Call> leaverPosts() {
    return k.slack.accepted("chat.postMessage").stream()
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .filter(c -> c.json("blocks").toString().contains("Slack account is deactivated"))
        .toList();
  }

  private String leaverPost() {
    List<FakeSlackApi.Call> posts = leaverPosts();
    assertEquals(1, posts.size());
    return posts.get(0).json("blocks").toString();
  }
}
