package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.UserTags;
import dev.keysmith.testing.FakeIamGateway;
import dev.keysmith.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProvisionerTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String BOUNDARY = "arn:aws:iam::123456789012:policy/Boundary";
  private final FakeIamGateway iam = new FakeIamGateway();
  private final List<AuditEvent> audit = new ArrayList<>();
  private final AuditTrail trail =
      new AuditTrail() {
        @Override
        public void record(AuditEvent event) {
          audit.add(event);
        }

        @Override
        public List<AuditEvent> forRequest(String requestId) {
          return audit.stream().filter(e -> requestId.equals(e.requestId())).toList();
        }
      };
  private final Provisioner provisioner =
      new Provisioner(iam, trail, new MutableClock(T0), "/keysmith/", Optional.of(BOUNDARY));
  private final List<String> progress = new ArrayList<>();

  private static AccessRequest approved(String name) {
    AccessRequest pending =
        AccessRequest.pending(
                "KS-ABC123",
                new RequestForm(name, "developers", AccessType.BOTH, "U0OWNER", "reports"),
                "U0REQ",
                T0)
            .withApprovalMessage("C0APPROVALS", "1.2");
    return RequestWorkflow.approve(pending, "U0APPR", true, T0);
  }

  @Test
  void provision_nameTakenInAnotherCase_isRefusedByIamAndTouchesNoExistingUser() {
    iam.groups.add("developers");
    iam.createUser("alice", "/", java.util.Map.of(), Optional.empty());
    iam.calls.clear();
    IamException e =
        assertThrows(
            IamException.class, () -> provisioner.provision(approved("Alice"), progress::add));
    assertEquals("EntityAlreadyExists", e.errorCode());
    assertEquals(
        List.of("CreateUser Alice", "ListUserTags Alice"),
        iam.calls,
        "no listing, no clean-up of alice: only whether the name is this request's own");
    assertTrue(iam.users.containsKey("alice"));
    assertFalse(iam.users.containsKey("Alice"));
    assertEquals("failed", audit.get(0).details().get("result"));
    assertTrue(progress.isEmpty(), progress.toString());
  }

  @Test
  void provision_groupStepFails_leavesTheUserForUndo_whichDeletesIt() {
    IamException e =
        assertThrows(
            IamException.class, () -> provisioner.provision(approved("alice"), progress::add));
    assertEquals("NoSuchEntity", e.errorCode());
    assertTrue(iam.users.containsKey("alice"), "a later try may carry on with it");
    assertEquals(1, progress.size(), progress.toString());

    assertTrue(provisioner.undo(approved("alice")));
    assertFalse(iam.users.containsKey("alice"));
    assertEquals(
        List.of(
            AuditAction.IAM_CREATE_USER,
            AuditAction.IAM_ADD_USER_TO_GROUP,
            AuditAction.IAM_DELETE_USER),
        audit.stream().map(AuditEvent::action).toList());
    assertEquals("failed", audit.get(1).details().get("result"));
  }

  @Test
  void provision_again_afterAnOutageCutItAfterCreateUser_carriesOnWithTheGroup() {
    iam.groups.add("developers");
    iam.failNext("AddUserToGroup", "ServiceFailure");
    IamException e =
        assertThrows(
            IamException.class, () -> provisioner.provision(approved("alice"), progress::add));
    assertTrue(e.isTransient());
    progress.clear();

    provisioner.provision(approved("alice"), progress::add);

    assertEquals(java.util.Set.of("developers"), iam.users.get("alice").groups);
    assertTrue(progress.get(0).contains("from an earlier try"), progress.toString());
  }

  @Test
  void provision_nameTakenByAnotherRequestsUser_isRefused() {
    iam.groups.add("developers");
    iam.createUser("alice", "/", java.util.Map.of(UserTags.REQUEST, "KS-OTHER1"), Optional.empty());
    IamException e =
        assertThrows(
            IamException.class, () -> provisioner.provision(approved("alice"), progress::add));
    assertEquals("EntityAlreadyExists", e.errorCode());
    assertFalse(e.isTransient());
    assertTrue(iam.users.get("alice").groups.isEmpty());
  }

  @Test
  void undo_userNotMadeByThisRequest_isLeftAlone() {
    iam.createUser(
        "alice", "/", java.util.Map.of("keysmith:request-id", "KS-OTHER1"), Optional.empty());
    assertFalse(provisioner.undo(approved("alice")));
    assertTrue(iam.users.containsKey("alice"));
  }

  @Test
  void provision_happyPath_createsUnderPathWithTagsBoundaryAndGroup() {
    iam.groups.add("developers");
    provisioner.provision(approved("alice"), progress::add);
    FakeIamGateway.FakeUser user = iam.users.get("alice");
    assertEquals("/keysmith/", user.path);
    assertEquals(Optional.of(BOUNDARY), user.boundary);
    assertEquals("KS-ABC123", user.tags.get(UserTags.REQUEST));
    assertEquals("U0REQ", user.tags.get(UserTags.REQUESTER));
    assertEquals("U0APPR", user.tags.get(UserTags.APPROVER));
    assertEquals("U0OWNER", user.tags.get(UserTags.OWNER));
    assertEquals(java.util.Set.of("developers"), user.groups);
    assertEquals(2, progress.size());
  }
}
