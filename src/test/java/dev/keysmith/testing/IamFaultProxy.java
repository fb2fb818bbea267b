package dev.keysmith.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An HTTP proxy in front of moto that the IAM client can be pointed at, and that misbehaves on
 * demand, per IAM action (the {@code Action=} form parameter of IAM's query API, such as {@code
 * AddUserToGroup}): it answers late, answers an error ({@code 500 ServiceFailure}, {@code 400
 * Throttling}), answers an error to a share of the calls, or stops answering. {@link #lateBy} makes
 * everything late. Rules hold until {@link #heal()}.
 */
public final class IamFaultProxy implements AutoCloseable {
  /** Matches every action in the methods that take one. */
  public static final String ANY = "*";

  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "host",
          "connection",
          "content-length",
          "expect",
          "upgrade",
          "transfer-encoding",
          "keep-alive",
          "te",
          "date");

  private sealed interface Rule permits Late, Refuse, Share, Silent, Unanswered {}

  private record Late(Duration by) implements Rule {}

  /** An error answer, to every call when {@code remaining} is negative, else to that many. */
  private record Refuse(int status, String code, AtomicInteger remaining) implements Rule {}

  private record Share(double share, int status, String code, Random random) implements Rule {}

  private record Silent() implements Rule {}

  /** Done by IAM, but its answer never comes back. */
  private record Unanswered() implements Rule {}

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService threads;
  private final HttpClient http;
  private final Map<String, Rule> rules = new ConcurrentHashMap<>();
  private final Map<String, Supplier<String>> standIns = new ConcurrentHashMap<>();
  private volatile Duration everythingLate = Duration.ZERO;
  private volatile CountDownLatch silence = new CountDownLatch(1);
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final List<String> faults = Collections.synchronizedList(new ArrayList<>());

  private IamFaultProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "iam-fault-proxy");
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(threads)
            .build();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
    // moto has no service-specific credentials (it answers HTTP 500): as far as it knows, a user
    // has none.
    standIns.put("ListServiceSpecificCredentials", () -> serviceSpecificCredentials(List.of()));
  }

  /**
   * Answers every call of {@code action} with HTTP 200 and the XML {@code answer} gives, instead of
   * moto: IAM as it would answer, for what moto lacks. Stand-ins outlast {@link #heal()}; a fault
   * rule for the same action comes first.
   */
  public IamFaultProxy standIn(String action, Supplier<String> answer) {
    standIns.put(action, answer);
    return this;
  }

  /** IAM's answer to ListServiceSpecificCredentials listing these {@code id service} pairs. */
  public static String serviceSpecificCredentials(List<String> credentials) {
    StringBuilder members = new StringBuilder();
    for (String credential : credentials) {
      int space = credential.indexOf(' ');
      members
          .append("<member><UserName>someone</UserName><Status>Active</Status>")
          .append("<ServiceUserName>someone-at-123456789012</ServiceUserName>")
          .append("<CreateDate>2026-12-01T00:00:00Z</CreateDate>")
          .append("<ServiceSpecificCredentialId>")
          .append(credential, 0, space)
          .append("</ServiceSpecificCredentialId><ServiceName>")
          .append(credential.substring(space + 1))
          .append("</ServiceName></member>");
    }
    return answer(
        "ListServiceSpecificCredentials",
        "<ServiceSpecificCredentials>" + members + "</ServiceSpecificCredentials>");
  }

  /** IAM's answer to {@code action} with {@code result} in its result element. */
  public static String answer(String action, String result) {
    return "<"
        + action
        + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><"
        + action
        + "Result>"
        + result
        + "</"
        + action
        + "Result><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></"
        + action
        + "Response>";
  }

  /** A proxy forwarding to {@code upstream} (moto's endpoint), listening on a free local port. */
  public static IamFaultProxy start(URI upstream) {
    try {
      return new IamFaultProxy(upstream);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where to point the IAM client. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers every call of {@code action} (or {@link #ANY}) {@code by} late. */
  public IamFaultProxy delay(String action, Duration by) {
    rules.put(action, new Late(by));
    return this;
  }

  /** Answers every call of {@code action} with HTTP {@code status} and IAM error {@code code}. */
  public IamFaultProxy fail(String action, int status, String code) {
    rules.put(action, new Refuse(status, code, new AtomicInteger(-1)));
    return this;
  }

  /** Answers the next {@code times} calls of {@code action} with an error, then forwards again. */
  public IamFaultProxy failNext(String action, int times, int status, String code) {
    rules.put(action, new Refuse(status, code, new AtomicInteger(times)));
    return this;
  }

  /**
   * Answers about {@code share} (0 to 1) of the calls of {@code action} with an error, chosen by a
   * random sequence from {@code seed}, so a run can be repeated.
   */
  public IamFaultProxy failShare(String action, double share, int status, String code, long seed) {
    rules.put(action, new Share(share, status, code, new Random(seed)));
    return this;
  }

  /** Stops answering calls of {@code action}: they hang until {@link #heal()} or close. */
  public IamFaultProxy silence(String action) {
    rules.put(action, new Silent());
    return this;
  }

  /**
   * Lets calls of {@code action} reach IAM, which does the work, but never passes IAM's answer
   * back: they hang until {@link #heal()} or close, as when the connection drops after the request
   * arrived. A key created this way exists in IAM while its caller never saw it.
   */
  public IamFaultProxy unanswered(String action) {
    rules.put(action, new Unanswered());
    return this;
  }

  /** Answers everything {@code by} late, on top of any rule; zero to stop. */
  public IamFaultProxy lateBy(Duration by) {
    everythingLate = by;
    return this;
  }

  /** Forgets every rule and lateness, and lets silenced calls through. */
  public void heal() {
    rules.clear();
    everythingLate = Duration.ZERO;
    CountDownLatch released = silence;
    silence = new CountDownLatch(1);
    released.countDown();
  }

  /** The actions of every call that reached the proxy, in order. */
  public List<String> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** What the proxy did instead of forwarding, as {@code Action Code} or {@code Action silent}. */
  public List<String> faults() {
    synchronized (faults) {
      return List.copyOf(faults);
    }
  }

  /**
   * Waits until the proxy did {@code fault} ({@code Action silent} once such a call hangs, {@code
   * Action unanswered} once IAM has done it, {@code Action Code} once answered with an error).
   */
  public void awaitFault(String fault, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (faults) {
      while (!faults.contains(fault)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + fault + " within " + timeout + "; faults: " + faults);
        }
        TimeUnit.NANOSECONDS.timedWait(faults, left);
      }
    }
  }

  private void fault(String fault) {
    synchronized (faults) {
      faults.add(fault);
      faults.notifyAll();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String action = action(new String(body, StandardCharsets.UTF_8));
      seen.add(action);
      sleep(everythingLate);
      Rule rule = rules.getOrDefault(action, rules.get(ANY));
      if (rule instanceof Late late) {
        sleep(late.by());
      } else if (rule instanceof Silent) {
        fault(action + " silent");
        silence.await(); // until heal() or close(); the client gives up first
        return;
      } else if (rule instanceof Unanswered) {
        upstream(body, exchange.getRequestURI(), exchange.getRequestHeaders());
        fault(action + " unanswered"); // IAM has done it by now
        silence.await();
        return;
      } else if (rule instanceof Refuse refuse && refuse.remaining().getAndDecrement() != 0) {
        answerError(exchange, action, refuse.status(), refuse.code());
        return;
      } else if (rule instanceof Share share && nextDouble(share.random()) < share.share()) {
        answerError(exchange, action, share.status(), share.code());
        return;
      }
      Supplier<String> standIn = standIns.get(action);
      if (standIn != null) {
        answer(exchange, 200, "text/xml", standIn.get());
        return;
      }
      forward(exchange, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static double nextDouble(Random random) {
    synchronized (random) {
      return random.nextDouble();
    }
  }

  /** Sends the call on to IAM (every IAM query call is a POST) and returns its answer. */
  private HttpResponse<byte[]> upstream(byte[] body, URI uri, Headers headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(upstream.resolve(uri.toString()))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (name, values) -> {
          if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
            values.forEach(v -> request.header(name, v));
          }
        });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private void forward(HttpExchange exchange, byte[] body)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response;
    try {
      response = upstream(body, exchange.getRequestURI(), exchange.getRequestHeaders());
    } catch (IOException e) {
      answer(exchange, 502, "text/plain", "moto did not answer: " + e);
      return;
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
              }
            });
    byte[] answer = response.body();
    exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  private void answerError(HttpExchange exchange, String action, int status, String code)
      throws IOException {
    fault(action + " " + code);
    String type = status >= 500 ? "Receiver" : "Sender";
    answer(
        exchange,
        status,
        "text/xml",
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>"
            + type
            + "</Type><Code>"
            + code
            + "</Code><Message>Injected by the test's fault proxy</Message></Error>"
            + "<RequestId>fault-proxy</RequestId></ErrorResponse>");
  }

  private static void answer(HttpExchange exchange, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String action(String form) {
    for (String pair : form.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0
          && "Action".equals(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8))) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }
  }

  @Override
  public void close() {
    silence.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
