package dev.keysmith;

import static dev.keysmith.KeysmithFixture.APPROVALS;
import static dev.keysmith.KeysmithFixture.APPROVER;
import static dev.keysmith.KeysmithFixture.OWNER;
import static dev.keysmith.KeysmithFixture.STRANGER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.testing.FakeSlackApi;
import dev.keysmith.testing.IamFaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * {@code /iam delete-user} through the real Bolt app against moto: the plan, the confirmation
 * checked again on the server, every kind of credential removed in IAM's order, the audit trail,
 * the messages, and an offboarding that IAM holds up or refuses.
 */
class OffboardIT {
  private static final String DELETE = "keysmith_delete_user";
  private static final String CANCEL = "keysmith_delete_user_cancel";
  private static final String CREDENTIAL = "ACCAEXAMPLEEXAMPLE01";
  private static final String POLICY_DOCUMENT =
      """
      {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
      """;

  @TempDir Path dataDir;
  KeysmithFixture k;

  /** Whether the stand-in for what moto lacks still has alice's service-specific credential. */
  private final AtomicBoolean credential = new AtomicBoolean(true);

  @BeforeEach
  void start() throws Exception {
    k = new KeysmithFixture(dataDir);
    k.proxy
        .standIn(
            "ListServiceSpecificCredentials",
            () ->
                IamFaultProxy.serviceSpecificCredentials(
                    credential.get()
                        ? List.of(CREDENTIAL + " codecommit.amazonaws.com")
                        : List.of()))
        .standIn(
            "DeleteServiceSpecificCredential",
            () -> {
              credential.set(false);
              return IamFaultProxy.answer("DeleteServiceSpecificCredential", "");
            });
  }

  @AfterEach
  void stop() {
    k.close();
  }

  // --- unhappy paths first ---------------------------------------------------------------------

  @Test
  void deleteUser_bySomeoneNeitherOwnerNorApprover_isRefusedAndNothingChanges() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    String before = k.databaseState();

    String answer = k.command(STRANGER, "delete-user alice");

    assertTrue(answer.contains("is not yours, so you cannot delete it"), answer);
    assertFalse(answer.contains(DELETE), answer);
    assertTrue(k.userExists("alice"));
    assertEquals(before, k.databaseState());
  }

  @Test
  void deleteUser_ofAUserKeysmithDoesNotManage_isRefusedEvenToAnApprover() throws Exception {
    k.iam.createUser(u -> u.userName("legacy"));

    String answer = k.command(APPROVER, "delete-user legacy");

    assertTrue(answer.contains("has no Keysmith owner"), answer);
    assertTrue(k.userExists("legacy"));
  }

  @Test
  void deleteUser_ofAnUnknownUser_saysSo() throws Exception {
    String answer = k.command(APPROVER, "delete-user nobody");

    assertTrue(answer.contains("There is no IAM user named `nobody`"), answer);
  }

  @Test
  void confirm_afterTheUserChangedOwner_isCheckedAgainAndRefused() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    assertTrue(k.command(OWNER, "delete-user alice").contains(DELETE));
    k.iam.tagUser(
        t -> t.userName("alice").tags(Tag.builder().key("keysmith:owner").value(STRANGER).build()));

    String answer = click(OWNER, DELETE, "alice");

    assertTrue(answer.contains("is not yours, so you cannot delete it"), answer);
    assertTrue(k.userExists("alice"));
    assertEquals(1, k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata().size());
    assertEquals(0, k.auditCount("offboard.started"));
  }

  @Test
  void confirm_whenIamRefusesAStepForGood_failsAndTellsTheStarterAndApprovers() throws Exception {
    everything("alice", OWNER);
    k.command(OWNER, "delete-user alice");
    k.proxy.fail("DetachUserPolicy", 403, "AccessDenied");

    String answer = click(OWNER, DELETE, "alice");

    assertTrue(answer.contains("could not delete IAM user `alice`"), answer);
    assertTrue(answer.contains("the step that removes its attached managed policies"), answer);
    assertTrue(k.userExists("alice"), "DeleteUser is never reached");
    assertEquals(List.of(), k.iam.listGroupsForUser(g -> g.userName("alice")).groups());
    assertEquals(1, k.auditCount("offboard.failed"));
    assertEquals(0, k.auditCount("offboard.done"));
    assertTrue(
        approvals().stream().anyMatch(m -> m.contains("AccessDenied")), approvals().toString());
    assertTrue(
        k.dms(OWNER).stream().anyMatch(m -> m.contains("could not delete")),
        k.dms(OWNER).toString());
    assertTrue(k.pendingJobs(offboardingId()).isEmpty(), "a refusal is not retried");

    // Once the permission is fixed, the same command carries on and finishes.
    k.proxy.heal();
    k.command(OWNER, "delete-user alice");
    assertTrue(click(OWNER, DELETE, "alice").contains("is deleted"));
    assertFalse(k.userExists("alice"));
  }

  @Test
  void cancel_deletesNothing() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    k.command(OWNER, "delete-user alice");

    String answer = click(OWNER, CANCEL, "alice");

    assertTrue(answer.contains("Nothing was deleted"), answer);
    assertTrue(k.userExists("alice"));
  }

  // --- what people do --------------------------------------------------------------------------

  @Test
  void deleteUser_byOwner_showsThePlanThenRemovesEveryKindInOrderAndResumesAfterAnOutage()
      throws Exception {
    Everything e = everything("alice", OWNER);

    String plan = k.command(OWNER, "delete-user alice");

    for (String thing :
        List.of(
            e.key1 + "` (Active)",
            e.key2 + "` (Inactive)",
            "Console password: yes",
            e.certificate,
            e.sshKey,
            CREDENTIAL + "` (codecommit.amazonaws.com)",
            e.mfa,
            "`developers`",
            e.policyArn,
            "`inline`",
            DELETE,
            "\"confirm\"")) {
      assertTrue(plan.contains(thing), thing + " in " + plan);
    }
    assertTrue(k.userExists("alice"), "the plan changes nothing");
    assertEquals(0, k.auditCount("offboard.started"));

    // IAM does not answer the last step: everything else is gone, the user stays, for now.
    k.proxy.fail("DeleteUser", 503, "ServiceUnavailable");
    String answer = click(OWNER, DELETE, "alice");

    assertTrue(answer.contains("IAM is not answering right now"), answer);
    assertTrue(k.userExists("alice"));
    assertEquals(List.of(), k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata());
    assertFalse(hasLoginProfile("alice"));
    assertEquals(List.of(), k.iam.listSigningCertificates(c -> c.userName("alice")).certificates());
    assertEquals(List.of(), k.iam.listSSHPublicKeys(c -> c.userName("alice")).sshPublicKeys());
    assertFalse(credential.get(), "the service-specific credential is deleted");
    assertEquals(List.of(), k.iam.listMFADevices(m -> m.userName("alice")).mfaDevices());
    assertTrue(k.iam.listVirtualMFADevices().virtualMFADevices().isEmpty());
    assertEquals(List.of(), k.iam.listGroupsForUser(g -> g.userName("alice")).groups());
    assertEquals(
        List.of(), k.iam.listAttachedUserPolicies(p -> p.userName("alice")).attachedPolicies());
    assertEquals(List.of(), k.iam.listUserPolicies(p -> p.userName("alice")).policyNames());
    assertEquals(List.of("user.offboard"), k.pendingJobs(offboardingId()));

    k.proxy.heal();
    k.clock.advance(Duration.ofSeconds(5));
    k.keysmith.housekeeping();
    k.idle();

    assertFalse(k.userExists("alice"));
    assertEquals(11, k.auditCount("offboard.removed"));
    assertEquals(1, k.auditCount("offboard.started"));
    assertEquals(1, k.auditCount("offboard.done"));
    List<String> changes =
        k.proxy.seen().stream()
            .filter(
                a ->
                    a.startsWith("Delete")
                        || a.startsWith("Deactivate")
                        || a.startsWith("Remove")
                        || a.startsWith("Detach"))
            .distinct()
            .toList();
    assertEquals(
        List.of(
            "DeleteAccessKey",
            "DeleteLoginProfile",
            "DeleteSigningCertificate",
            "DeleteSSHPublicKey",
            "DeleteServiceSpecificCredential",
            "DeactivateMFADevice",
            "DeleteVirtualMFADevice",
            "RemoveUserFromGroup",
            "DetachUserPolicy",
            "DeleteUserPolicy",
            "DeleteUser"),
        changes);
    assertTrue(
        approvals().stream().anyMatch(m -> m.contains("`alice` was deleted by <@" + OWNER + ">")),
        approvals().toString());
    assertTrue(
        k.dms(OWNER).stream().anyMatch(m -> m.contains("IAM user `alice` is deleted")),
        "finished later, so the starter hears of it: " + k.dms(OWNER));
    assertTrue(k.pendingJobs(offboardingId()).isEmpty());
    Set<String> allowed = botPolicyAllows();
    List<String> notAllowed =
        k.proxy.seen().stream().distinct().filter(a -> !allowed.contains("iam:" + a)).toList();
    assertEquals(List.of(), notAllowed, "IAM calls the bot's policy does not allow");
  }

  @Test
  void offboarding_cutOffByARestart_resumesWhereItStoppedAndFinishes() throws Exception {
    everything("alice", OWNER);
    k.command(OWNER, "delete-user alice");
    k.proxy.fail("ListGroupsForUser", 503, "ServiceUnavailable");
    assertTrue(click(OWNER, DELETE, "alice").contains("not answering"));
    assertEquals(List.of(), k.iam.listAccessKeys(a -> a.userName("alice")).accessKeyMetadata());
    assertEquals(1, k.iam.listGroupsForUser(g -> g.userName("alice")).groups().size());

    k.restart();
    k.proxy.heal();
    k.keysmith.housekeeping(); // start-up gave it its job, due now
    k.idle();

    assertFalse(k.userExists("alice"));
    assertEquals(1, k.auditCount("offboard.done"));
    // Each thing removed once: the keys went before the restart and are not listed again.
    assertEquals(11, k.auditCount("offboard.removed"));
    assertEquals(
        List.of("DONE"), KeysmithFixture.column(dataDir, "SELECT state FROM offboardings"));
  }

  @Test
  void deleteUser_byApprover_ofSomeoneElsesUser_deletesItAndTellsTheOwner() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    assertTrue(k.command(APPROVER, "delete-user alice").contains(DELETE));

    String answer = click(APPROVER, DELETE, "alice");

    assertTrue(answer.contains("is deleted"), answer);
    assertTrue(answer.contains("its owner have been told"), answer);
    assertFalse(k.userExists("alice"));
    assertTrue(
        k.dms(OWNER).stream()
            .anyMatch(m -> m.contains("Your IAM user `alice` was deleted by <@" + APPROVER + ">")),
        k.dms(OWNER).toString());
    assertTrue(
        approvals().stream().anyMatch(m -> m.contains("an approver's decision")),
        approvals().toString());
  }

  @Test
  void deleteUser_whileOneIsUnderWay_isRefusedNotDoubled() throws Exception {
    k.ownedUserWithKey("alice", OWNER);
    k.command(APPROVER, "delete-user alice");
    k.proxy.fail("ListAccessKeys", 503, "ServiceUnavailable");
    assertTrue(click(OWNER, DELETE, "alice").contains("not answering"));

    String answer = click(APPROVER, DELETE, "alice");

    assertTrue(answer.contains("is already being deleted by <@" + OWNER + ">"), answer);
    assertEquals(1, k.auditCount("offboard.started"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Clicks a button of the plan and returns what replaced it. */
  private String click(String user, String action, String value) throws Exception {
    String url = k.slack.newResponseUrl();
    k.clickEphemeral(user, action, value, url);
    List<FakeSlackApi.ResponseUrlPost> posts =
        k.slack.responseUrlPosts().stream().filter(p -> p.url().equals(url)).toList();
    assertEquals(1, posts.size(), "one answer to the click");
    return posts.get(0).raw();
  }

  /** What Keysmith posted and edited in the approvals channel, as JSON text. */
  private List<String> approvals() {
    return java.util.stream.Stream.concat(
            k.slack.calls("chat.postMessage").stream(), k.slack.calls("chat.update").stream())
        .filter(c -> APPROVALS.equals(c.param("channel")))
        .map(c -> c.json("blocks").toString())
        .toList();
  }

  /** The IAM actions the Allow statements of the bot's policy name. */
  private static Set<String> botPolicyAllows() throws IOException {
    JsonNode policy =
        new ObjectMapper().readTree(Path.of("policy/keysmith-bot-policy.json").toFile());
    Set<String> actions = new TreeSet<>();
    for (JsonNode statement : policy.path("Statement")) {
      if ("Allow".equals(statement.path("Effect").asText())) {
        JsonNode action = statement.path("Action");
        if (action.isArray()) {
          action.forEach(a -> actions.add(a.asText()));
        } else {
          actions.add(action.asText());
        }
      }
    }
    return actions;
  }

  private String offboardingId() throws Exception {
    return KeysmithFixture.column(dataDir, "SELECT id FROM offboardings").get(0);
  }

  private boolean hasLoginProfile(String user) {
    try {
      k.iam.getLoginProfile(l -> l.userName(user));
      return true;
    } catch (software.amazon.awssdk.services.iam.model.NoSuchEntityException none) {
      return false;
    }
  }

  private record Everything(
      String key1, String key2, String certificate, String sshKey, String mfa, String policyArn) {}

  /** A managed user with every kind of credential moto has (the fixture stands in for the rest). */
  private Everything everything(String name, String owner) {
    String key1 = k.ownedUserWithKey(name, owner).accessKeyId();
    String key2 = k.iam.createAccessKey(a -> a.userName(name)).accessKey().accessKeyId();
    k.iam.updateAccessKey(a -> a.userName(name).accessKeyId(key2).status("Inactive"));
    k.iam.createLoginProfile(l -> l.userName(name).password("Correct-Horse-9-Battery"));
    String certificate =
        k.iam
            .uploadSigningCertificate(
                c -> c.userName(name).certificateBody(resource("iam/signing-certificate.pem")))
            .certificate()
            .certificateId();
    String sshKey =
        k.iam
            .uploadSSHPublicKey(
                s -> s.userName(name).sshPublicKeyBody(resource("iam/ssh-public-key.pub")))
            .sshPublicKey()
            .sshPublicKeyId();
    String mfa =
        k.iam
            .createVirtualMFADevice(m -> m.virtualMFADeviceName(name))
            .virtualMFADevice()
            .serialNumber();
    k.iam.enableMFADevice(
        m ->
            m.userName(name)
                .serialNumber(mfa)
                .authenticationCode1("123456")
                .authenticationCode2("654321"));
    k.iam.addUserToGroup(g -> g.userName(name).groupName("developers"));
    String policyArn =
        k.iam
            .createPolicy(p -> p.policyName("read-only").policyDocument(POLICY_DOCUMENT))
            .policy()
            .arn();
    k.iam.attachUserPolicy(p -> p.userName(name).policyArn(policyArn));
    k.iam.putUserPolicy(p -> p.userName(name).policyName("inline").policyDocument(POLICY_DOCUMENT));
    return new Everything(key1, key2, certificate, sshKey, mfa, policyArn);
  }

  private static String resource(String path) {
    try (InputStream in = OffboardIT.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + path);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
