package dev.keysmith.delivery;

import dev.keysmith.request.AccessRequest;
import java.time.Instant;

/**
 * The one place a secret may go: an ephemeral Slack message seen by its owner alone, reached and
 * later wiped through the {@code response_url} of the owner's click on that same message.
 */
public interface SecretChannel {

  /** Shows the owner, ephemerally, a button to reveal now; nothing is minted yet. */
  void offerReveal(String responseUrl, AccessRequest request);

  /**
   * Replaces the ephemeral message with the credentials, until {@code wipeAt}; its Hide button
   * names {@code subject}.
   */
  void show(String responseUrl, String subject, Credentials credentials, Instant wipeAt);

  /** Replaces the ephemeral message holding credentials with a notice that holds none. */
  void wipe(String responseUrl);

  /** Tells the clicker something, ephemerally, without touching the message clicked. */
  void tell(String responseUrl, String text);
}
