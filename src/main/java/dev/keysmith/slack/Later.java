package dev.keysmith.slack;

import dev.keysmith.core.KeysmithException;
import dev.keysmith.core.Refusal;
import dev.keysmith.delivery.SecretChannel;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an interaction's slow work after the ack, and turns its failures into an ephemeral reply to
 * the person who clicked: a domain failure in its own words, anything else in general ones.
 */
final class Later {
  private static final Logger log = LoggerFactory.getLogger(Later.class);
  private final Executor executor;
  private final SecretChannel replies;

  Later(Executor executor, SecretChannel replies) {
    this.executor = executor;
    this.replies = replies;
  }

  /**
   * Runs {@code work} on the executor; {@code subject} names what it is about in the log (it may
   * come from the payload, so the log gets it escaped), {@code responseUrl} may be null (no one to
   * tell).
   */
  void run(String what, @Nullable String subject, @Nullable String responseUrl, Runnable work) {
    runTelling(what, subject, text -> reply(responseUrl, text), work);
  }

  /** {@link #run}, telling a failure through {@code tell} rather than a response_url. */
  void runTelling(String what, @Nullable String subject, Consumer<String> tell, Runnable work) {
    String about = LogSafe.value(subject);
    executor.execute(
        () -> {
          try {
            work.run();
          } catch (Refusal e) {
            log.info("{} {}: refused: {}", what, about, LogSafe.value(e.getMessage()));
            say(tell, Refusals.text(e));
          } catch (KeysmithException e) {
            log.info("{} {}: refused or failed: {}", what, about, LogSafe.value(e.getMessage()));
            say(tell, e.getMessage());
          } catch (RuntimeException e) {
            log.error("{} {}: unexpected {}", what, about, e.getClass().getName(), e);
            say(
                tell,
                "Something went wrong on Keysmith's side ("
                    + what
                    + "). Nothing secret was shown; try again, or ask an admin to check the logs.");
          }
        });
  }

  /**
   * Refuses an interaction whose payload Keysmith cannot read: logs it, and tells the person
   * through {@code responseUrl} after the ack, unless it is null (not Slack's, or none).
   */
  void refuse(String what, @Nullable String subject, @Nullable String responseUrl, Refusal r) {
    log.warn(
        "{} {}: refused before any work: {}",
        what,
        LogSafe.value(subject),
        LogSafe.value(r.getMessage()));
    if (responseUrl != null) {
      executor.execute(() -> reply(responseUrl, Refusals.text(r)));
    }
  }

  private static void say(Consumer<String> tell, String text) {
    try {
      tell.accept(text);
    } catch (RuntimeException e) {
      log.warn("could not tell the outcome: {}", e.getClass().getSimpleName());
    }
  }

  private void reply(@Nullable String responseUrl, String text) {
    if (responseUrl == null) {
      return;
    }
    try {
      replies.tell(responseUrl, text);
    } catch (RuntimeException e) {
      log.warn("could not reply through response_url: {}", e.getClass().getSimpleName());
    }
  }
}
