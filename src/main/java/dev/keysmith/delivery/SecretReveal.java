package dev.keysmith.delivery;

import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Refusal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time showing of a secret: into the owner's ephemeral message, then wiped after a while or
 * at once on Hide. Shared by new users' credentials and rotated keys.
 */
public final class SecretReveal {
  private static final Logger log = LoggerFactory.getLogger(SecretReveal.class);
  static final String WIPED_NOTICE =
      "The credentials were hidden. Keysmith never shows a secret twice; if you did not save"
          + " them, rotate the access key.";

  private final WipeStore wipes;
  private final SecretChannel channel;
  private final AuditTrail audit;
  private final Clock clock;
  private final Duration visibleFor;

  public SecretReveal(
      WipeStore wipes, SecretChannel channel, AuditTrail audit, Clock clock, Duration visibleFor) {
    this.wipes = wipes;
    this.channel = channel;
    this.audit = audit;
    this.clock = clock;
    this.visibleFor = visibleFor;
  }

  /**
   * Shows {@code credentials} to {@code ownerId} through the response_url of their click on an
   * ephemeral message, and schedules the wipe; returns when it will be wiped.
   */
  public Instant show(String subject, String ownerId, String responseUrl, Credentials credentials) {
    Instant wipeAt = clock.instant().plus(visibleFor);
    channel.show(responseUrl, subject, credentials, wipeAt);
    wipes.schedule(new WipeStore.Wipe(subject, ownerId, responseUrl, wipeAt));
    return wipeAt;
  }

  /** The owner clicked Hide: wipe at once. */
  public void hide(String subject, String actor, String responseUrl) {
    wipes
        .find(subject)
        .filter(w -> !w.ownerId().equals(actor))
        .ifPresent(
            w -> {
              throw new Refusal("Only the owner can hide these credentials.");
            });
    channel.wipe(responseUrl, WIPED_NOTICE);
    wipes.remove(subject);
    audit.record(clock.instant(), subject, actor, "delivery.hidden", Map.of());
  }

  /** Wipes every secret whose time on screen is up. */
  public void wipeDue() {
    Instant now = clock.instant();
    for (WipeStore.Wipe w : wipes.due(now)) {
      try {
        channel.wipe(w.responseUrl(), WIPED_NOTICE);
        audit.record(now, w.subject(), "keysmith", "delivery.wiped", Map.of());
      } catch (RuntimeException e) {
        log.warn("{}: could not wipe: {}", w.subject(), e.getClass().getSimpleName());
        if (now.isBefore(responseUrlExpiry(w))) {
          continue; // a passing Slack failure: try again at the next round
        }
        audit.record(now, w.subject(), "keysmith", "delivery.wipe-failed", Map.of());
      }
      wipes.remove(w.subject());
    }
  }

  /** Slack honours a response_url for 30 minutes from the click that made it. */
  private Instant responseUrlExpiry(WipeStore.Wipe w) {
    return w.due().minus(visibleFor).plus(Duration.ofMinutes(30));
  }
}
