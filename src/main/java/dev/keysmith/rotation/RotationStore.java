package dev.keysmith.rotation;

import dev.keysmith.workflow.StateStore;
import java.util.List;
import java.util.Optional;

/** Durable home of key rotations; every state change is an atomic compare-and-set. */
public interface RotationStore extends StateStore<Rotation, RotationState> {

  /**
   * Stores a new rotation; false when its id is taken, or when it is MINTING while another rotation
   * of the same user is (one key minted at a time per user).
   */
  boolean insert(Rotation rotation);

  /** The rotation with this id. */
  Optional<Rotation> find(String id);

  /**
   * Replaces the stored rotation with {@code next} only if it is still {@code expected} (and, for
   * MINTING, no other rotation of the user is minting).
   */
  @Override
  boolean compareAndSet(RotationState expected, Rotation next);

  /** All rotations in {@code state}, oldest first. */
  List<Rotation> findByState(RotationState state);
}
