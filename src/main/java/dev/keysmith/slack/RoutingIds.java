package dev.keysmith.slack;

import com.slack.api.bolt.middleware.Middleware;
import com.slack.api.bolt.middleware.MiddlewareChain;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.BlockSuggestionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.request.builtin.ViewClosedRequest;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.view.View;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a request whose command, action or callback id could not be one Slack routes to Keysmith,
 * before Bolt's router sees it: Bolt logs an id it has no listener for as it came, line breaks and
 * all. The check is of shape, not of membership, so a listener added elsewhere needs nothing here.
 */
final class RoutingIds implements Middleware {
  private static final Logger log = LoggerFactory.getLogger(RoutingIds.class);

  // Printable ASCII without spaces, at most Slack's 255 characters for an action or callback id.
  private static final Pattern SHAPE = Pattern.compile("[\\x21-\\x7E]{1,255}");

  @Override
  @SuppressWarnings("rawtypes") // Bolt's Middleware declares the raw type
  public Response apply(Request req, Response resp, MiddlewareChain chain) throws Exception {
    for (String id : ids(req)) {
      if (!SHAPE.matcher(id).matches()) {
        log.warn(
            "refused a {} request before routing: its id is {}",
            req.getRequestType(),
            LogSafe.value(id));
        return Response.builder()
            .statusCode(404)
            .contentType(Response.CONTENT_TYPE_APPLICATION_JSON_UTF8)
            .body("{\"error\":\"no such id\"}")
            .build();
      }
    }
    return chain.next(req);
  }

  /** The ids Bolt routes {@code req} by; none for the kinds of request Keysmith does not serve. */
  private static List<String> ids(Request<?> req) {
    if (req instanceof BlockActionRequest r && r.getPayload().getActions() != null) {
      return r.getPayload().getActions().stream()
          .map(a -> a == null ? "" : Objects.toString(a.getActionId(), ""))
          .toList();
    }
    if (req instanceof BlockSuggestionRequest r) {
      return List.of(Objects.toString(r.getPayload().getActionId(), ""));
    }
    if (req instanceof ViewSubmissionRequest r) {
      return List.of(callbackId(r.getPayload().getView()));
    }
    if (req instanceof ViewClosedRequest r) {
      return List.of(callbackId(r.getPayload().getView()));
    }
    if (req instanceof SlashCommandRequest r) {
      return List.of(Objects.toString(r.getPayload().getCommand(), ""));
    }
    return List.of();
  }

  private static String callbackId(@Nullable View view) {
    return view == null ? "" : Objects.toString(view.getCallbackId(), "");
  }
}
