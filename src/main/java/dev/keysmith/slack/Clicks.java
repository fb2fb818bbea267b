package dev.keysmith.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import java.util.List;

/** Reading a button click: only the button's value, never the message the payload may carry. */
final class Clicks {
  private Clicks() {}

  /** The request id in the clicked button's value (the message copy may be absent or stale). */
  static String requestId(BlockActionRequest req) {
    List<BlockActionPayload.Action> actions = req.getPayload().getActions();
    if (actions == null || actions.isEmpty() || actions.get(0).getValue() == null) {
      return "";
    }
    return actions.get(0).getValue();
  }
}
