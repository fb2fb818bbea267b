package dev.keysmith.rotation;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.jobs.JobHandler;
import dev.keysmith.jobs.JobStore;
import dev.keysmith.request.RequestService;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * People who leave: once Slack says an owner's account is deactivated, the access keys of every IAM
 * user they own are deactivated and its console login removed at once, their open requests stop,
 * and the approvals channel gets the list with Delete user and Reassign owner. Checked every day
 * for every owner, and at once on Slack's {@code user_change} event; each person is handled once.
 */
public final class Leavers {
  /** The daily job that asks Slack about every owner. */
  public static final String DAILY = "people.leavers";

  private static final String SUBJECT = "all-owners";
  private static final Duration DAY = Duration.ofDays(1);
  private static final Logger log = LoggerFactory.getLogger(Leavers.class);

  private final IamGateway iam;
  private final IamDirectory directory;
  private final People people;
  private final LeaverLog leavers;
  private final KeyNotifier notifier;
  private final RequestService requests;
  private final JobStore jobs;
  private final Transitions transitions;
  private final AuditTrail audit;
  private final Clock clock;

  public Leavers(
      IamGateway iam,
      IamDirectory directory,
      People people,
      LeaverLog leavers,
      KeyNotifier notifier,
      RequestService requests,
      JobStore jobs,
      WorkflowContext workflow) {
    this.iam = iam;
    this.directory = directory;
    this.people = people;
    this.leavers = leavers;
    this.notifier = notifier;
    this.requests = requests;
    this.jobs = jobs;
    this.transitions = workflow.transitions();
    this.audit = workflow.audit();
    this.clock = workflow.clock();
  }

  /** Stores the daily check unless one is waiting already; runs first at start. */
  public void schedule() {
    // Every replica's start asks; one chain of daily runs results.
    jobs.scheduleOnce(DAILY, SUBJECT, Map.of(), clock.instant());
  }

  /**
   * Job: one daily check of every owner, which schedules the next. It never fails as a job (a
   * failed job is tried again, and would then schedule a second chain of daily checks): what IAM or
   * Slack held up is tried again the next day.
   */
  public JobHandler dailyJob() {
    return job -> {
      try {
        runOnce();
      } catch (RuntimeException e) {
        log.warn("leavers: the daily check stopped: {}; tried again tomorrow", e.toString());
      }
      jobs.scheduleNext(DAILY, SUBJECT, Map.of(), clock.instant().plus(DAY));
    };
  }

  /** Asks Slack about every owner of a Keysmith user, and handles those who left. */
  public void runOnce() {
    directory.forgetUsers();
    for (String owner : directory.usersByOwner().keySet()) {
      if (leavers.handled(owner)) {
        continue;
      }
      boolean left;
      try {
        left = people.hasLeft(owner);
      } catch (KeysmithException e) {
        log.warn("leavers: {}; asked again tomorrow", e.getMessage());
        continue;
      }
      if (left) {
        try {
          left(owner);
        } catch (RuntimeException e) {
          // IAM held it up: nothing was recorded, so tomorrow's check does it again.
          log.warn("leavers: could not shut off {}'s users yet: {}", owner, e.toString());
        }
      }
    }
  }

  /**
   * {@code slackUserId}'s account is deactivated: their users lose their keys and console login
   * now, their open requests stop, and the approvals channel decides what becomes of the users.
   * Safe to run again: a person is handled once, and each IAM step is idempotent.
   */
  public void left(String slackUserId) {
    if (leavers.handled(slackUserId)) {
      return;
    }
    directory.forgetUsers();
    List<String> owned = directory.usersByOwner().getOrDefault(slackUserId, List.of());
    Map<String, String> done = new LinkedHashMap<>();
    for (String user : owned) {
      done.put(user, shutOff(user, slackUserId));
    }
    int stopped = requests.stopFor(slackUserId, "left the workspace");
    log.info(
        "leavers: {} left; {} IAM user(s) shut off, {} open request(s) stopped",
        slackUserId,
        owned.size(),
        stopped);
    transitions
        .change(slackUserId, () -> leavers.record(slackUserId, clock.instant()))
        .audited(
            SYSTEM,
            AuditAction.OWNER_LEFT,
            Map.of("owner", slackUserId, "iamUsers", String.join(",", owned)))
        .tell(
            () -> {
              if (!done.isEmpty()) {
                notifier.ownerLeft(slackUserId, done);
              }
            })
        .commit();
  }

  /** Deactivates the user's active keys and removes its console login; says what it did. */
  private String shutOff(String user, String owner) {
    int keys = 0;
    for (IamGateway.AccessKeyInfo key : iam.listAccessKeys(user)) {
      if (key.active()) {
        iam.setAccessKeyStatus(user, key.accessKeyId(), false);
        audit.record(
            clock.instant(),
            user,
            SYSTEM,
            AuditAction.KEYS_DEACTIVATED,
            Map.of("iamUser", user, "accessKeyId", key.accessKeyId(), "why", owner + " left"));
        keys++;
      }
    }
    boolean login = iam.hasLoginProfile(user);
    if (login) {
      iam.deleteLoginProfile(user);
      audit.record(
          clock.instant(),
          user,
          SYSTEM,
          AuditAction.IAM_DELETE_LOGIN_PROFILE,
          Map.of("iamUser", user, "why", owner + " left"));
    }
    return (keys == 0 ? "no active key" : keys + (keys == 1 ? " key" : " keys") + " deactivated")
        + (login ? ", console login removed" : "");
  }
}
