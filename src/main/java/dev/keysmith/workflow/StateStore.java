package dev.keysmith.workflow;

/** A durable home of one kind of {@link Stateful} whose every state change is a compare-and-set. */
public interface StateStore<T extends Stateful<S>, S extends Enum<S>> {

  /**
   * Replaces the stored {@code next.id()} with {@code next} only if it is still in state {@code
   * expected}; returns whether it did.
   */
  boolean compareAndSet(S expected, T next);
}
