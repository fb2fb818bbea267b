package dev.keysmith.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.keysmith.testing.SlackRequests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;

/**
 * One Slack-signed POST, timed from the first byte written to the last byte read. Blocking
 * HttpURLConnection on the client's own thread, over a kept-alive connection, so the client adds as
 * little as it can to what it measures.
 */
final class SignedPost {
  /** The answer and how long it took; {@code sentAt} is the {@link System#nanoTime} of sending. */
  record Answer(int status, String body, long sentAt, long nanos) {}

  private SignedPost() {}

  static Answer send(URL url, SlackRequests.Signed signed) {
    byte[] body = signed.body().getBytes(UTF_8);
    try {
      HttpURLConnection c = (HttpURLConnection) url.openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(30_000);
      c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
      c.setRequestProperty("X-Slack-Request-Timestamp", signed.timestamp());
      c.setRequestProperty("X-Slack-Signature", signed.signature());
      long sentAt = System.nanoTime();
      // Buffered, not streamed, so headers and body leave in one write.
      c.getOutputStream().write(body);
      int status = c.getResponseCode();
      String answer;
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        answer = in == null ? "" : new String(in.readAllBytes(), UTF_8);
      }
      return new Answer(status, answer, sentAt, System.nanoTime() - sentAt);
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + url + " failed", e);
    }
  }
}
