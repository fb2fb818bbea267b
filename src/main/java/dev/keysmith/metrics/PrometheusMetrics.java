package dev.keysmith.metrics;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Metrics;
import dev.keysmith.jobs.JobBacklog;
import dev.keysmith.outbox.OutboxBacklog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Metrics} in a Prometheus registry, read by {@code GET /metrics}. Every label value comes
 * from a fixed set: an enum, an audit action's code, or one of the Slack methods and IAM operations
 * Keysmith calls (anything else is {@code other}); never a name, an id or a payload value.
 */
public final class PrometheusMetrics implements Metrics {
  /** The content type of {@link #scrape()}: Prometheus's text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  static final String OTHER = "other";

  /** The Slack methods Keysmith calls; {@code response_url} for posts to a response URL. */
  static final Set<String> SLACK_METHODS =
      Set.of(
          "auth.test",
          "chat.postMessage",
          "chat.update",
          "views.open",
          "views.update",
          "views.publish",
          "usergroups.users.list",
          "users.info",
          "response_url");

  /** The IAM and STS operations Keysmith calls, as the AWS SDK names them. */
  static final Set<String> IAM_OPERATIONS =
      Set.of(
          "AddUserToGroup",
          "CreateAccessKey",
          "CreateLoginProfile",
          "CreateUser",
          "DeactivateMFADevice",
          "DeleteAccessKey",
          "DeleteLoginProfile",
          "DeleteSSHPublicKey",
          "DeleteServiceSpecificCredential",
          "DeleteSigningCertificate",
          "DeleteUser",
          "DeleteUserPolicy",
          "DeleteVirtualMFADevice",
          "DetachUserPolicy",
          "GetAccessKeyLastUsed",
          "GetAccountPasswordPolicy",
          "GetCallerIdentity",
          "GetLoginProfile",
          "GetUser",
          "ListAccessKeys",
          "ListAccountAliases",
          "ListAttachedUserPolicies",
          "ListGroups",
          "ListGroupsForUser",
          "ListMFADevices",
          "ListSSHPublicKeys",
          "ListServiceSpecificCredentials",
          "ListSigningCertificates",
          "ListUserPolicies",
          "ListUserTags",
          "ListUsers",
          "PutUserPermissionsBoundary",
          "RemoveUserFromGroup",
          "TagUser",
          "UntagUser",
          "UpdateAccessKey");

  private static final Set<String> AUDIT_CODES =
      Arrays.stream(AuditAction.values()).map(AuditAction::code).collect(Collectors.toSet());

  // Slack gives up on an ack after 3 s; 2.5 s is where an alert should fire.
  private static final Duration[] ACK_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofMillis(2500),
    Duration.ofSeconds(3)
  };

  private static final Logger log = LoggerFactory.getLogger(PrometheusMetrics.class);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Level jobsPending = new Level();
  private final Level jobsOverdue = new Level();
  private final Level outboxPending = new Level();
  private final Level outboxOverdue = new Level();
  private final Level outboxUndeliverable = new Level();
  private final Level keysPastMaxAge = new Level();
  private volatile Supplier<JobBacklog> jobs = () -> new JobBacklog(0, 0);
  private volatile Supplier<OutboxBacklog> outbox = () -> new OutboxBacklog(0, 0, 0);

  /** A gauge's value, set before each scrape or by a domain call; NaN while unknown. */
  private static final class Level {
    volatile double value = Double.NaN;
  }

  /** An empty registry with the JVM's memory, threads, CPU and uptime. */
  public PrometheusMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gauge("keysmith.jobs.pending", "Stored jobs waiting or running", jobsPending);
    gauge("keysmith.jobs.overdue", "Waiting jobs due more than a minute ago", jobsOverdue);
    gauge("keysmith.outbox.pending", "Slack messages not delivered yet", outboxPending);
    gauge(
        "keysmith.outbox.overdue",
        "Undelivered Slack messages due over a minute ago",
        outboxOverdue);
    gauge(
        "keysmith.outbox.undeliverable",
        "Slack messages given up on for good in the last day",
        outboxUndeliverable);
    gauge(
        "keysmith.keys.past.max.age",
        "Active owned access keys older than the maximum age at the last daily scan",
        keysPastMaxAge);
  }

  private void gauge(String name, String help, Level level) {
    Gauge.builder(name, level, l -> l.value).description(help).register(registry);
  }

  /**
   * Reads the job and outbox backlogs (from the database) once per scrape; a failed read shows as
   * NaN.
   */
  public void watchBacklogs(Supplier<JobBacklog> jobs, Supplier<OutboxBacklog> outbox) {
    this.jobs = jobs;
    this.outbox = outbox;
  }

  /** The registry in Prometheus's text format, with the backlogs read now. */
  public String scrape() {
    try {
      JobBacklog j = jobs.get();
      jobsPending.value = j.pending();
      jobsOverdue.value = j.overdue();
    } catch (RuntimeException e) {
      log.warn("metrics: could not read the job backlog: {}", e.toString());
      jobsPending.value = Double.NaN;
      jobsOverdue.value = Double.NaN;
    }
    try {
      OutboxBacklog o = outbox.get();
      outboxPending.value = o.pending();
      outboxOverdue.value = o.overdue();
      outboxUndeliverable.value = o.undeliverable();
    } catch (RuntimeException e) {
      log.warn("metrics: could not read the outbox backlog: {}", e.toString());
      outboxPending.value = Double.NaN;
      outboxOverdue.value = Double.NaN;
      outboxUndeliverable.value = Double.NaN;
    }
    return registry.scrape();
  }

  @Override
  public void audited(String action) {
    String code = AUDIT_CODES.contains(action) ? action : OTHER;
    count("keysmith.audit.events", "Audited facts committed, by action", "action", code);
    int dot = code.indexOf('.');
    if (dot < 0) {
      return;
    }
    String outcome = code.substring(dot + 1).replace('-', '_');
    switch (code.substring(0, dot)) {
      case "request" ->
          count("keysmith.requests", "Access requests' state changes", "outcome", outcome);
      case "delivery" ->
          count("keysmith.deliveries", "Credential offers, reveals and wipes", "outcome", outcome);
      case "rotation" ->
          count("keysmith.rotations", "Key rotations' state changes", "outcome", outcome);
      default -> {}
    }
  }

  @Override
  public void slackCall(String method, SlackResult result) {
    Counter.builder("keysmith.slack.calls")
        .description("Slack Web API calls, by method and result")
        .tag("method", known(SLACK_METHODS, method))
        .tag("result", label(result))
        .register(registry)
        .increment();
  }

  @Override
  public void outboxAttempt(String method, OutboxOutcome outcome, Duration retryAfter) {
    String m = known(SLACK_METHODS, method);
    Counter.builder("keysmith.outbox.attempts")
        .description("Outbox deliveries tried, by method and outcome")
        .tag("method", m)
        .tag("outcome", label(outcome))
        .register(registry)
        .increment();
    if (outcome == OutboxOutcome.RATE_LIMITED) {
      Counter.builder("keysmith.slack.rate.limit.pause")
          .description("Seconds of Retry-After pauses Slack asked for")
          .baseUnit("seconds")
          .tag("method", m)
          .register(registry)
          .increment(retryAfter.toMillis() / 1000.0);
    }
  }

  @Override
  public void iamCall(String operation, IamResult result, int throttledRetries, int otherRetries) {
    String op = known(IAM_OPERATIONS, operation);
    Counter.builder("keysmith.iam.calls")
        .description("IAM and STS calls, by operation and result after retries")
        .tag("operation", op)
        .tag("result", label(result))
        .register(registry)
        .increment();
    retries(op, "throttled", throttledRetries);
    retries(op, "error", otherRetries);
  }

  private void retries(String operation, String reason, int count) {
    if (count > 0) {
      Counter.builder("keysmith.iam.retries")
          .description("IAM and STS attempts retried by the AWS SDK, by operation and reason")
          .tag("operation", operation)
          .tag("reason", reason)
          .register(registry)
          .increment(count);
    }
  }

  @Override
  public void acked(AckKind kind, Transport transport, long nanos) {
    Timer.builder("keysmith.slack.ack")
        .description("From a Slack request's arrival to its ack")
        .tag("kind", label(kind))
        .tag("transport", label(transport))
        .serviceLevelObjectives(ACK_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void keysPastMaxAge(long count) {
    keysPastMaxAge.value = count;
  }

  private void count(String name, String help, String tag, String value) {
    Counter.builder(name).description(help).tag(tag, value).register(registry).increment();
  }

  private static String known(Set<String> names, String name) {
    return names.contains(name) ? name : OTHER;
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
