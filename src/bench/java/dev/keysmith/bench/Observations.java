package dev.keysmith.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysmith.testing.FakeSlackApi;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** Approvals messages posted, by request id (each should have exactly one). */
  final Map<String, AtomicInteger> approvalPosts = new ConcurrentHashMap<>();

  /** The state the approvals message of each request shows now (its last post or edit). */
  final Map<String, String> approvalState = new ConcurrentHashMap<>();

  /** When the approvals message of each request was last posted or edited. */
  final Map<String, Long> approvalLastAt = new ConcurrentHashMap<>();

  /** Edits of approvals messages Slack took, and those of them that showed a state not final. */
  final AtomicInteger approvalEdits = new AtomicInteger();

  final AtomicInteger approvalEditsNotFinal = new AtomicInteger();

  /** Calls refused past a rate limit, by method. */
  final Map<String, AtomicInteger> rateLimited = new ConcurrentHashMap<>();

  /** The text of an approvals message: {@code IAM user request <id> for <name>: <state>}. */
  private static final Pattern APPROVAL_TEXT =
      Pattern.compile("IAM user request (KS-[A-Z0-9]+) for \\S+: ([a-z_]+)");

  /** States an approvals message keeps once it shows them, in the benchmark's runs. */
  private static final Set<String> FINAL = Set.of("provisioned", "failed", "denied");

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();

  @Override
  public void call(FakeSlackApi.Call call) {
    long now = System.nanoTime();
    calls.incrementAndGet();
    if (call.method().equals("views.open")) {
      viewsOpened.incrementAndGet();
    } else if (call.method().equals("chat.update")) {
      Matcher m = APPROVAL_TEXT.matcher(String.valueOf(call.param("text")));
      if (m.matches()) {
        approvalEdits.incrementAndGet();
        if (!FINAL.contains(m.group(2))) {
          approvalEditsNotFinal.incrementAndGet();
        }
        approvalState.put(m.group(1), m.group(2));
        approvalLastAt.put(m.group(1), now);
      }
    } else if (call.method().equals("chat.postMessage")) {
      Matcher m = APPROVAL_TEXT.matcher(String.valueOf(call.param("text")));
      if (m.matches()) {
        approvalPosts.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
        approvalState.put(m.group(1), m.group(2));
        approvalLastAt.put(m.group(1), now);
      }
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
  public void rateLimited(FakeSlackApi.Call call, Duration retryAfter) {
    rateLimited.computeIfAbsent(call.method(), k -> new AtomicInteger()).incrementAndGet();
    signal();
  }

  /** Refusals past a rate limit of {@code method} so far. */
  int rateLimited(String method) {
    AtomicInteger n = rateLimited.get(method);
    return n == null ? 0 : n.get();
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
