package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.core.Metrics;
import dev.keysmith.testing.MotoServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollector;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

class IamCallMeterTest {
  private final List<String> calls = new ArrayList<>();
  private final IamCallMeter meter = new IamCallMeter(recording(calls));

  @Test
  void throttledTwiceThenOk_isOneOkCallWithTwoThrottledRetries() {
    meter.publish(call("CreateUser", true, "Throttling", "Throttling", null));

    assertEquals(List.of("CreateUser ok throttled=2 other=0"), calls);
  }

  @Test
  void throttledToTheLastAttempt_isThrottled() {
    meter.publish(call("TagUser", false, "Throttling", "ServerError", "Throttling"));

    assertEquals(List.of("TagUser throttled throttled=1 other=1"), calls);
  }

  @Test
  void aRefusalWithAStatus_isAClientError_andNoAnswerIsUnavailable() {
    meter.publish(call("GetUser", false, "Other"));
    meter.publish(call("ListUsers", false, "IO"));

    assertEquals(
        List.of(
            "GetUser client_error throttled=0 other=0",
            "ListUsers unavailable throttled=0 other=0"),
        calls);
  }

  @Test
  void realCalls_throughAClientToMoto_areCountedOnTheCallingThread() {
    MotoServer moto = MotoServer.get();
    moto.reset();
    try (IamClient iam =
        AwsClients.iam(moto.endpoint(), MotoServer.CREDENTIALS, List.of(), List.of(meter))) {
      iam.createUser(u -> u.userName("metered"));
      try {
        iam.getUser(u -> u.userName("nobody-here"));
      } catch (NoSuchEntityException expected) {
        // counted as a client error
      }
    }

    assertTrue(calls.contains("CreateUser ok throttled=0 other=0"), calls.toString());
    assertTrue(calls.contains("GetUser client_error throttled=0 other=0"), calls.toString());
  }

  /** A call's metrics as the SDK collects them: one attempt per error type, null for success. */
  private static software.amazon.awssdk.metrics.MetricCollection call(
      String operation, boolean ok, String... attemptErrors) {
    MetricCollector call = MetricCollector.create("ApiCall");
    call.reportMetric(CoreMetric.OPERATION_NAME, operation);
    call.reportMetric(CoreMetric.API_CALL_SUCCESSFUL, ok);
    for (String error : attemptErrors) {
      MetricCollector attempt = call.createChild("ApiCallAttempt");
      if (error != null) {
        attempt.reportMetric(CoreMetric.ERROR_TYPE, error);
        if (!error.equals("IO")) {
          attempt.reportMetric(
              HttpMetric.HTTP_STATUS_CODE,
              switch (error) {
                case "ServerError" -> 503;
                case "Other" -> 404;
                default -> 400;
              });
        }
      } else {
        attempt.reportMetric(HttpMetric.HTTP_STATUS_CODE, 200);
      }
    }
    return call.collect();
  }

  private static Metrics recording(List<String> calls) {
    Metrics none = Metrics.none();
    return new Metrics() {
      @Override
      public void audited(String action) {
        none.audited(action);
      }

      @Override
      public void slackCall(String method, SlackResult result) {
        none.slackCall(method, result);
      }

      @Override
      public void outboxAttempt(
          String method, OutboxOutcome outcome, java.time.Duration retryAfter) {
        none.outboxAttempt(method, outcome, retryAfter);
      }

      @Override
      public void iamCall(
          String operation, IamResult result, int throttledRetries, int otherRetries) {
        calls.add(
            operation
                + " "
                + result.name().toLowerCase(java.util.Locale.ROOT)
                + " throttled="
                + throttledRetries
                + " other="
                + otherRetries);
      }

      @Override
      public void acked(AckKind kind, Transport transport, long nanos) {
        none.acked(kind, transport, nanos);
      }

      @Override
      public void keysPastMaxAge(long count) {
        none.keysPastMaxAge(count);
      }
    };
  }
}
