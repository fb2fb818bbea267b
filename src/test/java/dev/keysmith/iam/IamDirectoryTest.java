package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.testing.FakeIamGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IamDirectoryTest {
  private final FakeIamGateway iam = new FakeIamGateway();
  private final List<Runnable> background = new ArrayList<>();
  private final IamDirectory directory =
      new IamDirectory(iam, List.of("developers"), background::add, Ticker.systemTicker());

  @Test
  void usersChanged_answersFromTheLastLookWithoutCallingIam_untilTheReloadIsDone() {
    iam.createUser("alice", "/", Map.of(), Optional.empty());
    directory.warmUp();
    assertTrue(directory.userNameTaken("ALICE"));
    iam.createUser("bob", "/", Map.of(), Optional.empty());
    iam.calls.clear();

    directory.usersChanged();

    assertFalse(directory.userNameTaken("bob"), "the last look, not a fresh one");
    assertTrue(iam.calls.isEmpty(), "a form submission's thread never waits for IAM: " + iam.calls);
    runBackground();
    assertTrue(directory.userNameTaken("bob"));
  }

  /** Runs the queued background work, and whatever it queues in turn. */
  private void runBackground() {
    while (!background.isEmpty()) {
      background.remove(0).run();
    }
  }

  @Test
  void userCreated_updatesNamesAndOwnersWithoutAskingIam() {
    iam.createUser("alice", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    directory.warmUp();
    assertEquals(Map.of("U1", List.of("alice")), directory.usersByOwner());
    assertFalse(directory.userNameTaken("carol"));
    iam.createUser("Carol", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    iam.calls.clear();

    directory.userCreated("Carol", "U1");

    assertTrue(directory.userNameTaken("carol"), "names are compared ignoring case");
    assertEquals(List.of("Carol", "alice"), directory.usersOwnedBy("U1"));
    runBackground();
    assertTrue(iam.calls.isEmpty(), "one ListUserTags per user is not repeated: " + iam.calls);
  }

  @Test
  void ownerChanged_movesTheUserToItsNewOwner() {
    iam.createUser("alice", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    iam.createUser("bob", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    iam.createUser("legacy", "/", Map.of(), Optional.empty());
    assertEquals(Map.of("U1", List.of("alice", "bob")), directory.usersByOwner());
    iam.calls.clear();

    directory.ownerChanged("alice", "U2");
    directory.ownerChanged("bob", "U2");
    directory.ownerChanged("legacy", "U3");

    assertEquals(
        Map.of("U2", List.of("alice", "bob"), "U3", List.of("legacy")), directory.usersByOwner());
    assertTrue(iam.calls.isEmpty(), iam.calls.toString());
  }

  @Test
  void userCreated_beforeAnyLookup_leavesTheFirstLookupToIam() {
    directory.userCreated("carol", "U1");
    assertTrue(iam.calls.isEmpty(), "nothing loaded just to be updated: " + iam.calls);

    iam.createUser("carol", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    assertFalse(directory.userNameTaken("CAROL"), "a cold lookup answers without waiting");
    runBackground();
    assertTrue(directory.userNameTaken("CAROL"));
    assertEquals(List.of("carol"), directory.usersOwnedBy("U1"));
  }

  @Test
  void aReloadUnderWayWhenAUserIsCreated_cannotBringBackTheWorldWithoutIt() {
    FakeIamGateway slowIam = spy(new FakeIamGateway());
    IamDirectory dir =
        new IamDirectory(slowIam, List.of("developers"), background::add, Ticker.systemTicker());
    dir.warmUp();
    assertFalse(dir.userNameTaken("carol"));
    // The reload reads IAM, then carol is created and recorded before the reload completes.
    doAnswer(
            inv -> {
              Object before = inv.callRealMethod();
              slowIam.createUser("carol", "/", Map.of(), Optional.empty());
              dir.userCreated("carol", "U1");
              return before;
            })
        .doCallRealMethod()
        .when(slowIam)
        .userNames();

    dir.usersChanged();
    runBackground();

    assertTrue(dir.userNameTaken("carol"), "the stale reload was discarded");
  }

  @Test
  void forgetUsers_makesTheNextLookupAskIamInTheBackground() {
    directory.warmUp();
    assertFalse(directory.userNameTaken("bob"));
    iam.createUser("bob", "/", Map.of(), Optional.empty());
    iam.calls.clear();

    directory.forgetUsers();

    assertFalse(directory.userNameTaken("bob"), "answered at once, without IAM");
    assertTrue(iam.calls.isEmpty(), iam.calls.toString());
    runBackground();
    assertTrue(directory.userNameTaken("bob"));
    assertEquals(1, iam.calls.stream().filter(c -> c.startsWith("ListUsers")).count());
  }

  @Test
  void coldLookupsOnTheAckPath_neverWaitForIam_andSayWhatKeysmithKnowsMeanwhile() {
    iam.createUser("alice", "/", Map.of(), Optional.empty());
    iam.calls.clear();

    assertEquals(List.of("developers"), directory.offeredGroups(), "the configured groups");
    assertFalse(directory.userNameTaken("alice"), "a clash IAM's CreateUser reports later");
    assertTrue(iam.calls.isEmpty(), "no IAM call before an ack: " + iam.calls);

    runBackground();

    assertEquals(List.of(), directory.offeredGroups(), "developers does not exist in IAM");
    assertTrue(directory.userNameTaken("alice"));
  }
}
