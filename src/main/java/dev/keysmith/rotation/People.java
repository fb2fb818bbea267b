package dev.keysmith.rotation;

/** What Slack says about a person. */
public interface People {

  /**
   * Whether {@code slackUserId}'s account is deactivated (they left): Slack's {@code deleted}. May
   * ask Slack; throws {@code KeysmithException} rather than guess when Slack cannot say.
   */
  boolean hasLeft(String slackUserId);
}
