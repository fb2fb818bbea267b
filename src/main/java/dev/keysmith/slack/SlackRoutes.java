package dev.keysmith.slack;

import com.slack.api.bolt.App;
import com.slack.api.model.User;
import com.slack.api.model.event.AppHomeOpenedEvent;
import com.slack.api.model.event.UserChangeEvent;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.core.Deliveries;
import dev.keysmith.core.SlackIds;
import dev.keysmith.delivery.CredentialDelivery;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.offboard.OffboardService;
import dev.keysmith.request.RequestService;
import dev.keysmith.request.RequestSubmissions;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.Leavers;
import dev.keysmith.rotation.LinkService;
import dev.keysmith.rotation.RotationApproval;
import dev.keysmith.rotation.RotationJobs;
import java.util.concurrent.Executor;

/** Registers every Keysmith listener on a Bolt {@link App}. */
public final class SlackRoutes {
  private SlackRoutes() {}

  /** The workflows of a new IAM user: the request, its decision, the one-time reveal. */
  public record RequestFlows(
      RequestService requests,
      RequestSubmissions submissions,
      CredentialDelivery delivery,
      SecretReveal reveal,
      IamDirectory directory) {}

  /**
   * The workflows of keys and users people already have: listing, linking, rotating, deactivating,
   * deleting.
   */
  public record KeyFlows(
      KeyCare care,
      LinkService links,
      KeyRotation rotation,
      RotationApproval approval,
      RotationJobs jobs,
      OffboardService offboarding,
      Leavers leavers) {}

  /**
   * How listeners talk back to Slack, where their slow work runs after the ack, and what Slack
   * deliveries other replicas took in.
   */
  public record Plumbing(
      SlackWebApi api,
      SlackSecretChannel replies,
      Executor executor,
      Deliveries deliveries,
      HomeTab home) {}

  /** Registers the listeners; slow work runs on the plumbing's executor after each ack. */
  public static App register(
      App app, RequestFlows requests, KeyFlows keys, Plumbing plumbing, KeysmithConfig config) {
    app.use(new RoutingIds());
    app.use(new EventRetries(plumbing.deliveries()));
    Later later = new Later(plumbing.executor(), plumbing.replies());
    HomeTab home = plumbing.home();
    Clicks clicks = new Clicks(plumbing.replies(), later, home);
    KeyCommands keyCommands = new KeyCommands(keys.care(), plumbing.replies(), clicks, later);
    keyCommands.register(app);
    LinkActions links = new LinkActions(keys.links(), plumbing.replies(), clicks, later);
    links.register(app);
    RotationActions rotations =
        new RotationActions(keys, plumbing.replies(), plumbing.api(), clicks, later, config);
    rotations.register(app);
    OffboardActions offboarding =
        new OffboardActions(keys.offboarding(), plumbing.replies(), clicks, later);
    offboarding.register(app);
    new IamCommand(
            requests.directory(),
            requests.requests().policies(),
            keyCommands,
            links,
            rotations,
            offboarding,
            plumbing.api(),
            plumbing.replies(),
            later)
        .register(app);
    new CreateUserSubmission(
            requests.requests(), requests.submissions(), requests.directory(), later)
        .register(app);
    new ExtendActions(requests.requests(), requests.submissions(), plumbing.api(), clicks, later)
        .register(app);
    new ReassignActions(keys.links(), plumbing.replies(), clicks).register(app);
    // A deactivated account: its owner's users are shut off at once, not at the daily check.
    app.event(
        UserChangeEvent.class,
        (payload, ctx) -> {
          User changed = payload.getEvent() == null ? null : payload.getEvent().getUser();
          if (changed != null && changed.isDeleted() && SlackIds.isUserId(changed.getId())) {
            String id = changed.getId();
            later.run("user_change", id, null, () -> keys.leavers().left(id));
          }
          return ctx.ack();
        });
    // The Home tab: rendered after the ack, on the worker pool (it reads IAM). The Messages tab
    // opens with this event too, and needs nothing.
    app.event(
        AppHomeOpenedEvent.class,
        (payload, ctx) -> {
          AppHomeOpenedEvent opened = payload.getEvent();
          if (opened != null
              && "home".equals(opened.getTab())
              && SlackIds.isUserId(opened.getUser())) {
            String id = opened.getUser();
            later.run("app_home_opened", id, null, () -> home.opened(id));
          }
          return ctx.ack();
        });
    for (String pager : new String[] {Ids.ACTION_HOME_PREVIOUS, Ids.ACTION_HOME_NEXT}) {
      app.blockAction(
          pager,
          (req, ctx) ->
              clicks.onHome(
                  req,
                  ctx,
                  "home-page",
                  Untrusted::homePage,
                  (page, actor) -> {
                    home.page(actor, page);
                    return null;
                  }));
    }
    new DecisionActions(requests.requests(), plumbing.api(), plumbing.replies(), clicks, later)
        .register(app);
    new RevealActions(requests.delivery(), requests.reveal(), clicks).register(app);
    return app;
  }
}
