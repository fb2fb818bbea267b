package dev.keysmith.slack;

import com.slack.api.app_backend.views.payload.ViewSubmissionPayload;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.model.view.View;
import com.slack.api.model.view.ViewState;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reading a modal's submission without trusting its shape: any part a forged payload leaves out
 * reads as absent, never as a NullPointerException. What is read is checked by {@link Untrusted} or
 * by the form's own validation.
 */
final class Views {
  private Views() {}

  /** Who submitted, unchecked; null when the payload names no one. */
  static @Nullable String actor(ViewSubmissionRequest req) {
    ViewSubmissionPayload p = req.getPayload();
    return p == null || p.getUser() == null ? null : p.getUser().getId();
  }

  /** The view's private_metadata, unchecked; null when absent. */
  static @Nullable String metadata(ViewSubmissionRequest req) {
    View view = view(req);
    return view == null ? null : view.getPrivateMetadata();
  }

  /** The submitted values by block id and action id; empty when the payload has none. */
  static Map<String, Map<String, ViewState.Value>> values(ViewSubmissionRequest req) {
    View view = view(req);
    if (view == null || view.getState() == null || view.getState().getValues() == null) {
      return Map.of();
    }
    return view.getState().getValues();
  }

  /** The stripped text of the one input in {@code block}; empty when there is none. */
  static String text(ViewSubmissionRequest req, String block) {
    Map<String, ViewState.Value> inputs = values(req).get(block);
    ViewState.Value input = inputs == null ? null : inputs.get(Ids.INPUT);
    return input == null || input.getValue() == null ? "" : input.getValue().strip();
  }

  private static @Nullable View view(ViewSubmissionRequest req) {
    ViewSubmissionPayload p = req.getPayload();
    return p == null ? null : p.getView();
  }
}
