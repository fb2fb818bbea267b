package dev.keysmith.slack;

import com.slack.api.bolt.App;
import dev.keysmith.config.KeysmithConfig;
import dev.keysmith.delivery.CredentialDelivery;
import dev.keysmith.delivery.SecretReveal;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.RequestService;
import dev.keysmith.rotation.KeyCare;
import dev.keysmith.rotation.KeyRotation;
import dev.keysmith.rotation.Ownership;
import java.util.concurrent.Executor;

/** Registers every Keysmith listener on a Bolt {@link App}. */
public final class SlackRoutes {
  private SlackRoutes() {}

  /** Registers the listeners; slow work runs on {@code executor} after each ack. */
  public static App register(
      App app,
      RequestService requests,
      CredentialDelivery delivery,
      SecretReveal reveal,
      IamDirectory directory,
      KeyCare keyCare,
      Ownership ownership,
      KeyRotation rotation,
      KeysmithConfig config,
      SlackSecretChannel replies,
      SlackWebApi slack,
      Executor executor) {
    Later later = new Later(executor, replies);
    KeyCommands keys = new KeyCommands(keyCare, ownership, replies, later);
    keys.register(app);
    RotationActions rotations =
        new RotationActions(
            rotation,
            replies,
            later,
            config.keyCare().rotationGracePeriod(),
            config.keyCare().deleteAfterDeactivation(),
            config.secretVisibleFor());
    rotations.register(app);
    new IamCommand(directory, keys, rotations, slack, later).register(app);
    new CreateUserSubmission(requests, directory, later).register(app);
    new DecisionActions(requests, slack, later).register(app);
    new RevealActions(delivery, reveal, later).register(app);
    return app;
  }
}
