package dev.keysmith.cli;

import com.slack.api.Slack;
import dev.keysmith.config.Settings;
import dev.keysmith.slack.SlackTokens;
import java.util.Optional;

/**
 * The Slack part of {@link SetupCheck}: {@code auth.test} with the bot token and, in Socket Mode,
 * {@code apps.connections.open} with the app token, through {@link SlackTokens}, which tells a
 * Slack it cannot reach from a Slack that refuses a token.
 */
final class SlackCheck {
  private final Slack slack;

  /** A check through {@code slack}, which it closes when done. */
  SlackCheck(Slack slack) {
    this.slack = slack;
  }

  /** Checks the tokens of {@code settings}, then closes the client. */
  void run(Settings settings, Report report) {
    try {
      String bot = "Slack bot token (SLACK_BOT_TOKEN xoxb-...)";
      SlackTokens.Answer botAnswer = SlackTokens.botToken(slack, settings.botToken());
      tell(report, bot, botAnswer);
      Optional<String> appToken = settings.appToken();
      if (appToken.isEmpty()) {
        return;
      }
      String app = "Slack app token (SLACK_APP_TOKEN xapp-...)";
      if (botAnswer instanceof SlackTokens.Unreachable) {
        report.skip(app, "Slack cannot be reached");
        return;
      }
      tell(report, app, SlackTokens.appToken(slack, appToken.get()));
    } finally {
      try {
        slack.close();
      } catch (Exception e) {
        // Only the client's thread pools: the check's outcome stands.
      }
    }
  }

  private static void tell(Report report, String what, SlackTokens.Answer answer) {
    if (answer instanceof SlackTokens.Taken) {
      report.ok(what, answer.words());
    } else {
      report.fail(what, answer.words());
    }
  }
}
