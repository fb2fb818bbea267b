package dev.keysmith.slack;

import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.auth.AuthTestResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Tries Keysmith's Slack tokens: {@code auth.test} with the bot token, {@code
 * apps.connections.open} with the app token. Says apart a Slack that cannot be reached, a Slack
 * that refuses a token (naming the variable that holds it), and anything else, in words a person
 * setting Keysmith up can act on. Start-up and {@code keysmith check} both ask it.
 */
public final class SlackTokens {
  /** The variable of the bot token. */
  public static final String BOT_TOKEN = "SLACK_BOT_TOKEN";

  /** The variable of the app-level token. */
  public static final String APP_TOKEN = "SLACK_APP_TOKEN";

  // What Slack answers for a token it will not take; anything else is not the token's fault.
  private static final Set<String> TOKEN_REFUSED =
      Set.of(
          "invalid_auth",
          "not_authed",
          "account_inactive",
          "token_revoked",
          "token_expired",
          "not_allowed_token_type");

  private SlackTokens() {}

  /** What Slack said of a token. */
  public sealed interface Answer {
    /** Words for a log line or a check's line. */
    String words();
  }

  /** Slack took the token; {@code words} say for whom. */
  public record Taken(String words) implements Answer {}

  /** Slack refused the token: the variable holding it is wrong. */
  public record Refused(String words) implements Answer {}

  /** Slack could not be reached, or answered something other than a refusal. */
  public record Unreachable(String words) implements Answer {}

  /** {@code auth.test} with the bot token. */
  public static Answer botToken(Slack slack, String token) {
    String host = host(slack);
    try {
      AuthTestResponse answer = slack.methods(token).authTest(r -> r);
      if (answer.isOk()) {
        return new Taken(
            "bot "
                + answer.getUser()
                + " ("
                + answer.getUserId()
                + ") in workspace "
                + answer.getTeam()
                + " ("
                + answer.getTeamId()
                + ")");
      }
      return refusal(BOT_TOKEN, "OAuth & Permissions, Bot User OAuth Token", answer.getError());
    } catch (IOException e) {
      return unreachable(host, e);
    } catch (SlackApiException e) {
      return httpError(host, e);
    }
  }

  /**
   * {@code apps.connections.open} with the app token. Slack hands out a websocket URL for a new
   * Socket Mode connection; left unused, it lapses.
   */
  public static Answer appToken(Slack slack, String token) {
    String host = host(slack);
    try {
      SlackApiTextResponse answer = slack.methods(token).appsConnectionsOpen(r -> r);
      if (answer.isOk()) {
        return new Taken("Slack opens Socket Mode connections for it");
      }
      return refusal(
          APP_TOKEN,
          "Basic Information, App-Level Tokens, with connections:write",
          answer.getError());
    } catch (IOException e) {
      return unreachable(host, e);
    } catch (SlackApiException e) {
      return httpError(host, e);
    }
  }

  private static Answer refusal(String variable, String where, @Nullable String error) {
    if (error != null && TOKEN_REFUSED.contains(error)) {
      return new Refused(
          "Slack refused the token in "
              + variable
              + " ("
              + error
              + "): copy it again from the app's settings ("
              + where
              + ")");
    }
    return new Unreachable(
        "Slack answered "
            + error
            + " to the token in "
            + variable
            + "; see Slack's documentation of that error");
  }

  private static Answer unreachable(String host, IOException e) {
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
    return new Unreachable(
        "cannot reach Slack at "
            + host
            + " ("
            + why
            + "): check the network, the proxy, or SLACK_API_URL");
  }

  private static Answer httpError(String host, SlackApiException e) {
    return new Unreachable(
        "Slack at "
            + host
            + " answered HTTP "
            + e.getResponse().code()
            + "; if SLACK_API_URL is set, check it, else try again later");
  }

  private static String host(Slack slack) {
    String methodsUrl = slack.getConfig().getMethodsEndpointUrlPrefix();
    try {
      URI uri = URI.create(methodsUrl);
      String host = uri.getHost();
      return host == null ? methodsUrl : uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return methodsUrl;
    }
  }
}
