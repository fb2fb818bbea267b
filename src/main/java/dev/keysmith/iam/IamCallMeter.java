package dev.keysmith.iam;

import dev.keysmith.core.Metrics;
import java.util.List;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Counts every IAM and STS call in {@link Metrics}, as the AWS SDK reports it once the call ends:
 * its operation, how it ended, and the attempts retried because IAM throttled or for another
 * failure. Published on the calling thread; nothing here is kept.
 */
public final class IamCallMeter implements MetricPublisher {
  // The SDK's names for an attempt's failure (CoreMetric.ERROR_TYPE).
  private static final String THROTTLING = "Throttling";
  private static final String TIMEOUT = "ConfiguredTimeout";
  private static final String IO = "IO";

  private final Metrics metrics;

  public IamCallMeter(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void publish(MetricCollection call) {
    List<String> operation = call.metricValues(CoreMetric.OPERATION_NAME);
    if (operation.isEmpty()) {
      return;
    }
    boolean ok = call.metricValues(CoreMetric.API_CALL_SUCCESSFUL).contains(true);
    List<MetricCollection> attempts =
        call.children().stream().filter(c -> "ApiCallAttempt".equals(c.name())).toList();
    int throttled = 0;
    int other = 0;
    Metrics.IamResult last = ok ? Metrics.IamResult.OK : Metrics.IamResult.UNAVAILABLE;
    for (int i = 0; i < attempts.size(); i++) {
      Metrics.IamResult result = result(attempts.get(i));
      boolean retried = i < attempts.size() - 1;
      if (retried) {
        if (result == Metrics.IamResult.THROTTLED) {
          throttled++;
        } else {
          other++;
        }
      } else if (!ok) {
        last = result;
      }
    }
    metrics.iamCall(operation.get(0), last, throttled, other);
  }

  /** How one attempt ended. */
  private static Metrics.IamResult result(MetricCollection attempt) {
    List<String> error = attempt.metricValues(CoreMetric.ERROR_TYPE);
    if (error.isEmpty()) {
      return Metrics.IamResult.OK;
    }
    List<Integer> status = attempt.metricValues(HttpMetric.HTTP_STATUS_CODE);
    return switch (error.get(0)) {
      case THROTTLING -> Metrics.IamResult.THROTTLED;
      case TIMEOUT, IO -> Metrics.IamResult.UNAVAILABLE;
      // The SDK's "ServerError" is any error the service answered, a 404 as well as a 500.
      default ->
          status.isEmpty()
              ? Metrics.IamResult.UNAVAILABLE
              : status.get(0) >= 500
                  ? Metrics.IamResult.SERVER_ERROR
                  : Metrics.IamResult.CLIENT_ERROR;
    };
  }

  @Override
  public void close() {}
}
