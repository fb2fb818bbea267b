package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void forgetUsers_makesTheNextLookupAskIam() {
    assertFalse(directory.userNameTaken("bob"));
    iam.createUser("bob", "/", Map.of(), Optional.empty());
    iam.calls.clear();

    directory.forgetUsers();

    assertTrue(directory.userNameTaken("bob"));
    assertEquals(1, iam.calls.stream().filter(c -> c.startsWith("ListUsers")).count());
  }
}
