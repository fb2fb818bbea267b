package dev.keysmith.iam;

import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds Keysmith's AWS clients. Call each factory once at startup, share the client and close it
 * on shutdown. Endpoints come from the SDK itself, which honours {@code AWS_ENDPOINT_URL}.
 */
public final class AwsClients {
  private AwsClients() {}

  /** An IAM client for the real AWS, with the default credentials chain. */
  public static IamClient iam() {
    return IamClient.builder()
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(List.of()))
        .build();
  }

  /** An STS client for the real AWS, in the configured region or else us-east-1. */
  public static StsClient sts() {
    return StsClient.builder()
        .region(configuredRegionOr(Region.US_EAST_1))
        .overrideConfiguration(overrides(List.of()))
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
        .overrideConfiguration(overrides(List.of()))
        .build();
  }

  static IamClient iam(
      URI endpoint, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
    return IamClient.builder()
        .endpointOverride(endpoint)
        .credentialsProvider(credentials)
        .region(Region.AWS_GLOBAL)
        .overrideConfiguration(overrides(interceptors))
        .build();
  }

  // The SDK's default retry mode is LEGACY; STANDARD backs off on throttling with jitter.
  private static ClientOverrideConfiguration overrides(List<ExecutionInterceptor> interceptors) {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(RetryMode.STANDARD)
        .executionInterceptors(interceptors)
        .build();
  }

  private static Region configuredRegionOr(Region fallback) {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException noRegionConfigured) {
      return fallback;
    }
  }
}
