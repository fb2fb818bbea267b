package dev.keysmith.core;

/** An action a person may not take now (not an approver, already decided, not the owner...). */
public final class Refusal extends KeysmithException {
  public Refusal(String message) {
    super(message);
  }
}
