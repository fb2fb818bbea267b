package dev.keysmith.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The bot's IAM HTTP client, able to play a throttling IAM: while {@link #setShare} is above zero,
 * that share of attempts (each retry drawn again) is answered as IAM answers a throttled call, HTTP
 * 400 with {@code Throttling} in the query API's XML error shape, without reaching moto, so a
 * throttled call has no effect. The rest go to moto through {@code delegate}.
 */
final class IamThrottle implements SdkHttpClient {
  private static final byte[] THROTTLING =
      ("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
              + "<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
              + "</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
              + "</ErrorResponse>")
          .getBytes(UTF_8);

  private final SdkHttpClient delegate;
  // Seeded, so that runs throttle alike; Random is thread-safe.
  private final Random random = new Random(8);
  private volatile double share;
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong passed = new AtomicLong();

  IamThrottle(SdkHttpClient delegate) {
    this.delegate = delegate;
  }

  /** From now on, throttles this share of attempts (0 for none). */
  void setShare(double share) {
    this.share = share;
  }

  /** {@code throttled passed}: attempts answered Throttling and attempts sent to moto. */
  String counts() {
    return throttled.get() + " " + passed.get();
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    double s = share;
    if (s > 0 && random.nextDouble() < s) {
      throttled.incrementAndGet();
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() {
          return HttpExecuteResponse.builder()
              .response(
                  SdkHttpResponse.builder()
                      .statusCode(400)
                      .putHeader("Content-Type", "text/xml")
                      .putHeader("Content-Length", Integer.toString(THROTTLING.length))
                      .build())
              .responseBody(AbortableInputStream.create(new ByteArrayInputStream(THROTTLING)))
              .build();
        }

        @Override
        public void abort() {}
      };
    }
    passed.incrementAndGet();
    return delegate.prepareRequest(request);
  }

  @Override
  public String clientName() {
    return delegate.clientName();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
