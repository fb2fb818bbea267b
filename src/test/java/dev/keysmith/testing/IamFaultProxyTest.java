package dev.keysmith.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy in front of a stub that answers every call with its own action. */
class IamFaultProxyTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer upstream;
  private IamFaultProxy proxy;

  @BeforeEach
  void setUp() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          byte[] answer =
              ("answered "
                      + new String(
                          exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/xml");
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    upstream.start();
    proxy = IamFaultProxy.start(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()));
  }

  @AfterEach
  void tearDown() {
    proxy.close();
    upstream.stop(0);
  }

  private HttpResponse<String> call(String action, Duration timeout) throws Exception {
    return client.send(
        HttpRequest.newBuilder(proxy.endpoint().resolve("/"))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString("Action=" + action + "&Version=2010-05-08"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> call(String action) throws Exception {
    return call(action, Duration.ofSeconds(5));
  }

  @Test
  void fail_answersTheIamErrorToThatActionOnly() throws Exception {
    proxy.fail("AddUserToGroup", 500, "ServiceFailure");

    HttpResponse<String> failed = call("AddUserToGroup");
    HttpResponse<String> other = call("CreateUser");

    assertEquals(500, failed.statusCode());
    assertTrue(failed.body().contains("<Code>ServiceFailure</Code>"), failed.body());
    assertEquals(200, other.statusCode());
    assertEquals("answered Action=CreateUser&Version=2010-05-08", other.body());
    assertEquals(List.of("AddUserToGroup", "CreateUser"), proxy.seen());
    assertEquals(List.of("AddUserToGroup ServiceFailure"), proxy.faults());
  }

  @Test
  void failNext_failsThatManyCallsThenForwards() throws Exception {
    proxy.failNext(IamFaultProxy.ANY, 2, 400, "Throttling");

    assertEquals(400, call("GetUser").statusCode());
    assertEquals(400, call("CreateUser").statusCode());
    assertEquals(200, call("GetUser").statusCode());
  }

  @Test
  void failShare_failsAboutThatShare() throws Exception {
    proxy.failShare(IamFaultProxy.ANY, 0.2, 400, "Throttling", 42);
    int failed = 0;
    for (int i = 0; i < 200; i++) {
      failed += call("ListUsers").statusCode() == 400 ? 1 : 0;
    }
    assertTrue(failed > 20 && failed < 60, failed + " of 200 failed");
  }

  @Test
  void silence_answersNothingUntilHealed() throws Exception {
    proxy.silence("CreateUser");

    assertThrows(HttpTimeoutException.class, () -> call("CreateUser", Duration.ofMillis(300)));
    proxy.heal();

    assertEquals(200, call("CreateUser").statusCode());
    assertEquals(List.of("CreateUser silent"), proxy.faults());
  }

  @Test
  void delayAndLateBy_answerLate() throws Exception {
    proxy.delay("GetUser", Duration.ofMillis(300));
    long start = System.nanoTime();
    assertEquals(200, call("GetUser").statusCode());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 300);

    proxy.heal();
    proxy.lateBy(Duration.ofMillis(200));
    start = System.nanoTime();
    assertEquals(200, call("ListUsers").statusCode());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 200);
  }
}
