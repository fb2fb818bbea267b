package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.core.Broadcast;
import dev.keysmith.testing.FakeIamGateway;
import java.util.ArrayList;
import java.util.HashMap;
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

  // --- several replicas ---------------------------------------------------------------------

  /** Replicas' broadcasts in one process: what one publishes, the others hear at once. */
  private static final class Replicas {
    private final List<Map<String, List<Broadcast.Listener>>> members = new ArrayList<>();

    Broadcast join() {
      Map<String, List<Broadcast.Listener>> mine = new HashMap<>();
      members.add(mine);
      return new Broadcast() {
        @Override
        public void publish(String topic, String message) {
          for (Map<String, List<Broadcast.Listener>> other : members) {
            if (other != mine) {
              other.getOrDefault(topic, List.of()).forEach(l -> l.heard(message));
            }
          }
        }

        @Override
        public void subscribe(String topic, Broadcast.Listener listener) {
          mine.computeIfAbsent(topic, t -> new ArrayList<>()).add(listener);
        }
      };
    }

    void dropped() {
      members.forEach(m -> m.values().forEach(ls -> ls.forEach(Broadcast.Listener::mayHaveMissed)));
    }
  }

  private IamDirectory replicaOf(Broadcast others) {
    return new IamDirectory(
        iam, List.of("developers"), background::add, Ticker.systemTicker(), others);
  }

  @Test
  void changesOnOneReplica_areSeenOnTheOther_withoutAskingIam() {
    iam.createUser("alice", "/", Map.of(UserTags.OWNER, "U1"), Optional.empty());
    Replicas replicas = new Replicas();
    IamDirectory a = replicaOf(replicas.join());
    IamDirectory b = replicaOf(replicas.join());
    a.warmUp();
    b.warmUp();
    assertEquals(List.of("alice"), b.usersOwnedBy("U1"));
    iam.calls.clear();

    a.userCreated("Carol", "U2");
    assertTrue(b.userNameTaken("carol"));
    assertEquals(List.of("Carol"), b.usersOwnedBy("U2"));

    a.ownerChanged("alice", "U2");
    assertEquals(List.of("Carol", "alice"), b.usersOwnedBy("U2"));
    assertEquals(List.of(), b.usersOwnedBy("U1"));

    a.userDeleted("Carol");
    assertFalse(b.userNameTaken("carol"));
    assertEquals(List.of("alice"), b.usersOwnedBy("U2"));

    runBackground();
    assertTrue(iam.calls.isEmpty(), "applied as sent, not reloaded: " + iam.calls);
  }

  @Test
  void aReloadOnOneReplica_reloadsTheOther_andSoDoMissedChanges() {
    Replicas replicas = new Replicas();
    IamDirectory a = replicaOf(replicas.join());
    IamDirectory b = replicaOf(replicas.join());
    a.warmUp();
    b.warmUp();
    assertEquals(List.of(), b.usersOwnedBy("U3"));
    iam.createUser("dave", "/", Map.of(UserTags.OWNER, "U3"), Optional.empty());

    a.usersChanged();
    runBackground();

    assertTrue(b.userNameTaken("dave"));
    assertEquals(List.of("dave"), b.usersOwnedBy("U3"));

    iam.createUser("erin", "/", Map.of(UserTags.OWNER, "U3"), Optional.empty());
    replicas.dropped();
    runBackground();

    assertTrue(b.userNameTaken("erin"));
    assertEquals(List.of("dave", "erin"), b.usersOwnedBy("U3"));
  }

  @Test
  void anUnreadableChange_reloadsRatherThanGuess() {
    Replicas replicas = new Replicas();
    Broadcast sender = replicas.join();
    IamDirectory b = replicaOf(replicas.join());
    b.warmUp();
    assertEquals(List.of(), b.usersOwnedBy("U4"));
    iam.createUser("frank", "/", Map.of(UserTags.OWNER, "U4"), Optional.empty());

    sender.publish(IamDirectory.TOPIC, "created frank"); // no owner
    runBackground();

    assertTrue(b.userNameTaken("frank"));
    assertEquals(List.of("frank"), b.usersOwnedBy("U4"));
  }
}
