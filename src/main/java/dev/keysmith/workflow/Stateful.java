package dev.keysmith.workflow;

/** Something a workflow moves from state to state: an access request, a key rotation. */
public interface Stateful<S extends Enum<S>> {
  /** The id people and the audit trail know it by. */
  String id();

  /** Where it is in its life. */
  S state();
}
