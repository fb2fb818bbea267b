package dev.keysmith.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.Slack;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import com.slack.api.webhook.WebhookResponse;
import dev.keysmith.core.Metrics;
import dev.keysmith.delivery.Credentials;
import dev.keysmith.delivery.SecretChannel;
import dev.keysmith.request.AccessRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link SecretChannel} over Slack {@code response_url}s: the only way to put something in an
 * ephemeral message and to replace it later (ephemeral messages ignore {@code chat.update}).
 */
public final class SlackSecretChannel implements SecretChannel {
  static final String WIPED_NOTICE =
      "The credentials were hidden. Keysmith never shows a secret twice; if you did not save"
          + " them, rotate the access key.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESPONSE_URL = "response_url";
  private final Slack slack;
  private final Duration visibleFor;
  private final ResponseUrls urls;
  private final Metrics metrics;

  /** Posts through {@code slack} only to the response_urls {@code urls} allows. */
  public SlackSecretChannel(Slack slack, Duration visibleFor, ResponseUrls urls) {
    this(slack, visibleFor, urls, Metrics.none());
  }

  /** The same, counting each post's result in {@code metrics} as method {@code response_url}. */
  public SlackSecretChannel(Slack slack, Duration visibleFor, ResponseUrls urls, Metrics metrics) {
    this.slack = slack;
    this.visibleFor = visibleFor;
    this.urls = urls;
    this.metrics = metrics;
  }

  /** Whether {@code responseUrl} is Slack's, so a reply may be posted to it. */
  boolean accepts(@Nullable String responseUrl) {
    return urls.isSlacks(responseUrl);
  }

  @Override
  public void offerReveal(String responseUrl, AccessRequest r) {
    send(
        responseUrl, false, "Ready to reveal your credentials", Blocks.revealPrompt(r, visibleFor));
  }

  @Override
  public void show(String responseUrl, String subject, Credentials c, Instant wipeAt) {
    send(
        responseUrl,
        true,
        "Your credentials for " + c.iamUserName(),
        Blocks.secret(subject, c, wipeAt));
  }

  @Override
  public void wipe(String responseUrl) {
    send(responseUrl, true, WIPED_NOTICE, Blocks.text(WIPED_NOTICE));
  }

  @Override
  public void tell(String responseUrl, String text) {
    send(responseUrl, false, text, Blocks.text(text));
  }

  /** An ephemeral reply with blocks (nothing secret) to the person who clicked or typed. */
  void reply(String responseUrl, String fallback, List<LayoutBlock> blocks) {
    send(responseUrl, false, fallback, blocks);
  }

  /** Replaces the clicked ephemeral message with blocks (nothing secret). */
  void replace(String responseUrl, String fallback, List<LayoutBlock> blocks) {
    send(responseUrl, true, fallback, blocks);
  }

  private void send(
      String url, boolean replaceOriginal, String fallback, List<LayoutBlock> blocks) {
    if (!urls.isSlacks(url)) {
      // The listeners refuse such a click already; this holds for every other path here too.
      throw new SlackCallException("response_url refused: not a Slack URL", null);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("response_type", "ephemeral");
    body.put("replace_original", replaceOriginal);
    body.put("text", fallback);
    try {
      body.set("blocks", JSON.readTree(GsonFactory.createSnakeCase().toJson(blocks)));
      WebhookResponse response;
      try {
        response = slack.send(url, JSON.writeValueAsString(body));
      } catch (IOException e) {
        metrics.slackCall(RESPONSE_URL, Metrics.SlackResult.UNAVAILABLE);
        throw e;
      }
      metrics.slackCall(RESPONSE_URL, result(response.getCode()));
      if (response.getCode() != 200) {
        // The body of a failed response_url post is Slack's error word, never our payload.
        throw new SlackCallException(
            "response_url post failed: HTTP " + response.getCode() + " " + response.getBody(),
            null);
      }
    } catch (IOException e) {
      throw new SlackCallException("response_url post failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private static Metrics.SlackResult result(int status) {
    if (status == 200) {
      return Metrics.SlackResult.OK;
    }
    if (status == 429) {
      return Metrics.SlackResult.RATE_LIMITED;
    }
    return status >= 500 || status == 408
        ? Metrics.SlackResult.UNAVAILABLE
        : Metrics.SlackResult.ERROR;
  }
}
