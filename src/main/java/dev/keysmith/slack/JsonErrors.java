package dev.keysmith.slack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The answers Jetty writes itself (a malformed request, a head too large, a failed handler) in the
 * same shape as the handler's: {@code {"error":"bad request"}}, with no message or stack trace.
 */
final class JsonErrors extends ErrorHandler {
  private static final String JSON = "application/json; charset=utf-8";

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      @Nullable String message,
      @Nullable Throwable cause,
      Callback callback) {
    byte[] body = json(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(/* last= */ true, ByteBuffer.wrap(body), callback);
  }

  private static byte[] json(int status) {
    String reason = HttpStatus.getMessage(status).toLowerCase(Locale.ROOT);
    return ("{\"error\":\"" + reason.replace("\"", "") + "\"}").getBytes(UTF_8);
  }
}
