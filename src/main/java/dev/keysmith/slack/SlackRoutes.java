package dev.keysmith.slack;

import com.slack.api.bolt.App;
import dev.keysmith.delivery.CredentialDelivery;
import dev.keysmith.delivery.SecretChannel;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.RequestService;
import java.util.concurrent.Executor;

/** Registers every Keysmith listener on a Bolt {@link App}. */
public final class SlackRoutes {
  private SlackRoutes() {}

  /** Registers the listeners; slow work runs on {@code executor} after each ack. */
  public static App register(
      App app,
      RequestService requests,
      CredentialDelivery delivery,
      IamDirectory directory,
      SecretChannel replies,
      Executor executor) {
    Later later = new Later(executor, replies);
    new IamCommand(directory, later).register(app);
    new CreateUserSubmission(requests, directory, later).register(app);
    new DecisionActions(requests, later).register(app);
    new RevealActions(delivery, later).register(app);
    return app;
  }
}
