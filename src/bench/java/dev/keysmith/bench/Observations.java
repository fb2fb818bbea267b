package dev.keysmith.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.testing.FakeSlackApi;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What the fake Slack saw, as it arrived, stamped with this process's {@link System#nanoTime}: the
 * approval posts and owner offers by request id, secret messages by response_url, and counts.
 */
final class Observations implements FakeSlackApi.Listener {
  final Map<String, Long> approvalPosted = new ConcurrentHashMap<>();
  final Map<String, Long> offerPosted = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> offersPerRequest = new ConcurrentHashMap<>();
  final Map<String, Long> secretShown = new ConcurrentHashMap<>();
  final AtomicInteger viewsOpened = new AtomicInteger();
  final AtomicInteger alreadyApproved = new AtomicInteger();
  final AtomicInteger calls = new AtomicInteger();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();

  @Override
  public void call(FakeSlackApi.Call call) {
    long now = System.nanoTime();
    calls.incrementAndGet();
    if (call.method().equals("views.open")) {
      viewsOpened.incrementAndGet();
    } else if (call.method().equals("chat.postMessage")) {
      String blocks = call.param("blocks");
      if (blocks != null && blocks.contains("keysmith_approve")) {
        String id = buttonValue(call.json("blocks"), "keysmith_approve");
        if (id != null) {
          approvalPosted.putIfAbsent(id, now);
        }
      } else if (blocks != null && blocks.contains("keysmith_get_credentials")) {
        String id = buttonValue(call.json("blocks"), "keysmith_get_credentials");
        if (id != null) {
          offerPosted.putIfAbsent(id, now);
          offersPerRequest.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
      }
    }
    signal();
  }

  @Override
  public void responseUrlPost(FakeSlackApi.ResponseUrlPost post) {
    long now = System.nanoTime();
    if (post.raw().contains("Credentials for")) {
      secretShown.putIfAbsent(post.url(), now);
    } else if (post.raw().contains("already approved")) {
      alreadyApproved.incrementAndGet();
    }
    signal();
  }

  /** Waits until {@code done} holds; fails naming {@code what} after {@code timeout}. */
  void await(String what, Duration timeout, BooleanSupplier done) {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!done.getAsBoolean()) {
        if (nanos <= 0) {
          throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
        }
        // Also wakes up now and then, for conditions about things other than the fake.
        nanos -= TimeUnit.MILLISECONDS.toNanos(100) - arrived.awaitNanos(100_000_000L);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted waiting for " + what, e);
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The value of the first button with {@code actionId} in {@code blocks}, or null. */
  private static String buttonValue(JsonNode blocks, String actionId) {
    if (blocks == null) {
      return null;
    }
    for (JsonNode block : blocks) {
      for (JsonNode element : block.path("elements")) {
        if (actionId.equals(element.path("action_id").asText())) {
          return element.path("value").asText(null);
        }
      }
      if (actionId.equals(block.path("accessory").path("action_id").asText())) {
        return block.path("accessory").path("value").asText(null);
      }
    }
    return null;
  }
}
