package dev.keysmith.delivery;

import static dev.keysmith.audit.AuditEvent.SYSTEM;

import dev.keysmith.audit.AuditAction;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Refusal.Reason;
import dev.keysmith.workflow.Transitions;
import dev.keysmith.workflow.WorkflowContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time showing of a secret: into the owner's ephemeral message, then wiped after a while or
 * at once on Hide. Shared by new users' credentials and rotated keys.
 */
public final class SecretReveal {
  private static final Logger log = LoggerFactory.getLogger(SecretReveal.class);

  private final WipeStore wipes;
  private final SecretChannel channel;
  private final Transitions transitions;
  private final Clock clock;
  private final Duration visibleFor;

  public SecretReveal(
      WipeStore wipes, SecretChannel channel, WorkflowContext context, Duration visibleFor) {
    this.wipes = wipes;
    this.channel = channel;
    this.transitions = context.transitions();
    this.clock = context.clock();
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

  /**
   * The owner clicked Hide: wipe at once. With no wipe pending (a second click, or a forged one)
   * the clicked message is still replaced, but there is nothing to forget or audit.
   */
  public void hide(String subject, String actor, String responseUrl) {
    Optional<WipeStore.Wipe> pending = wipes.find(subject);
    if (pending.isPresent() && !pending.get().ownerId().equals(actor)) {
      throw new Refusal(Reason.NOT_SECRET_OWNER);
    }
    channel.wipe(responseUrl);
    if (pending.isPresent()) {
      forget(subject, actor, AuditAction.DELIVERY_HIDDEN);
    }
  }

  /** Wipes every secret whose time on screen is up. */
  public void wipeDue() {
    Instant now = clock.instant();
    for (WipeStore.Wipe w : wipes.due(now)) {
      AuditAction outcome = AuditAction.DELIVERY_WIPED;
      try {
        channel.wipe(w.responseUrl());
      } catch (RuntimeException e) {
        log.warn("{}: could not wipe: {}", w.subject(), e.getClass().getSimpleName());
        if (now.isBefore(responseUrlExpiry(w))) {
          continue; // a passing Slack failure: try again at the next round
        }
        outcome = AuditAction.DELIVERY_WIPE_FAILED;
      }
      forget(w.subject(), SYSTEM, outcome);
    }
  }

  /** Forgets the wipe of {@code subject}, done or given up, and audits why, together. */
  private void forget(String subject, String actor, AuditAction outcome) {
    transitions
        .change(
            subject,
            () -> {
              wipes.remove(subject);
              return true;
            })
        .audited(actor, outcome)
        .commitOrThrow();
  }

  /** Slack honours a response_url for 30 minutes from the click that made it. */
  private Instant responseUrlExpiry(WipeStore.Wipe w) {
    return w.due().minus(visibleFor).plus(Duration.ofMinutes(30));
  }
}
