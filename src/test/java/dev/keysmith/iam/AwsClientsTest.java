package dev.keysmith.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;

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
}
