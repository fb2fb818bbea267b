package dev.keysmith.workflow;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.jobs.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one path every workflow's state changes take: the compare-and-set of the new state, its audit
 * events, the jobs that follow from it and the Slack messages it promises (left in the outbox by
 * {@link Change#tell}) commit in one transaction, or none of them does. IAM and Slack calls stay
 * outside: a change is built, then committed, then acted on.
 */
public final class Transitions {
  private final Transactions transactions;
  private final AuditTrail audit;
  private final JobStore jobs;
  private final Clock clock;

  public Transitions(Transactions transactions, AuditTrail audit, JobStore jobs, Clock clock) {
    this.transactions = transactions;
    this.audit = audit;
    this.jobs = jobs;
    this.clock = clock;
  }

  /** Moves {@code next} into {@code store} if the stored one is still {@code expected}. */
  public <T extends Stateful<S>, S extends Enum<S>> Change move(
      StateStore<T, S> store, S expected, T next) {
    return new Change(next.id(), () -> store.compareAndSet(expected, next));
  }

  /** A change of {@code subject} that happens only if {@code write} (an insert, say) succeeds. */
  public Change change(String subject, BooleanSupplier write) {
    return new Change(subject, write);
  }

  /** Events and jobs about {@code subject} that commit together, with no state to compare. */
  public Change about(String subject) {
    return new Change(subject, () -> true);
  }

  /** What one transition writes; nothing is written until it is committed. */
  public final class Change {
    private final String subject;
    private final BooleanSupplier write;
    private final List<Event> events = new ArrayList<>();
    private final List<Job> scheduled = new ArrayList<>();
    private final List<String> cancelled = new ArrayList<>();
    private final List<Runnable> told = new ArrayList<>();

    private Change(String subject, BooleanSupplier write) {
      this.subject = subject;
      this.write = write;
    }

    /** Audits the change: {@code actor} did {@code action}. */
    public Change audited(String actor, AuditAction action) {
      return audited(actor, action, Map.of());
    }

    /** Audits the change: {@code actor} did {@code action}, with {@code details} (no secrets). */
    public Change audited(String actor, AuditAction action, Map<String, String> details) {
      events.add(new Event(actor, action, details));
      return this;
    }

    /** Schedules a job of {@code kind} about the subject, due at {@code dueAt}. */
    public Change schedule(String kind, Instant dueAt) {
      return schedule(kind, dueAt, Map.of());
    }

    /** Schedules a job of {@code kind} about the subject with {@code data} (no secrets). */
    public Change schedule(String kind, Instant dueAt, Map<String, String> data) {
      scheduled.add(new Job(kind, dueAt, Map.copyOf(data)));
      return this;
    }

    /** Cancels the pending jobs of {@code kind} about the subject. */
    public Change cancel(String kind) {
      cancelled.add(kind);
      return this;
    }

    /**
     * Leaves the messages the change promises in the outbox: {@code notices} runs inside the
     * transaction, after the write succeeded, and must only write (a notifier that calls the
     * outbox), never call Slack. They are delivered once the change commits, however Slack is.
     */
    public Change tell(Runnable notices) {
      told.add(notices);
      return this;
    }

    /**
     * Commits the change; false when the compare-and-set found the state moved on, and then nothing
     * at all is written.
     */
    public boolean commit() {
      return transactions.atomically(
          "change " + subject,
          () -> {
            if (!write.getAsBoolean()) {
              return false;
            }
            Instant now = clock.instant();
            events.forEach(e -> audit.record(now, subject, e.actor, e.action, e.details));
            cancelled.forEach(kind -> jobs.cancel(kind, subject));
            scheduled.forEach(job -> jobs.schedule(job.kind, subject, job.data, job.dueAt));
            told.forEach(Runnable::run);
            return true;
          });
    }

    /**
     * Commits a change that nobody can race, because the caller holds the state it moves from (a
     * rotation it is minting, a request it is provisioning); a lost compare-and-set is a bug.
     */
    public void commitOrThrow() {
      if (!commit()) {
        throw new IllegalStateException(subject + " changed under a transition that owned it");
      }
    }
  }

  private record Event(String actor, AuditAction action, Map<String, String> details) {}

  private record Job(String kind, Instant dueAt, Map<String, String> data) {}
}
