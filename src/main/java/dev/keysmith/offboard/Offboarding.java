package dev.keysmith.offboard;

import dev.keysmith.workflow.Stateful;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One offboarding of an IAM user, from the go-ahead to the user gone. Immutable: every change
 * returns a new record.
 *
 * @param id short id shown to people, e.g. {@code OB-4F7Q2M}
 * @param ownerId the user's owner by tag when it began, or null for nobody
 * @param startedBy the Slack user who started it, or {@code keysmith} for Keysmith itself
 * @param stepsDone the steps finished, in order
 * @param failedStep the step IAM refused, once FAILED
 * @param outcome IAM's refusal in plain words, once FAILED; never a secret
 */
public record Offboarding(
    String id,
    OffboardState state,
    String iamUser,
    @Nullable String ownerId,
    String startedBy,
    OffboardCause cause,
    List<OffboardStep> stepsDone,
    Instant createdAt,
    Instant updatedAt,
    @Nullable OffboardStep failedStep,
    @Nullable String outcome)
    implements Stateful<OffboardState> {

  public Offboarding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(iamUser, "iamUser");
    Objects.requireNonNull(startedBy, "startedBy");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    stepsDone = List.copyOf(stepsDone);
  }

  /** A new PLANNED offboarding. */
  static Offboarding planned(
      String id,
      String iamUser,
      @Nullable String ownerId,
      String startedBy,
      OffboardCause cause,
      Instant now) {
    return new Offboarding(
        id,
        OffboardState.PLANNED,
        iamUser,
        ownerId,
        startedBy,
        cause,
        List.of(),
        now,
        now,
        null,
        null);
  }

  /** This offboarding in {@code next}. */
  Offboarding moved(OffboardState next, Instant now) {
    return new Offboarding(
        id, next, iamUser, ownerId, startedBy, cause, stepsDone, createdAt, now, null, null);
  }

  /** This offboarding with {@code step} finished. */
  Offboarding withStepDone(OffboardStep step, Instant now) {
    List<OffboardStep> done = new ArrayList<>(stepsDone);
    done.add(step);
    return new Offboarding(
        id, state, iamUser, ownerId, startedBy, cause, done, createdAt, now, null, null);
  }

  /** This offboarding FAILED at {@code step}, for {@code why}. */
  Offboarding failed(OffboardStep step, String why, Instant now) {
    return new Offboarding(
        id,
        OffboardState.FAILED,
        iamUser,
        ownerId,
        startedBy,
        cause,
        stepsDone,
        createdAt,
        now,
        step,
        why);
  }

  /** Whether it still has steps to run. */
  public boolean underWay() {
    return state == OffboardState.PLANNED || state == OffboardState.RUNNING;
  }
}
