package dev.keysmith.delivery;

import dev.keysmith.audit.AuditTrail;
import dev.keysmith.core.Refusal;
import dev.keysmith.core.Secret;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.iam.IamException;
import dev.keysmith.iam.IamGateway;
import dev.keysmith.iam.PasswordGenerator;
import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestStore;
import dev.keysmith.request.RequestTransitions;
import dev.keysmith.request.RequestWorkflow;
import dev.keysmith.workflow.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an owner their new credentials once. They are minted only when the owner clicks to see
 * them, shown ephemerally, and wiped after a while or on Hide; nothing secret is kept anywhere.
 */
public final class CredentialDelivery {
  private static final Logger log = LoggerFactory.getLogger(CredentialDelivery.class);

  private final RequestStore store;
  private final RequestTransitions transitions;
  private final AuditTrail audit;
  private final IamGateway iam;
  private final IamDirectory directory;
  private final PasswordGenerator passwords;
  private final SecretChannel channel;
  private final SecretReveal reveal;
  private final Notifier notifier;
  private final Clock clock;

  public CredentialDelivery(
      RequestStore store,
      Transactions transactions,
      AuditTrail audit,
      IamGateway iam,
      IamDirectory directory,
      PasswordGenerator passwords,
      SecretChannel channel,
      SecretReveal reveal,
      Notifier notifier,
      Clock clock) {
    this.store = store;
    this.transitions = new RequestTransitions(store, transactions, audit, clock);
    this.audit = audit;
    this.iam = iam;
    this.directory = directory;
    this.passwords = passwords;
    this.channel = channel;
    this.notifier = notifier;
    this.reveal = reveal;
    this.clock = clock;
  }

  /** The owner opened the offer (in the DM): show, ephemerally, the button that reveals. */
  public void offer(String requestId, String actor, String responseUrl) {
    AccessRequest r = find(requestId);
    RequestWorkflow.checkRevealable(r, actor, clock.instant());
    channel.offerReveal(responseUrl, r);
    record(r, actor, "delivery.offered", Map.of());
  }

  /**
   * The owner clicked Reveal on the ephemeral message: mint, show through its {@code responseUrl},
   * and schedule the wipe. Refuses everyone else and every later click.
   */
  public void reveal(String requestId, String actor, String responseUrl) {
    AccessRequest r = find(requestId);
    Instant now = clock.instant();
    if (r.state() == RequestState.PROVISIONED && RequestWorkflow.isOfferExpired(r, now)) {
      expire(r);
    }
    AccessRequest revealing = RequestWorkflow.startReveal(r, actor, now);
    if (!store.compareAndSet(RequestState.PROVISIONED, revealing)) {
      RequestWorkflow.checkRevealable(find(requestId), actor, now);
      throw new Refusal("These credentials are being revealed right now.");
    }
    Credentials credentials;
    try {
      credentials = mint(revealing);
    } catch (IamException e) {
      undo(revealing, actor, "mint failed: " + e.errorCode());
      throw new Refusal("IAM could not create the credentials: " + e.getMessage() + " Try again.");
    }
    Instant wipeAt;
    try {
      wipeAt = reveal.show(r.id(), r.ownerId(), responseUrl, credentials);
    } catch (RuntimeException e) {
      log.warn("request {}: could not show credentials: {}", r.id(), e.getClass().getSimpleName());
      undo(revealing, actor, "show failed");
      throw new Refusal("Slack did not take the message with your credentials. Try again.");
    }
    AccessRequest revealed = RequestWorkflow.revealed(revealing, clock.instant());
    Map<String, String> details = new LinkedHashMap<>();
    credentials.accessKeyId().ifPresent(id -> details.put("accessKeyId", id));
    details.put("consolePassword", credentials.password().isPresent() ? "created" : "none");
    details.put("wipeAt", wipeAt.toString());
    transitions.move(RequestState.REVEALING, revealed, actor, "delivery.revealed", details);
    Notifier.bestEffort(revealed.id(), () -> notifier.updateApproval(revealed));
    Notifier.bestEffort(revealed.id(), () -> notifier.offerClosed(revealed));
  }

  /** Ends offers nobody revealed in time, and tells their owners. */
  public void expireOffers() {
    Instant now = clock.instant();
    for (AccessRequest r : store.findByState(RequestState.PROVISIONED)) {
      if (RequestWorkflow.isOfferExpired(r, now)) {
        expire(r);
      }
    }
  }

  /**
   * After a restart: credentials minted but maybe never shown are deleted, and the offer stands
   * again. Keysmith users have no other keys or password before their first reveal.
   */
  public void recoverInterrupted() {
    for (AccessRequest r : store.findByState(RequestState.REVEALING)) {
      log.info("request {}: deleting credentials of a reveal a restart interrupted", r.id());
      undo(r, "keysmith", "interrupted by restart");
      Notifier.bestEffort(
          r.id(),
          () -> {
            Notifier.MessageRef offer = notifier.revealInterrupted(r);
            store
                .find(r.id())
                .ifPresent(
                    now ->
                        store.compareAndSet(
                            RequestState.PROVISIONED,
                            now.withOfferMessage(offer.channel(), offer.ts())));
          });
    }
  }

  private void expire(AccessRequest r) {
    AccessRequest expired = RequestWorkflow.expire(r, clock.instant());
    if (transitions.move(
        RequestState.PROVISIONED, expired, "keysmith", "delivery.expired", Map.of())) {
      Notifier.bestEffort(expired.id(), () -> notifier.offerExpired(expired));
      Notifier.bestEffort(expired.id(), () -> notifier.updateApproval(expired));
      Notifier.bestEffort(expired.id(), () -> notifier.offerClosed(expired));
    }
  }

  private Credentials mint(AccessRequest r) {
    Optional<String> keyId = Optional.empty();
    Optional<Secret> secret = Optional.empty();
    Optional<String> url = Optional.empty();
    Optional<Secret> password = Optional.empty();
    if (r.accessType().programmatic()) {
      IamGateway.NewAccessKey key = iam.createAccessKey(r.iamUserName());
      record(r, "keysmith", "iam.CreateAccessKey", Map.of("accessKeyId", key.accessKeyId()));
      keyId = Optional.of(key.accessKeyId());
      secret = Optional.of(key.secretAccessKey());
    }
    if (r.accessType().console()) {
      Secret generated = passwords.generate(directory.passwordPolicy());
      iam.createLoginProfile(r.iamUserName(), generated, /* passwordResetRequired= */ true);
      record(r, "keysmith", "iam.CreateLoginProfile", Map.of("passwordResetRequired", "true"));
      url = Optional.of(directory.consoleSignInUrl());
      password = Optional.of(generated);
    }
    return new Credentials(r.iamUserName(), keyId, secret, url, password);
  }

  private void undo(AccessRequest revealing, String actor, String why) {
    try {
      for (IamGateway.AccessKeyInfo key : iam.listAccessKeys(revealing.iamUserName())) {
        iam.deleteAccessKey(revealing.iamUserName(), key.accessKeyId());
        record(
            revealing, "keysmith", "iam.DeleteAccessKey", Map.of("accessKeyId", key.accessKeyId()));
      }
      if (revealing.accessType().console()) {
        iam.deleteLoginProfile(revealing.iamUserName());
        record(revealing, "keysmith", "iam.DeleteLoginProfile", Map.of());
      }
    } catch (IamException e) {
      log.error(
          "request {}: could not delete unseen credentials: {}", revealing.id(), e.getMessage());
      record(revealing, "keysmith", "delivery.undo-failed", Map.of("errorCode", e.errorCode()));
      throw e;
    }
    transitions.move(
        RequestState.REVEALING,
        RequestWorkflow.revealUndone(revealing, clock.instant()),
        actor,
        "delivery.undone",
        Map.of("why", why));
  }

  private AccessRequest find(String id) {
    return store.find(id).orElseThrow(() -> new Refusal("There is no request " + id + "."));
  }

  private void record(AccessRequest r, String actor, String action, Map<String, String> details) {
    audit.record(clock.instant(), r.id(), actor, action, details);
  }
}
