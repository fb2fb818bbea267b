package dev.keysmith.rotation;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditEvent;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.Metrics;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.JobStore;
import dev.keysmith.workflow.Transitions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The daily look at every owned key: older than the maximum age (90 days by default, as CIS and AWS
 * Security Hub IAM.3 ask) gets its owner a reminder to rotate; unused for long gets a nudge to
 * deactivate. Each reminder comes once per period, not every day.
 */
public final class KeyReminders {
  /** The job kind of the daily run. */
  public static final String DAILY = "reminders.daily";

  /** The two reminders: the kind the reminder log keeps, and what the audit trail calls it. */
  enum Kind {
    TOO_OLD("too-old", AuditAction.REMINDER_TOO_OLD),
    UNUSED("unused", AuditAction.REMINDER_UNUSED);

    final String logged;
    final AuditAction action;

    Kind(String logged, AuditAction action) {
      this.logged = logged;
      this.action = action;
    }
  }

  /** An active key older than the maximum age, as the last daily run found it. */
  public record OldKey(String owner, String iamUser, String accessKeyId, long ageDays) {}

  /** What the last daily run on this process found: when, and the keys past the maximum age. */
  public record Scan(Instant takenAt, Duration maxAge, List<OldKey> tooOld) {
    public Scan {
      tooOld = List.copyOf(tooOld);
    }
  }

  private static final String SUBJECT = "all-keys";
  private static final Duration DAY = Duration.ofDays(1);

  private final IamGateway iam;
  private final IamDirectory directory;
  private final ReminderLog log;
  private final JobStore jobs;
  private final KeyNotifier notifier;
  private final Transitions transitions;
  private final Clock clock;
  private final KeysmithConfig.KeyCare settings;
  private final Metrics metrics;
  private volatile @Nullable Scan lastScan;

  /** Reminders about the keys {@code directory} knows owners of, sent once per period. */
  public KeyReminders(
      RotationContext context, IamDirectory directory, ReminderLog log, JobStore jobs) {
    this(context, directory, log, jobs, Metrics.none());
  }

  /** The same, telling {@code metrics} how many keys each run found past the maximum age. */
  public KeyReminders(
      RotationContext context,
      IamDirectory directory,
      ReminderLog log,
      JobStore jobs,
      Metrics metrics) {
    this.metrics = metrics;
    this.iam = context.iam();
    this.directory = directory;
    this.log = log;
    this.jobs = jobs;
    this.notifier = context.notifier();
    this.transitions = context.workflow().transitions();
    this.clock = context.workflow().clock();
    this.settings = context.settings();
  }

  /** Makes sure the daily run is scheduled; called at start-up. */
  public void schedule() {
    // Every replica's start asks; one chain of daily runs results.
    jobs.scheduleOnce(DAILY, SUBJECT, Map.of(), clock.instant());
  }

  /** Job: one daily run, which schedules the next. */
  public JobHandler dailyJob() {
    return job -> {
      runOnce();
      jobs.scheduleNext(DAILY, SUBJECT, Map.of(), clock.instant().plus(DAY));
    };
  }

  /** Looks at every owned active key and sends the reminders that are due. */
  public void runOnce() {
    Instant started = clock.instant();
    List<OldKey> tooOld = new ArrayList<>();
    directory.forgetUsers();
    for (Map.Entry<String, List<String>> owned : directory.usersByOwner().entrySet()) {
      for (String user : owned.getValue()) {
        for (IamGateway.AccessKeyInfo key : iam.listAccessKeys(user)) {
          if (key.active()) {
            long ageDays = Duration.between(key.createdAt(), started).toDays();
            if (ageDays >= settings.maxKeyAge().toDays()) {
              tooOld.add(new OldKey(owned.getKey(), user, key.accessKeyId(), ageDays));
            }
            check(owned.getKey(), user, key);
          }
        }
      }
    }
    tooOld.sort(Comparator.comparingLong(OldKey::ageDays).reversed());
    lastScan = new Scan(started, settings.maxKeyAge(), tooOld);
    metrics.keysPastMaxAge(tooOld.size());
  }

  /**
   * The keys past the maximum age as the last daily run on this process found them, so that showing
   * them does not read IAM again; empty before the first run here.
   */
  public Optional<Scan> lastScan() {
    return Optional.ofNullable(lastScan);
  }

  /** Sends the reminders due about {@code key}. */
  private void check(String owner, String user, IamGateway.AccessKeyInfo key) {
    Instant now = clock.instant();
    long ageDays = Duration.between(key.createdAt(), now).toDays();
    if (ageDays >= settings.maxKeyAge().toDays()
        && due(key, Kind.TOO_OLD, settings.maxKeyAge(), now)) {
      remind(
          key,
          Kind.TOO_OLD,
          owner,
          user,
          now,
          () -> notifier.keyTooOld(user, key.accessKeyId(), owner, ageDays));
    }
    Instant lastUse = iam.accessKeyLastUsed(key.accessKeyId()).at().orElse(key.createdAt());
    long unusedDays = Duration.between(lastUse, now).toDays();
    if (unusedDays >= settings.unusedKeyAge().toDays()
        && due(key, Kind.UNUSED, settings.unusedKeyAge(), now)) {
      remind(
          key,
          Kind.UNUSED,
          owner,
          user,
          now,
          () -> notifier.keyUnused(user, key.accessKeyId(), owner, unusedDays));
    }
  }

  private boolean due(IamGateway.AccessKeyInfo key, Kind kind, Duration period, Instant now) {
    return log.lastSent(key.accessKeyId(), kind.logged)
        .map(at -> !now.isBefore(at.plus(period)))
        .orElse(true);
  }

  private void remind(
      IamGateway.AccessKeyInfo key,
      Kind kind,
      String owner,
      String user,
      Instant now,
      Runnable message) {
    // The reminder, its log entry and its audit event commit together: a reminder logged as sent
    // is in the outbox, and one in the outbox is logged.
    transitions
        .change(
            key.accessKeyId(),
            () -> {
              log.sent(key.accessKeyId(), kind.logged, now);
              return true;
            })
        .audited(
            AuditEvent.SYSTEM,
            kind.action,
            Map.of("iamUser", user, "accessKeyId", key.accessKeyId(), "owner", owner))
        .tell(message)
        .commit();
  }
}
