package dev.keysmith.slack;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.slack.api.RequestConfigurator;
import com.slack.api.SlackConfig;
import com.slack.api.methods.Methods;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.RequestFormBuilder;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.request.chat.ChatPostMessageRequest;
import com.slack.api.methods.request.chat.ChatUpdateRequest;
import com.slack.api.methods.request.usergroups.users.UsergroupsUsersListRequest;
import com.slack.api.methods.request.users.UsersInfoRequest;
import com.slack.api.methods.request.views.ViewsOpenRequest;
import com.slack.api.methods.request.views.ViewsPublishRequest;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.methods.response.views.ViewsOpenResponse;
import com.slack.api.methods.response.views.ViewsPublishResponse;
import com.slack.api.util.json.GsonFactory;
import dev.keysmith.core.Liveness;
import dev.keysmith.core.Metrics;
import java.io.IOException;
import okhttp3.FormBody;
import okhttp3.Response;

/**
 * The Slack Web API methods Keysmith calls, with the bot token. Requests are the SDK's, built and
 * sent by its {@link MethodsClient}; only the parsing of the answer differs. The SDK makes a new
 * Gson for every answer it parses, which then reflects over the whole response model again: about
 * 0.7 ms of CPU per call on this stack, more than everything else Keysmith does for a request. Here
 * one Gson, configured as the SDK configures its own, parses every answer.
 */
public final class SlackWebApi {
  private final MethodsClient methods;
  private final String token;
  private final SlackConfig config;
  private final Gson gson;
  private final Liveness liveness;
  private final Metrics metrics;

  /** As below, counting nothing. */
  public SlackWebApi(MethodsClient methods, String token, SlackConfig config, Liveness liveness) {
    this(methods, token, config, liveness, Metrics.none());
  }

  /**
   * Calls through {@code methods} with {@code token}; {@code config} is the SDK's. Each call's
   * outcome goes to {@code liveness}: an answer with {@code ok: true} as a success, anything else
   * as a failure; and to {@code metrics}, by method and result.
   */
  public SlackWebApi(
      MethodsClient methods, String token, SlackConfig config, Liveness liveness, Metrics metrics) {
    this.methods = methods;
    this.liveness = liveness;
    this.metrics = metrics;
    this.token = token;
    this.config = config;
    this.gson = GsonFactory.createSnakeCase(config);
  }

  /** {@code chat.postMessage}. */
  public ChatPostMessageResponse chatPostMessage(
      RequestConfigurator<ChatPostMessageRequest.ChatPostMessageRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.CHAT_POST_MESSAGE,
        RequestFormBuilder.toForm(request.configure(ChatPostMessageRequest.builder()).build()),
        ChatPostMessageResponse.class);
  }

  /** {@code chat.update}. */
  public ChatUpdateResponse chatUpdate(
      RequestConfigurator<ChatUpdateRequest.ChatUpdateRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.CHAT_UPDATE,
        RequestFormBuilder.toForm(request.configure(ChatUpdateRequest.builder()).build()),
        ChatUpdateResponse.class);
  }

  /** {@code views.open}. */
  public ViewsOpenResponse viewsOpen(
      RequestConfigurator<ViewsOpenRequest.ViewsOpenRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.VIEWS_OPEN,
        RequestFormBuilder.toForm(request.configure(ViewsOpenRequest.builder()).build()),
        ViewsOpenResponse.class);
  }

  /** {@code views.publish}: a person's Home tab. */
  public ViewsPublishResponse viewsPublish(
      RequestConfigurator<ViewsPublishRequest.ViewsPublishRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.VIEWS_PUBLISH,
        RequestFormBuilder.toForm(request.configure(ViewsPublishRequest.builder()).build()),
        ViewsPublishResponse.class);
  }

  /** {@code usergroups.users.list}. */
  public UsergroupsUsersListResponse usergroupsUsersList(
      RequestConfigurator<UsergroupsUsersListRequest.UsergroupsUsersListRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.USERGROUPS_USERS_LIST,
        RequestFormBuilder.toForm(request.configure(UsergroupsUsersListRequest.builder()).build()),
        UsergroupsUsersListResponse.class);
  }

  /** {@code users.info}. */
  public UsersInfoResponse usersInfo(
      RequestConfigurator<UsersInfoRequest.UsersInfoRequestBuilder> request)
      throws IOException, SlackApiException {
    return post(
        Methods.USERS_INFO,
        RequestFormBuilder.toForm(request.configure(UsersInfoRequest.builder()).build()),
        UsersInfoResponse.class);
  }

  private <T extends SlackApiTextResponse> T post(
      String method, FormBody.Builder form, Class<T> type) throws IOException, SlackApiException {
    Metrics.SlackResult result = Metrics.SlackResult.UNAVAILABLE;
    try {
      T parsed = parse(method, form, type);
      result = result(parsed);
      return parsed;
    } catch (SlackApiException e) {
      result = result(e);
      throw e;
    } finally {
      if (result == Metrics.SlackResult.OK) {
        liveness.ok();
      } else {
        liveness.failed();
      }
      metrics.slackCall(method, result);
    }
  }

  private static Metrics.SlackResult result(SlackApiTextResponse answer) {
    if (answer.isOk()) {
      return Metrics.SlackResult.OK;
    }
    return "ratelimited".equals(answer.getError())
        ? Metrics.SlackResult.RATE_LIMITED
        : Metrics.SlackResult.ERROR;
  }

  private static Metrics.SlackResult result(SlackApiException e) {
    int status = e.getResponse().code();
    if (status == 429) {
      return Metrics.SlackResult.RATE_LIMITED;
    }
    return status >= 500 || status == 408
        ? Metrics.SlackResult.UNAVAILABLE
        : Metrics.SlackResult.ERROR;
  }

  private <T extends SlackApiTextResponse> T parse(
      String method, FormBody.Builder form, Class<T> type) throws IOException, SlackApiException {
    try (Response response = methods.runPostFormWithToken(form, method, token)) {
      String body = response.body() == null ? "" : response.body().string();
      if (!response.isSuccessful()) {
        throw new SlackApiException(config, response, body);
      }
      T parsed;
      try {
        parsed = gson.fromJson(body, type);
      } catch (JsonParseException e) {
        throw new IOException(method + " answered with something other than its JSON", e);
      }
      if (parsed == null) {
        throw new IOException(method + " answered with an empty body");
      }
      return parsed;
    }
  }

  /** Runs one Web API call and turns every failure into a {@link SlackCallException}. */
  static <T extends SlackApiTextResponse> T call(String method, SlackCall<T> call) {
    T response;
    try {
      response = call.run();
    } catch (IOException | SlackApiException e) {
      throw new SlackCallException(method + " failed: " + e.getClass().getSimpleName(), e);
    }
    if (!response.isOk()) {
      throw new SlackCallException(method + " failed: " + response.getError(), null);
    }
    return response;
  }

  /** One Web API call. */
  interface SlackCall<T> {
    T run() throws IOException, SlackApiException;
  }
}
