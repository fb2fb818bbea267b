package dev.keysmith.iam;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds Keysmith's AWS clients. Call each factory once, share the client and close it on shutdown.
 * Endpoints come from the SDK itself, which honours {@code AWS_ENDPOINT_URL}.
 */
public final class AwsClients {
  private AwsClients() {}

  /**
   * How long an AWS call may take. IAM is called after the Slack ack, so Slack's 3 s rule does not
   * bound it, but a call that hangs (a silent endpoint, a dropped connection) would hold a worker
   * for good: each attempt gets {@code attempt}, the whole call with its retries {@code call}.
   */
  record Timeouts(Duration connect, Duration socket, Duration attempt, Duration call) {
    static final Timeouts DEFAULT =
        new Timeouts(
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(15));
  }

  /**
   * A client made by {@code build} when first asked for rather than now. Making the first AWS
   * client loads most of the SDK, about a second on 2 cores, which Keysmith's start-up does not
   * wait for: its first IAM call comes from a worker after Keysmith listens.
   */
  public static <T extends SdkClient> Lazy<T> lazily(Supplier<T> build) {
    return new Lazy<>(build);
  }

  /** A client made on first use; closing it closes the client if it was made. */
  public static final class Lazy<T extends SdkClient> implements Supplier<T>, AutoCloseable {
    private final Supplier<T> build;
    private volatile @Nullable T client; // written under this

    private Lazy(Supplier<T> build) {
      this.build = build;
    }

    @Override
    public T get() {
      T made = client;
      if (made != null) {
        return made; // every IAM call passes here: no lock once the client is made
      }
      synchronized (this) {
        if (client == null) {
          client = build.get();
        }
        return client;
      }
    }

    @Override
    public synchronized void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  /** An IAM client for the real AWS, with the default credentials chain. */
  public static IamClient iam() {
    return iam(List.of());
  }

  /** The same, whose calls {@code publishers} are told about (an {@link IamCallMeter}). */
  public static IamClient iam(List<MetricPublisher> publishers) {
    return IamClient.builder()
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(List.of(), publishers, Timeouts.DEFAULT))
        .httpClientBuilder(http(Timeouts.DEFAULT))
        .build();
  }

  /** An STS client for the real AWS, in the configured region or else us-east-1. */
  public static StsClient sts() {
    return sts(List.of());
  }

  /** The same, whose calls {@code publishers} are told about. */
  public static StsClient sts(List<MetricPublisher> publishers) {
    return StsClient.builder()
        .region(configuredRegionOr(Region.US_EAST_1))
        .overrideConfiguration(overrides(List.of(), publishers, Timeouts.DEFAULT))
        .httpClientBuilder(http(Timeouts.DEFAULT))
        .build();
  }

  /** An IAM client for an emulator or test endpoint. */
  public static IamClient iam(URI endpoint, AwsCredentialsProvider credentials) {
    return iam(endpoint, credentials, List.of());
  }

  /** An STS client for an emulator or test endpoint. */
  public static StsClient sts(URI endpoint, AwsCredentialsProvider credentials) {
    return StsClient.builder()
        .endpointOverride(endpoint)
        .credentialsProvider(credentials)
        // With an explicit endpoint the region only names the signing scope; a fixed one keeps
        // tests from probing instance metadata for it.
        .region(Region.US_EAST_1)
        .overrideConfiguration(overrides(List.of(), Timeouts.DEFAULT))
        .httpClientBuilder(http(Timeouts.DEFAULT))
        .build();
  }

  /** An IAM client for an emulator or test endpoint, whose calls {@code interceptors} see. */
  public static IamClient iam(
      URI endpoint, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
    return iam(endpoint, credentials, interceptors, Timeouts.DEFAULT);
  }

  /** The same, whose calls {@code publishers} are also told about once each ends. */
  public static IamClient iam(
      URI endpoint,
      AwsCredentialsProvider credentials,
      List<ExecutionInterceptor> interceptors,
      List<MetricPublisher> publishers) {
    return IamClient.builder()
        .endpointOverride(endpoint)
        .credentialsProvider(credentials)
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(interceptors, publishers, Timeouts.DEFAULT))
        .httpClientBuilder(http(Timeouts.DEFAULT))
        .build();
  }

  /**
   * The same over {@code http}, which a test wraps (to inject faults on the wire, say) around
   * {@link #httpClient()}.
   */
  public static IamClient iam(
      URI endpoint,
      AwsCredentialsProvider credentials,
      List<ExecutionInterceptor> interceptors,
      SdkHttpClient http) {
    return IamClient.builder()
        .endpointOverride(endpoint)
        .credentialsProvider(credentials)
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(interceptors, Timeouts.DEFAULT))
        .httpClient(http)
        .build();
  }

  /** The HTTP client Keysmith's AWS clients use, with its connect and read timeouts. */
  public static SdkHttpClient httpClient() {
    return http(Timeouts.DEFAULT).build();
  }

  static IamClient iam(
      URI endpoint,
      AwsCredentialsProvider credentials,
      List<ExecutionInterceptor> interceptors,
      Timeouts timeouts) {
    return IamClient.builder()
        .endpointOverride(endpoint)
        .credentialsProvider(credentials)
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(interceptors, timeouts))
        .httpClientBuilder(http(timeouts))
        .build();
  }

  /**
   * The SDK's default retry mode is LEGACY; STANDARD backs off with jitter, but gives up after 3
   * attempts, so one call in 125 fails when IAM throttles a fifth of them. IAM publishes no
   * throttling rates: 8 attempts, throttled ones 0.2 s doubling to 2 s apart (at most about 9 s in
   * all, within the call timeout), make a throttled call fail about once in 400,000. Other failures
   * (5xx, no connection) wait less: what they hold up is carried on by a stored job anyway.
   */
  static RetryStrategy retryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(8)
        .backoffStrategy(
            BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofMillis(500)))
        .throttlingBackoffStrategy(
            BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(2)))
        .build();
  }

  private static ClientOverrideConfiguration overrides(
      List<ExecutionInterceptor> interceptors, Timeouts timeouts) {
    return overrides(interceptors, List.of(), timeouts);
  }

  private static ClientOverrideConfiguration overrides(
      List<ExecutionInterceptor> interceptors,
      List<MetricPublisher> publishers,
      Timeouts timeouts) {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(retryStrategy())
        .executionInterceptors(interceptors)
        .metricPublishers(publishers)
        .apiCallAttemptTimeout(timeouts.attempt())
        .apiCallTimeout(timeouts.call())
        .build();
  }

  // The Apache client's own defaults wait 2 s to connect and 30 s for each read.
  private static ApacheHttpClient.Builder http(Timeouts timeouts) {
    return ApacheHttpClient.builder()
        .connectionTimeout(timeouts.connect())
        .socketTimeout(timeouts.socket());
  }

  /** What the SDK's credentials chain says first when it finds none, whatever it lists after. */
  static final String NO_CREDENTIALS_SAYS = "Unable to load credentials";

  /** Where the AWS SDK looks for credentials, for a person who gave Keysmith none. */
  public static final String WHERE_CREDENTIALS_COME_FROM =
      "The AWS SDK looks in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then"
          + " in a profile (AWS_PROFILE, ~/.aws/credentials and ~/.aws/config, SSO included),"
          + " then for the instance or container role (EC2, ECS, EKS); give Keysmith one of these";

  /** Whether {@code failure}, or one of its causes, is the SDK finding no credentials at all. */
  public static boolean noCredentials(Throwable failure) {
    for (@Nullable Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.startsWith(NO_CREDENTIALS_SAYS)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Looks for credentials as Keysmith's clients will, through the SDK's default chain, without
   * calling AWS: empty when some are found, else what to do. Start-up asks, so that a Keysmith
   * without credentials stops with these words rather than showing people the SDK's at their first
   * request.
   */
  public static Optional<String> missingCredentials() {
    try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
      return missingCredentials(chain);
    }
  }

  /** As {@link #missingCredentials()}, through {@code credentials}. */
  static Optional<String> missingCredentials(AwsCredentialsProvider credentials) {
    try {
      var unused = credentials.resolveCredentials();
      return Optional.empty();
    } catch (SdkException e) {
      if (noCredentials(e)) {
        return Optional.of("no AWS credentials found. " + WHERE_CREDENTIALS_COME_FROM);
      }
      // Found but not usable (a profile that names no key, an SSO session that ran out): the
      // SDK's first line says which, without the list of every provider it tried.
      return Optional.of("the AWS credentials found cannot be used: " + firstLine(e.getMessage()));
    }
  }

  /** The first line of an SDK message, at most 300 characters. */
  public static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no reason given";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  private static Region configuredRegionOr(Region fallback) {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException noRegionConfigured) {
      return fallback;
    }
  }
}
