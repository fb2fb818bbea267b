package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import com.sun.net.httpserver.HttpServer;
import dev.keysmith.core.Liveness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

class AwsClientsTest {
  @Test
  void lazily_makesTheClientOnFirstUseOnly_andClosesOnlyWhatItMade() {
    AtomicInteger made = new AtomicInteger();
    IamClient client = mock(IamClient.class);
    AwsClients.Lazy<IamClient> lazy =
        AwsClients.lazily(
            () -> {
              made.incrementAndGet();
              return client;
            });
    assertEquals(0, made.get(), "nothing made before first use");

    assertSame(client, lazy.get());
    assertSame(client, lazy.get());
    assertEquals(1, made.get());

    lazy.close();
    verify(client).close();
  }

  @Test
  void lazily_closedBeforeUse_makesNothing() {
    AtomicInteger made = new AtomicInteger();
    AwsClients.Lazy<IamClient> lazy =
        AwsClients.lazily(
            () -> {
              made.incrementAndGet();
              return mock(IamClient.class);
            });

    lazy.close();

    assertEquals(0, made.get());
  }

  @Test
  void iamCall_endpointThatNeverAnswers_failsWithinTheCallTimeout() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // accepted, read from by nobody, never answered
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());
      StaticCredentialsProvider credentials =
          StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
      AwsClients.Timeouts shortened =
          new AwsClients.Timeouts(
              Duration.ofMillis(500),
              Duration.ofSeconds(5), // longer than the call: the call timeout must cut it
              Duration.ofMillis(600),
              Duration.ofMillis(1500));
      try (IamClient iam = AwsClients.iam(endpoint, credentials, List.of(), shortened);
          StsClient sts = AwsClients.sts(endpoint, credentials)) {
        AwsIamGateway gateway = new AwsIamGateway(iam, sts, new Liveness(Clock.systemUTC()));

        long started = System.nanoTime();
        // Without the timeouts the Apache client waits 30 s per read, and retries twice.
        IamException failed =
            assertTimeoutPreemptively(
                Duration.ofSeconds(6), () -> assertThrows(IamException.class, gateway::groupNames));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "took " + took);
        assertTrue(!accepted.isEmpty(), "the call reached the silent endpoint");
        assertTrue(failed.getMessage() != null && !failed.getMessage().isBlank());
        assertTrue(failed.isTransient(), "a silent IAM is one to ask again later");
      }
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void iamCall_throttledFourTimesInARow_succeedsOnItsOwnRetries() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer iamStub =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    iamStub.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          boolean throttled = calls.incrementAndGet() <= 4;
          byte[] body =
              (throttled
                      ? "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                          + "<Message>Rate exceeded</Message></Error><RequestId>r</RequestId>"
                          + "</ErrorResponse>"
                      : "<ListAccountAliasesResponse><ListAccountAliasesResult><IsTruncated>false"
                          + "</IsTruncated><AccountAliases><member>acme</member></AccountAliases>"
                          + "</ListAccountAliasesResult><ResponseMetadata><RequestId>r</RequestId>"
                          + "</ResponseMetadata></ListAccountAliasesResponse>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/xml");
          exchange.sendResponseHeaders(throttled ? 400 : 200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    iamStub.start();
    try (IamClient iam =
        AwsClients.iam(
            URI.create("http://127.0.0.1:" + iamStub.getAddress().getPort()),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))) {
      // The SDK's standard strategy stops after 3 attempts.
      assertEquals(List.of("acme"), iam.listAccountAliases().accountAliases());
      assertEquals(5, calls.get());
    } finally {
      iamStub.stop(0);
    }
  }

  @Test
  void missingCredentials_found_isEmpty() {
    assertEquals(
        Optional.empty(),
        AwsClients.missingCredentials(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret"))));
  }

  @Test
  void missingCredentials_noneInTheChain_saysWhereTheSdkLooks_inOneLine() {
    AwsCredentialsProvider none =
        () -> {
          throw SdkClientException.create(
              "Unable to load credentials from any of the providers in the chain"
                  + " AwsCredentialsProviderChain(credentialsProviders=[...])");
        };

    String said = AwsClients.missingCredentials(none).orElseThrow();

    assertEquals("no AWS credentials found. " + AwsClients.WHERE_CREDENTIALS_COME_FROM, said);
    assertFalse(said.contains("\n"));
  }

  @Test
  void missingCredentials_foundButUnusable_givesTheSdksFirstLineOnly() {
    AwsCredentialsProvider expired =
        () -> {
          throw SdkClientException.create(
              "The SSO session associated with this profile has expired\n\tat somewhere");
        };

    assertEquals(
        Optional.of(
            "the AWS credentials found cannot be used: The SSO session associated with this"
                + " profile has expired"),
        AwsClients.missingCredentials(expired));
  }
}
