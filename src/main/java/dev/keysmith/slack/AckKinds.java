package dev.keysmith.slack;

import com.slack.api.bolt.request.RequestType;
import dev.keysmith.core.Metrics;
import org.jspecify.annotations.Nullable;

/** Which {@link Metrics.AckKind} a Bolt request is, for the ack latency. */
final class AckKinds {
  private AckKinds() {}

  static Metrics.AckKind of(@Nullable RequestType type) {
    if (type == null) {
      return Metrics.AckKind.OTHER;
    }
    return switch (type) {
      case Command -> Metrics.AckKind.COMMAND;
      case BlockAction -> Metrics.AckKind.BLOCK_ACTION;
      case ViewSubmission -> Metrics.AckKind.VIEW_SUBMISSION;
      case Event -> Metrics.AckKind.EVENT;
      default -> Metrics.AckKind.OTHER;
    };
  }
}
