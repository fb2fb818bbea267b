package dev.keysmith.offboard;

import dev.keysmith.workflow.StateStore;
import java.util.List;
import java.util.Optional;

/**
 * Durable home of offboardings. Every change is a compare-and-set, and one IAM user has at most one
 * offboarding under way (PLANNED or RUNNING) at a time.
 */
public interface OffboardStore extends StateStore<Offboarding, OffboardState> {

  /** Stores a new offboarding; false when its id is taken or one of the same user is under way. */
  boolean insert(Offboarding offboarding);

  /** The offboarding with this id. */
  Optional<Offboarding> find(String id);

  /** The offboarding of {@code iamUser} under way (compared ignoring case, as IAM does), if any. */
  Optional<Offboarding> findUnderWay(String iamUser);

  /** All offboardings in {@code state}, oldest first. */
  List<Offboarding> findByState(OffboardState state);
}
