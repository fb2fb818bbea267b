package dev.keysmith;

import com.github.benmanes.caffeine.cache.Ticker;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import dev.keysmith.audit.AuditTrail;
import dev.keysmith.cli.AuditCommand;
import dev.keysmith.cli.CommandLine;
import dev.keysmith.cli.SetupCheck;
import dev.keysmith.config.ConfigException;
import dev.keysmith.config.ConfigLoader;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.config.Settings;
import dev.keysmith.core.Broadcast;
import dev.keysmith.core.Deliveries;
import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Liveness;
import dev.keysmith.delivery.CredentialDelivery;
import dev.keysmith.delivery.CredentialMinter;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.AwsClients;
import dev.keysmith.iam.AwsIamGateway;
import dev.keysmith.iam.IamCallMeter;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.PasswordGenerator;
import dev.keysmith.jobs.Leases;
import dev.keysmith.jobs.Recovery;
import dev.keysmith.jobs.Replica;
import dev.keysmith.jobs.Scheduler;
import dev.keysmith.logs.Logs;
import dev.keysmith.metrics.PrometheusMetrics;
import dev.keysmith.offboard.OffboardService;
import dev.keysmith.outbox.Courier;
import dev.keysmith.outbox.Outbox;
import dev.keysmith.outbox.Receipt;
import dev.keysmith.request.GroupPolicy;
import dev.keysmith.request.Lifetimes;
import dev.keysmith.request.Policies;
import dev.keysmith.request.Provisioner;
import dev.keysmith.request.RequestIds;
import dev.keysmith.request.RequestPorts;
import dev.keysmith.request.RequestService;
import dev.keysmith.request.RequestSubmissions;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyReminders;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.Leavers;
import dev.keysmith.rotation.LinkPorts;
import dev.keysmith.rotation.LinkService;
import dev.keysmith.rotation.Ownership;
import dev.keysmith.rotation.RotationApproval;
import dev.keysmith.rotation.RotationContext;
import dev.keysmith.rotation.RotationJobs;
import dev.keysmith.slack.AuditChannel;
import dev.keysmith.slack.Health;
import dev.keysmith.slack.HomeTab;
import dev.keysmith.slack.MetricsEndpoint;
import dev.keysmith.slack.OutboxReceipts;
import dev.keysmith.slack.ResponseUrls;
import dev.keysmith.slack.SlackApprovers;
import dev.keysmith.slack.SlackHttpServer;
import dev.keysmith.slack.SlackKeyNotifier;
import dev.keysmith.slack.SlackLinkNotifier;
import dev.keysmith.slack.SlackNotifier;
import dev.keysmith.slack.SlackOffboardNotifier;
import dev.keysmith.slack.SlackOutboxPoster;
import dev.keysmith.slack.SlackPeople;
import dev.keysmith.slack.SlackRoutes;
import dev.keysmith.slack.SlackSecretChannel;
import dev.keysmith.slack.SlackTokens;
import dev.keysmith.slack.SlackWebApi;
import dev.keysmith.slack.SocketModeDispatch;
import dev.keysmith.store.Database;
import dev.keysmith.store.PgBroadcast;
import dev.keysmith.store.SqlAuditTrail;
import dev.keysmith.store.SqlDeliveries;
import dev.keysmith.store.SqlJobStore;
import dev.keysmith.store.SqlLeases;
import dev.keysmith.store.SqlLeaverLog;
import dev.keysmith.store.SqlLinkStore;
import dev.keysmith.store.SqlOffboardStore;
import dev.keysmith.store.SqlOutbox;
import dev.keysmith.store.SqlReminderLog;
import dev.keysmith.store.SqlRequestStore;
import dev.keysmith.store.SqlRotationStore;
import dev.keysmith.store.SqlWipeStore;
import dev.keysmith.store.StoreException;
import dev.keysmith.workflow.CountedAuditTrail;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Keysmith's composition root: {@link #wire} assembles every part with {@code new}; {@link #run}
 * recovers, listens and warms up.
 */
public final class Keysmith implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Keysmith.class);

  /** How long replicas remember a Slack delivery: Slack's last retry of an event comes sooner. */
  static final Duration DELIVERIES_REMEMBERED = Duration.ofHours(1);

  /**
   * What Keysmith runs on besides its settings: the clock, the AWS clients, the worker pool for
   * slow work after acks, whether to run housekeeping (wipes, expiries) on a timer, and how long an
   * edit of a Slack message waits for the next state before it is sent ({@link
   * SqlOutbox#EDIT_SETTLE}; tests that step an injected clock set zero), and the metrics that
   * {@code GET /metrics} serves (the AWS clients' {@link IamCallMeter} counts into them).
   */
  public record Wiring(
      Clock clock,
      AwsClients.Lazy<IamClient> iam,
      AwsClients.Lazy<StsClient> sts,
      ExecutorService workers,
      boolean scheduleHousekeeping,
      Duration slackEditSettle,
      PrometheusMetrics metrics) {

    /** Wiring with metrics of its own, which see no AWS call. */
    public Wiring(
        Clock clock,
        AwsClients.Lazy<IamClient> iam,
        AwsClients.Lazy<StsClient> sts,
        ExecutorService workers,
        boolean scheduleHousekeeping,
        Duration slackEditSettle) {
      this(
          clock, iam, sts, workers, scheduleHousekeeping, slackEditSettle, new PrometheusMetrics());
    }

    /** Wiring with edits settling as in production. */
    public Wiring(
        Clock clock,
        AwsClients.Lazy<IamClient> iam,
        AwsClients.Lazy<StsClient> sts,
        ExecutorService workers,
        boolean scheduleHousekeeping) {
      this(clock, iam, sts, workers, scheduleHousekeeping, SqlOutbox.EDIT_SETTLE);
    }
  }

  /**
   * What {@link #run()} does, in order, as {@link #wire} decided it: warm up what every click needs
   * (tolerating an outage), recover what a stop cut off (a step IAM or Slack holds up is retried by
   * {@code recovery} from the housekeeping), resume the rest in the background once listening, and
   * the timer's housekeeping, and the courier, which the timer wakes when a retry falls due.
   */
  private record Lifecycle(
      Map<String, Runnable> warmUpNow,
      List<Recovery.Step> recover,
      Map<String, Runnable> warmUpAfterListening,
      Runnable housekeeping,
      Recovery recovery,
      Courier courier,
      Replica replica,
      Leases leases,
      Deliveries deliveries,
      AtomicBoolean cutOff) {}

  private final Settings settings;
  private final Wiring wiring;
  private final List<AutoCloseable> closeables;
  private final App app;
  private final Supplier<Health> health;
  private final Lifecycle lifecycle;
  private @Nullable SlackHttpServer httpServer;

  /** Every part, assembled by {@link #wire}; nothing runs until {@link #run()}. */
  private Keysmith(
      Settings settings,
      Wiring wiring,
      List<AutoCloseable> closeables,
      App app,
      Supplier<Health> health,
      Lifecycle lifecycle) {
    this.settings = settings;
    this.wiring = wiring;
    this.closeables = closeables;
    this.app = app;
    this.health = health;
    this.lifecycle = lifecycle;
  }

  /**
   * Assembles Keysmith with {@code new}: the store, the AWS and Slack clients, every workflow and
   * the Bolt app. Nothing is recovered, scheduled or listened to yet; everything made that must be
   * closed is in {@code closeables}, closed in reverse order.
   */
  private static Keysmith wire(
      Settings settings, KeysmithConfig config, Wiring wiring, List<AutoCloseable> closeables) {
    Clock clock = wiring.clock();
    Instant startedAt = clock.instant(); // what changed before this is what a stop cut off
    Recovery recovery = new Recovery(clock);
    ExecutorService workers = wiring.workers();
    closeables.add(wiring.iam());
    closeables.add(wiring.sts());
    Database database = openDatabase(settings, config);
    closeables.add(database);
    // This process among the replicas sharing the database. SQLite's has no other: what the last
    // stop left held was cut off, and is taken up at once.
    Replica replica = Replica.ofThisHost(new SecureRandom());
    boolean soleReplica = database.dialect() == Database.Dialect.SQLITE;
    log.info(
        "this replica is {} ({})",
        replica.id(),
        soleReplica ? "SQLite: the only one" : "PostgreSQL: one of several");
    SqlLeases leases = new SqlLeases(database, clock, replica);
    // Closes after all work has stopped (closeables close last first): at a clean stop, what this
    // replica still holds goes to the others at once; work cut off mid-way keeps its leases, so
    // that nobody takes it up before it has surely stopped.
    AtomicBoolean cutOff = new AtomicBoolean();
    closeables.add(() -> handOver(leases, cutOff));
    // Messages are left in the outbox inside the transaction of their change; the courier is woken
    // once it commits. It is made further down, with the receipts that need the workflows.
    SqlOutbox outboxStore = new SqlOutbox(database, clock, wiring.slackEditSettle(), replica);
    AtomicReference<@Nullable Courier> courierRef = new AtomicReference<>();
    // A committed message also refreshes the Home tabs showing what it is about.
    AtomicReference<@Nullable HomeTab> homeRef = new AtomicReference<>();
    Outbox outbox =
        message -> {
          outboxStore.send(message);
          database.afterCommit(
              () -> {
                Courier c = courierRef.get();
                if (c != null) {
                  c.wake();
                }
                HomeTab home = homeRef.get();
                if (home != null) {
                  home.changed(message);
                }
              });
        };
    PrometheusMetrics metrics = wiring.metrics();
    // With an audit channel, a decision's summary line goes to the outbox with its audit row.
    // Every decision is audited: counted there, once its transaction commits.
    AuditTrail audit =
        new CountedAuditTrail(
            AuditChannel.around(
                new SqlAuditTrail(database), database, outbox, config.auditChannel()),
            database,
            metrics);
    SqlJobStore jobs = new SqlJobStore(database, clock, replica);
    WorkflowContext workflow =
        new WorkflowContext(new Transitions(database, audit, jobs, clock), audit, clock, leases);

    SlackConfig slackConfig = slackConfig(settings);
    Slack slack = Slack.getInstance(slackConfig);
    closeables.add(slack);
    checkTokens(settings, slack);
    closeables.add(
        () -> {
          if (!drain(workers)) {
            cutOff.set(true);
          }
        });
    Liveness slackLiveness = new Liveness(clock);
    SlackWebApi slackApi =
        new SlackWebApi(
            slack.methods(settings.botToken()),
            settings.botToken(),
            slackConfig,
            slackLiveness,
            metrics);
    SlackSecretChannel secrets =
        new SlackSecretChannel(
            slack,
            config.secretVisibleFor(),
            ResponseUrls.allowing(settings.slackApiUrl()),
            metrics);

    Liveness iamLiveness = new Liveness(clock);
    IamGateway iam = new AwsIamGateway(wiring.iam(), wiring.sts(), iamLiveness);
    // What one replica changes in its caches, the others hear within a second.
    Broadcast others = Broadcast.alone();
    if (!soleReplica) {
      PgBroadcast broadcast = new PgBroadcast(database, replica.id());
      closeables.add(broadcast);
      broadcast.start();
      others = broadcast;
    }
    IamDirectory directory =
        new IamDirectory(iam, config.groups(), workers, Ticker.systemTicker(), others);
    SlackApprovers approvers =
        new SlackApprovers(
            slackApi,
            config.approverIds(),
            config.approverGroupId(),
            workers,
            Ticker.systemTicker());
    Policies policies =
        new Policies(
            config.policies(),
            new GroupPolicy.Audience(config.approverIds(), config.approverGroupId()),
            approvers);
    RequestPorts requestPorts =
        new RequestPorts(
            new SqlRequestStore(database),
            policies,
            new SlackNotifier(outbox, config.approvalsChannel(), policies));
    RequestService.Deadlines deadlines =
        new RequestService.Deadlines(
            config.offerLifetime(),
            config.pending().remindApproversAfter(),
            config.pending().expireAfter());
    RequestService requests =
        new RequestService(
            requestPorts,
            workflow,
            new Provisioner(iam, audit, clock, config.iamPath(), config.permissionsBoundaryArn()),
            directory,
            deadlines);
    RequestSubmissions submissions =
        new RequestSubmissions(
            requestPorts, workflow, directory, new RequestIds(new SecureRandom()), deadlines);
    SecretReveal reveal =
        new SecretReveal(new SqlWipeStore(database), secrets, workflow, config.secretVisibleFor());
    CredentialDelivery delivery =
        new CredentialDelivery(
            requestPorts,
            workflow,
            new CredentialMinter(
                iam, directory, new PasswordGenerator(new SecureRandom()), workflow),
            secrets,
            reveal);

    Ownership ownership = new Ownership(iam, directory, approvers);
    SlackKeyNotifier keyNotifier = new SlackKeyNotifier(outbox, config.approvalsChannel());
    RotationContext rotations =
        new RotationContext(
            iam,
            ownership,
            new SqlRotationStore(database),
            keyNotifier,
            config.keyCare(),
            workflow);
    RequestIds rotationIds = new RequestIds("RT-", new SecureRandom());
    RotationApproval rotationApproval = new RotationApproval(rotations, approvers, rotationIds);
    RotationJobs rotationJobs = new RotationJobs(rotations, jobs);
    KeyRotation rotation =
        new KeyRotation(rotations, rotationApproval, rotationJobs, reveal, rotationIds);
    KeyCare keyCare = new KeyCare(iam, ownership, keyNotifier, workflow);
    LinkService links =
        new LinkService(
            new LinkPorts(
                new SqlLinkStore(database),
                approvers,
                new SlackLinkNotifier(outbox, config.approvalsChannel())),
            ownership,
            workflow,
            new RequestIds("LK-", new SecureRandom()),
            config.protectedGroups(),
            // A link request stands as long as an offer of new credentials does.
            config.offerLifetime());
    OffboardService offboarding =
        new OffboardService(
            iam,
            directory,
            new SqlOffboardStore(database),
            new SlackOffboardNotifier(outbox, config.approvalsChannel()),
            approvers::isApprover,
            workflow,
            new RequestIds("OB-", new SecureRandom()));
    Leavers leavers =
        new Leavers(
            iam,
            directory,
            new SlackPeople(slackApi),
            new SqlLeaverLog(database),
            keyNotifier,
            requests,
            jobs,
            workflow);
    Lifetimes lifetimes =
        new Lifetimes(requestPorts.store(), requestPorts.notifier(), iam, offboarding, workflow);
    KeyReminders reminders =
        new KeyReminders(rotations, directory, new SqlReminderLog(database), jobs, metrics);
    Scheduler scheduler =
        new Scheduler(
            jobs,
            clock,
            Map.ofEntries(
                Map.entry(OffboardService.JOB, offboarding.job()),
                Map.entry(Lifetimes.WARN, lifetimes.warnJob()),
                Map.entry(Leavers.DAILY, leavers.dailyJob()),
                Map.entry(Lifetimes.END, lifetimes.endJob()),
                Map.entry(RotationJobs.DEACTIVATE_OLD, rotationJobs.deactivateOldJob()),
                Map.entry(RotationJobs.DELETE_OLD, rotationJobs.deleteOldJob()),
                Map.entry(KeyReminders.DAILY, reminders.dailyJob()),
                Map.entry(LinkService.EXPIRE, links.expireJob()),
                Map.entry(LinkService.APPLY, links.applyJob()),
                Map.entry(RequestService.PROVISION, requests.provisionJob()),
                Map.entry(RequestService.CLEAN_UP, requests.cleanUpJob()),
                Map.entry(RequestService.REMIND, requests.remindJob()),
                Map.entry(RequestService.EXPIRE, requests.expireJob()),
                Map.entry(CredentialDelivery.UNDO_REVEAL, delivery.undoRevealJob())));
    Receipt undelivered = OutboxReceipts.otherwise(outbox, config.approvalsChannel());
    Courier courier =
        new Courier(
            outboxStore,
            new SlackOutboxPoster(slackApi, metrics),
            audit,
            clock,
            OutboxReceipts.byPurpose(requests, rotationApproval, links, undelivered),
            undelivered,
            workers);
    courierRef.set(courier);
    // Slack deliveries other replicas took in; a sole replica's own memory is all there is.
    Deliveries deliveries = soleReplica ? Deliveries.alone() : new SqlDeliveries(database, clock);
    HomeTab home =
        new HomeTab(
            new HomeTab.Sources(requests, keyCare, reminders, approvers),
            slackApi,
            workers,
            config.approvalsChannel());
    homeRef.set(home);
    App app =
        SlackRoutes.register(
            new App(appConfig(settings, slack)),
            new SlackRoutes.RequestFlows(requests, submissions, delivery, reveal, directory),
            new SlackRoutes.KeyFlows(
                keyCare, links, rotation, rotationApproval, rotationJobs, offboarding, leavers),
            new SlackRoutes.Plumbing(slackApi, secrets, workers, deliveries, home),
            config);
    // With several replicas, one may stop at any time: a reveal or a mint it was in the middle of
    // is undone by a live one once its lease runs out, without waiting for a restart (every step
    // skips what a live replica holds). Provisionings, links and offboardings need no sweep: their
    // stored job runs on whichever replica claims it, and comes back while another holds the work.
    Sweep takeOver =
        new Sweep(
            clock,
            replica.leaseTerm().dividedBy(2),
            List.of(
                delivery::recoverInterrupted,
                rotation::recoverInterrupted,
                () -> deliveries.forgetBefore(clock.instant().minus(DELIVERIES_REMEMBERED))));
    Lifecycle lifecycle =
        new Lifecycle(
            Map.of(
                "the approvers' and policies' user groups",
                () -> approvers.warmUp(policies.userGroupIds())),
            List.of(
                // First: the sole replica ends what its last stop held, so the steps after it
                // take that work up now rather than when the stopped process's leases run out.
                soleReplica
                    ? new Recovery.Step(
                        "requeue jobs and end the leases a stop cut off",
                        () -> {
                          jobs.requeueInterrupted();
                          leases.endAll();
                        })
                    : new Recovery.Step(
                        "requeue jobs whose replica stopped",
                        () -> jobs.requeueExpired(clock.instant())),
                new Recovery.Step(
                    "delete the credentials of reveals a stop cut off",
                    delivery::recoverInterrupted),
                new Recovery.Step(
                    "resume requests a stop cut off",
                    () -> workers.execute(requests::resumeInterrupted)),
                new Recovery.Step(
                    "resume links a stop cut off", () -> workers.execute(links::resumeInterrupted)),
                new Recovery.Step(
                    "resume offboardings a stop cut off", offboarding::resumeInterrupted),
                new Recovery.Step(
                    "delete the keys of rotations a stop cut off while minting",
                    rotation::recoverInterrupted),
                new Recovery.Step(
                    "give rotations a stop cut off their next step",
                    () -> rotationJobs.recoverInterrupted(startedAt)),
                new Recovery.Step("schedule the daily key reminders", reminders::schedule),
                new Recovery.Step(
                    "schedule the daily check for people who left", leavers::schedule),
                new Recovery.Step(
                    "deliver the Slack messages a stop left in the outbox", courier::wake)),
            // The first IAM call builds the AWS clients and loads most of the SDK, about a second
            // of class loading on 2 cores: after listening, so start-up does not wait for it.
            Map.of("IAM", directory::warmUp),
            () -> {
              // First what this replica holds, so nothing below takes it for a stopped one's.
              leases.renewAll();
              jobs.requeueExpired(clock.instant());
              if (!soleReplica) {
                takeOver.runIfDue(workers);
              }
              reveal.wipeDue();
              delivery.expireOffers();
              scheduler.runDue();
              courier.deliverDue();
              recovery.retryDue();
            },
            recovery,
            courier,
            replica,
            leases,
            deliveries,
            cutOff);
    Supplier<Health> health =
        Health.check(
            () -> jobs.backlog(clock.instant()),
            () -> outboxStore.backlog(clock.instant()),
            slackLiveness,
            iamLiveness,
            recovery::waitingFor);
    metrics.watchBacklogs(
        () -> jobs.backlog(clock.instant()), () -> outboxStore.backlog(clock.instant()));
    return new Keysmith(settings, wiring, closeables, app, health, lifecycle);
  }

  /**
   * Recovers what a stop cut off (reveals, rotations, jobs, unposted and half-provisioned
   * requests), schedules the daily run, then listens for Slack; IAM warms up after that.
   */
  private void run() throws Exception {
    lifecycle.warmUpNow().forEach(Keysmith::warmUp);
    Recovery recovery = lifecycle.recovery();
    recovery.runAtStart(lifecycle.recover());
    if (!recovery.waitingFor().isEmpty()) {
      log.warn("Keysmith starts while it waits to: {}", String.join("; ", recovery.waitingFor()));
    }
    if (wiring.scheduleHousekeeping()) {
      ScheduledExecutorService timer =
          Executors.newSingleThreadScheduledExecutor(threadsNamed("keysmith-timer"));
      closeables.add(
          () -> {
            if (!stopTimer(timer)) {
              lifecycle.cutOff().set(true);
            }
          });
      lifecycle.courier().wakeWith(timer);
      // housekeepingSafely catches everything, so the future never holds a failure to read.
      var unused = timer.scheduleWithFixedDelay(this::housekeepingSafely, 5, 5, TimeUnit.SECONDS);
      // Renewing leases has a thread of its own: a long job on the timer must not let them lapse.
      ScheduledExecutorService heartbeat =
          Executors.newSingleThreadScheduledExecutor(threadsNamed("keysmith-lease"));
      closeables.add(heartbeat::shutdownNow);
      long every = lifecycle.replica().renewEvery().toMillis();
      var unusedRenewal =
          heartbeat.scheduleWithFixedDelay(this::renewSafely, every, every, TimeUnit.MILLISECONDS);
    }
    PrometheusMetrics metrics = wiring.metrics();
    MetricsEndpoint metricsEndpoint =
        new MetricsEndpoint(
            metrics::scrape, PrometheusMetrics.CONTENT_TYPE, settings.metricsToken());
    SlackHttpServer.Limits limits =
        SlackHttpServer.Limits.DEFAULT.withCaps(
            settings.maxConnections(), settings.maxConnectionsPerAddress());
    InetSocketAddress bind = new InetSocketAddress(settings.port());
    if (settings.socketMode()) {
      // No HTTP from Slack; the port serves operators: the health check and the metrics.
      SlackHttpServer server =
          SlackHttpServer.operationsOnly(bind, health, metricsEndpoint, limits);
      httpServer = server;
      closeables.add(server);
      server.start();
      SocketModeApp socket =
          SocketModeDispatch.socketModeApp(
              settings.appToken().orElseThrow(), app, lifecycle.deliveries(), metrics);
      closeables.add(socket::stop);
      socket.startAsync();
      // Bolt logs a failed websocket handshake and keeps retrying; say which happened.
      if (socket.getClient().verifyConnection()) {
        log.info(
            "Keysmith started in Socket Mode: connected to Slack; port {} serves GET /health and"
                + " GET /metrics",
            server.port());
      } else {
        log.warn(
            "Keysmith started in Socket Mode, but its connection to Slack is not open yet; it"
                + " retries every 10 s (see the errors above: a proxy or firewall that blocks"
                + " websockets to wss-primary.slack.com?)");
      }
    } else {
      ExecutorService http = Executors.newFixedThreadPool(16, threadsNamed("keysmith-http"));
      closeables.add(http::shutdown);
      SlackHttpServer server =
          SlackHttpServer.forSlack(app, bind, http, health, limits, metricsEndpoint, metrics);
      httpServer = server;
      closeables.add(server);
      server.start();
      log.info(
          "Keysmith listening on port {} (POST /slack/events, GET /health, GET /metrics)",
          server.port());
    }
    lifecycle
        .warmUpAfterListening()
        .forEach((what, warmUp) -> wiring.workers().execute(() -> warmUp(what, warmUp)));
  }

  /**
   * Steps run at most once per {@code every}, on the workers, one after another; a step that fails
   * (IAM or Slack out) is logged and tried again at the next sweep.
   */
  private static final class Sweep {
    private final Clock clock;
    private final Duration every;
    private final List<Runnable> steps;
    private final AtomicReference<Instant> next = new AtomicReference<>(Instant.MIN);

    Sweep(Clock clock, Duration every, List<Runnable> steps) {
      this.clock = clock;
      this.every = every;
      this.steps = List.copyOf(steps);
    }

    void runIfDue(ExecutorService workers) {
      Instant now = clock.instant();
      Instant due = next.get();
      if (now.isBefore(due) || !next.compareAndSet(due, now.plus(every))) {
        return;
      }
      workers.execute(
          () -> {
            for (Runnable step : steps) {
              try {
                step.run();
              } catch (RuntimeException e) {
                log.warn("taking up the work of a stopped replica failed: {}", e.toString());
              }
            }
          });
    }
  }

  /** Loads a cache ahead of the first click; an outage now only means the first click waits. */
  private static void warmUp(String what, Runnable warmUp) {
    try {
      warmUp.run();
    } catch (KeysmithException e) {
      log.warn("Could not reach {} yet, will retry on first use: {}", what, e.getMessage());
    }
  }

  /**
   * Tries the Slack tokens before Bolt does (its own check says "the token is invalid" for a
   * network failure as for a refused token): a refused token stops the start naming its variable, a
   * Slack that cannot be reached stops it saying so.
   */
  private static void checkTokens(Settings settings, Slack slack) {
    SlackTokens.Answer bot = SlackTokens.botToken(slack, settings.botToken());
    if (!(bot instanceof SlackTokens.Taken)) {
      throw new CannotStart(bot);
    }
    log.info("Slack: {}", bot.words());
    Optional<String> appToken = settings.appToken();
    if (appToken.isPresent()) {
      SlackTokens.Answer app = SlackTokens.appToken(slack, appToken.get());
      if (!(app instanceof SlackTokens.Taken)) {
        throw new CannotStart(app);
      }
    }
  }

  /**
   * A start that cannot go on, in words for the person starting it; {@link #exitCode} is 2 when a
   * setting is wrong, 1 when something it needs cannot be reached.
   */
  static final class CannotStart extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CannotStart(SlackTokens.Answer answer) {
      this(answer.words(), answer instanceof SlackTokens.Refused ? 2 : 1);
    }

    CannotStart(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }

  /** Wires and starts Keysmith with explicit wiring (tests and benchmarks pass their own). */
  public static Keysmith start(Settings settings, KeysmithConfig config, Wiring wiring)
      throws Exception {
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      Keysmith keysmith = wire(settings, config, wiring, closeables);
      keysmith.run();
      return keysmith;
    } catch (Exception | Error e) {
      closeAll(closeables);
      throw e;
    }
  }

  /**
   * The HTTP port: Slack's events, the health check and the metrics in HTTP mode, the last two only
   * in Socket Mode.
   */
  public int port() {
    if (httpServer == null) {
      throw new IllegalStateException("Keysmith is not listening yet");
    }
    return httpServer.port();
  }

  /**
   * Wipes secrets whose time is up, expires unrevealed offers and runs due jobs (rotations'
   * deactivations and deletions); the timer calls it.
   */
  public void housekeeping() {
    lifecycle.housekeeping().run();
  }

  private void renewSafely() {
    try {
      lifecycle.leases().renewAll();
    } catch (RuntimeException e) {
      log.error("renewing this replica's leases failed: {}", e.toString());
    }
  }

  private void housekeepingSafely() {
    try {
      housekeeping();
    } catch (RuntimeException e) {
      log.error("housekeeping failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    closeAll(closeables);
  }

  /**
   * Lets work already started after an ack finish, so no state change is cut in half; false when
   * some had to be stopped.
   */
  private static boolean drain(ExecutorService workers) throws InterruptedException {
    workers.shutdown();
    if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
      log.warn("background work still running at shutdown; stopping it");
      workers.shutdownNow();
      return false;
    }
    return true;
  }

  /** Stops the housekeeping timer; false when its run did not end in time. */
  private static boolean stopTimer(ExecutorService timer) throws InterruptedException {
    timer.shutdownNow();
    if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
      log.warn("housekeeping still running at shutdown");
      return false;
    }
    return true;
  }

  private static void handOver(Leases leases, AtomicBoolean cutOff) {
    if (cutOff.get()) {
      log.warn("work was cut off at stop; what it held is taken up once its leases run out");
      return;
    }
    int handed = leases.handOver();
    if (handed > 0) {
      log.info("handed {} leases and claims over to the other replicas", handed);
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        log.warn("while closing: {}", e.toString());
      }
    }
    closeables.clear();
  }

  static AppConfig appConfig(Settings settings, Slack slack) {
    AppConfig.AppConfigBuilder config =
        AppConfig.builder()
            .singleTeamBotToken(settings.botToken())
            .slack(slack)
            // Bolt checks the token with auth.test at start, then again on the request thread of
            // the first request after its cache expires (10 minutes by default): a Slack call
            // before the ack. A revoked token still fails every Web API call and shows in the log.
            .authTestCacheExpirationMillis(-1L);
    settings.signingSecret().ifPresent(config::signingSecret);
    return config.build();
  }

  /** How long one Slack Web API or response_url call may wait for an answer. */
  static final int SLACK_READ_TIMEOUT_MILLIS = 5_000;

  /** How long one Slack call may take in all, connecting included. */
  static final int SLACK_CALL_TIMEOUT_MILLIS = 10_000;

  /** The Slack client config of the bot: {@code SLACK_API_URL}, timeouts, no body logging. */
  public static SlackConfig slackConfig(Settings settings) {
    SlackConfig config = new SlackConfig();
    settings.slackApiUrl().ifPresent(config::setMethodsEndpointUrlPrefix);
    // The SDK's default listeners log request bodies at DEBUG; a body can hold a secret.
    config.getHttpClientResponseHandlers().clear();
    // Its per-method call counters are unused, and cost threads and an auth.test per token.
    config.setStatsEnabled(false);
    // Without these, a Slack that stops answering holds a thread for OkHttp's 10 s defaults per
    // phase; the outbox retries whatever times out, and an ack never waits on these calls.
    config.setHttpClientReadTimeoutMillis(SLACK_READ_TIMEOUT_MILLIS);
    config.setHttpClientWriteTimeoutMillis(SLACK_READ_TIMEOUT_MILLIS);
    config.setHttpClientCallTimeoutMillis(SLACK_CALL_TIMEOUT_MILLIS);
    return config;
  }

  /**
   * Threads named {@code prefix-1}, {@code prefix-2}, …, so logs, thread dumps and per-thread CPU
   * accounts say what each thread is for: Slack requests up to their ack ({@code keysmith-http}),
   * the work after an ack ({@code keysmith-work}), housekeeping ({@code keysmith-timer}).
   */
  public static ThreadFactory threadsNamed(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return work -> new Thread(work, prefix + "-" + count.incrementAndGet());
  }

  /**
   * Opens and migrates the database: the PostgreSQL server of {@code database.url}, else SQLite in
   * the data directory.
   */
  static Database openDatabase(Settings settings, KeysmithConfig config) {
    return openDatabase(settings, config, settings.startFresh());
  }

  private static Database openDatabase(
      Settings settings, KeysmithConfig config, boolean startFresh) {
    return config
        .database()
        .map(
            server ->
                Database.connect(
                    new Database.Server(
                        server.url(),
                        settings.databaseLogin().requireUser(),
                        settings.databaseLogin().password(),
                        server.poolSize())))
        .orElseGet(() -> Database.open(config.dataDir(), startFresh));
  }

  /**
   * Runs Keysmith as {@code args} ask: with none, the bot, until the process is stopped; else
   * {@code --help}, {@code --version}, {@code check} or {@code audit}.
   */
  public static void main(String[] args) {
    OptionalInt exitCode = command(List.of(args), System.getenv(), System.out, System.err);
    if (exitCode.isPresent()) {
      System.exit(exitCode.getAsInt());
    }
  }

  /**
   * Does what {@code args} ask and returns the exit code, or nothing while the bot runs on: 0 for
   * help, the version and a check that passed, 1 for a failed check or start, 2 for arguments or
   * settings it cannot use.
   */
  static OptionalInt command(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    CommandLine.Command command;
    try {
      command = CommandLine.parse(args);
    } catch (CommandLine.Mistake e) {
      err.println("keysmith: " + e.getMessage() + "; try --help");
      return OptionalInt.of(2);
    }
    return switch (command) {
      case HELP -> {
        out.print(CommandLine.usage());
        yield OptionalInt.of(0);
      }
      case VERSION -> {
        out.println(CommandLine.version(Keysmith.class.getPackage().getImplementationVersion()));
        yield OptionalInt.of(0);
      }
      case CHECK -> OptionalInt.of(check(env, out));
      case AUDIT -> OptionalInt.of(audit(args.subList(1, args.size()), env, out, err));
      case RUN -> runBot(env);
    };
  }

  /** {@code keysmith audit ...} on the database the bot's configuration names. */
  private static int audit(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    // An export to standard output must hold only events.
    Logs.toStandardError();
    return new AuditCommand(
            (settings, config) -> {
              // Only reads: never makes an empty database, nor moves one aside.
              if (config.database().isEmpty() && !Database.existsIn(config.dataDir())) {
                throw new StoreException(
                    "no database in " + config.dataDir() + " (dataDir of the config file)");
              }
              return openDatabase(settings, config, /* startFresh= */ false);
            },
            Clock.systemUTC())
        .run(args, env, out, err);
  }

  /** {@code keysmith check} with the clients the bot itself would use. */
  private static int check(Map<String, String> env, PrintStream out) {
    try (AwsClients.Lazy<StsClient> sts = AwsClients.lazily(AwsClients::sts);
        AwsClients.Lazy<IamClient> iam = AwsClients.lazily(AwsClients::iam)) {
      return new SetupCheck(checkProbes(sts, iam)).run(env, out);
    }
  }

  /**
   * What {@code keysmith check} talks to: Slack and the database as the bot reaches them, AWS
   * through {@code sts} and {@code iam} (tests pass an emulator's).
   */
  public static SetupCheck.Probes checkProbes(Supplier<StsClient> sts, Supplier<IamClient> iam) {
    return new SetupCheck.Probes(
        settings -> Slack.getInstance(slackConfig(settings)), sts, iam, Keysmith::openDatabase);
  }

  /** Starts the bot from {@code env}; an exit code when it cannot start. */
  private static OptionalInt runBot(Map<String, String> env) {
    Settings settings;
    KeysmithConfig config;
    try {
      settings = Settings.fromEnv(env);
      config = ConfigLoader.load(settings.configPath());
      if (config.database().isPresent()) {
        var unused = settings.databaseLogin().requireUser();
      }
    } catch (ConfigException e) {
      log.error("Keysmith cannot start: {}", e.getMessage());
      return OptionalInt.of(2);
    }
    log.info(
        "{} starting in {}; config {}; data in {}",
        CommandLine.version(Keysmith.class.getPackage().getImplementationVersion()),
        settings.socketMode() ? "Socket Mode" : "HTTP mode",
        settings.configPath().toAbsolutePath().normalize(),
        config
            .database()
            .map(server -> "PostgreSQL " + server.url())
            .orElseGet(() -> "SQLite in " + config.dataDir().toAbsolutePath().normalize()));
    // Looking for AWS credentials loads part of the SDK: done beside the start, not before it.
    CompletableFuture<Optional<String>> credentials =
        CompletableFuture.supplyAsync(AwsClients::missingCredentials);
    Keysmith keysmith;
    try {
      PrometheusMetrics metrics = new PrometheusMetrics();
      List<MetricPublisher> meter = List.of(new IamCallMeter(metrics));
      keysmith =
          start(
              settings,
              config,
              new Wiring(
                  Clock.systemUTC(),
                  AwsClients.lazily(() -> AwsClients.iam(meter)),
                  AwsClients.lazily(() -> AwsClients.sts(meter)),
                  Executors.newFixedThreadPool(8, threadsNamed("keysmith-work")),
                  /* scheduleHousekeeping= */ true,
                  SqlOutbox.EDIT_SETTLE,
                  metrics));
    } catch (CannotStart e) {
      log.error("Keysmith cannot start: {}", e.getMessage());
      return OptionalInt.of(e.exitCode());
    } catch (Exception e) {
      log.error("Keysmith cannot start: {}", e.toString());
      return OptionalInt.of(1);
    }
    Optional<String> noCredentials = credentials.join();
    if (noCredentials.isPresent()) {
      // Nothing Keysmith does works without them; people would see the SDK's words instead.
      keysmith.close();
      log.error("Keysmith cannot start: {}", noCredentials.get());
      return OptionalInt.of(2);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(keysmith::close, "keysmith-shutdown"));
    return OptionalInt.empty();
  }
}
