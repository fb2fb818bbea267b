package dev.keysmith.cli;

import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.keysmith.config.Settings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The Slack part of {@link SetupCheck}: {@code auth.test} with the bot token and, in Socket Mode,
 * {@code apps.connections.open} with the app token, telling a Slack it cannot reach from a Slack
 * that refuses a token.
 */
final class SlackCheck {
  // What Slack answers for a token it will not take; anything else is not the token's fault.
  private static final Set<String> TOKEN_REFUSED =
      Set.of(
          "invalid_auth",
          "not_authed",
          "account_inactive",
          "token_revoked",
          "token_expired",
          "not_allowed_token_type");

  private final Slack slack;

  /** A check through {@code slack}, which it closes when done. */
  SlackCheck(Slack slack) {
    this.slack = slack;
  }

  /** Checks the tokens of {@code settings}, then closes the client. */
  void run(Settings settings, Report report) {
    try {
      String host = host(slack.getConfig().getMethodsEndpointUrlPrefix());
      String bot = "Slack bot token (SLACK_BOT_TOKEN xoxb-...)";
      boolean reached;
      try {
        AuthTestResponse answer = slack.methods(settings.botToken()).authTest(r -> r);
        reached = true;
        if (answer.isOk()) {
          report.ok(
              bot,
              "bot "
                  + answer.getUser()
                  + " ("
                  + answer.getUserId()
                  + ") in workspace "
                  + answer.getTeam()
                  + " ("
                  + answer.getTeamId()
                  + ")");
        } else {
          report.fail(
              bot,
              refusal(
                  "SLACK_BOT_TOKEN",
                  "OAuth & Permissions, Bot User OAuth Token",
                  answer.getError()));
        }
      } catch (IOException e) {
        reached = false;
        report.fail(bot, unreachable(host, e));
      } catch (SlackApiException e) {
        reached = true;
        report.fail(bot, httpError(host, e));
      }
      Optional<String> appToken = settings.appToken();
      if (appToken.isEmpty()) {
        return;
      }
      String app = "Slack app token (SLACK_APP_TOKEN xapp-...)";
      if (!reached) {
        report.skip(app, "Slack cannot be reached");
        return;
      }
      try {
        // Slack hands out a websocket URL for a new Socket Mode connection; left unused, it lapses.
        SlackApiTextResponse answer = slack.methods(appToken.get()).appsConnectionsOpen(r -> r);
        if (answer.isOk()) {
          report.ok(app, "Slack opens Socket Mode connections for it");
        } else {
          report.fail(
              app,
              refusal(
                  "SLACK_APP_TOKEN",
                  "Basic Information, App-Level Tokens, with connections:write",
                  answer.getError()));
        }
      } catch (IOException e) {
        report.fail(app, unreachable(host, e));
      } catch (SlackApiException e) {
        report.fail(app, httpError(host, e));
      }
    } finally {
      try {
        slack.close();
      } catch (Exception e) {
        // Only the client's thread pools: the check's outcome stands.
      }
    }
  }

  private static String refusal(String variable, String where, @Nullable String error) {
    if (error != null && TOKEN_REFUSED.contains(error)) {
      return "Slack refused the token in "
          + variable
          + " ("
          + error
          + "): copy it again from the app's settings ("
          + where
          + ")";
    }
    return "Slack answered " + error + "; see Slack's documentation of that error";
  }

  private static String unreachable(String host, IOException e) {
    String why;
    if (e instanceof UnknownHostException) {
      why = "unknown host";
    } else if (e instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof InterruptedIOException) {
      why = "no answer in time";
    } else {
      why = String.valueOf(e.getMessage());
    }
    return "cannot reach Slack at "
        + host
        + " ("
        + why
        + "): check the network, the proxy, or SLACK_API_URL";
  }

  private static String httpError(String host, SlackApiException e) {
    return "Slack at "
        + host
        + " answered HTTP "
        + e.getResponse().code()
        + "; if SLACK_API_URL is set, check it, else try again later";
  }

  private static String host(String methodsUrl) {
    try {
      URI uri = URI.create(methodsUrl);
      String host = uri.getHost();
      return host == null ? methodsUrl : uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return methodsUrl;
    }
  }
}
