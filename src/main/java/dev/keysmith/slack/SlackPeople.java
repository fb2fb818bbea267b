package dev.keysmith.slack;

import dev.keysmith.core.KeysmithException;
import dev.keysmith.rotation.People;

/** {@link People} from Slack's {@code users.info}. */
public final class SlackPeople implements People {
  private final SlackWebApi slack;

  public SlackPeople(SlackWebApi slack) {
    this.slack = slack;
  }

  @Override
  public boolean hasLeft(String slackUserId) {
    try {
      var info = SlackWebApi.call("users.info", () -> slack.usersInfo(r -> r.user(slackUserId)));
      // A user Slack no longer knows at all has left as surely as a deactivated one.
      return info.getUser() == null || info.getUser().isDeleted();
    } catch (SlackCallException e) {
      if (String.valueOf(e.getMessage()).endsWith("user_not_found")) {
        return true;
      }
      throw new KeysmithException(
          "Keysmith could not ask Slack whether " + slackUserId + " left: " + e.getMessage(), e);
    }
  }
}
