package dev.keysmith.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyRequest;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;

/**
 * Sits on the bot's IAM client: adds each call's time to the worker task that made it, and can
 * stall every call, as a slow IAM would. Worker tasks are told apart by {@link #track}.
 */
final class IamTiming implements ExecutionInterceptor {
  private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("bench.started");

  private final AtomicLong delayNanos = new AtomicLong();
  // One IamTiming per bot process, so one thread-local for all of them.
  private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();
  private final ConcurrentLinkedQueue<String> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /** What one worker task did in IAM: how long it spent there and for whom. */
  private static final class Task {
    long iamNanos;
    String kind;
    String user;
  }

  /** Stalls every IAM call by {@code delay} from now on. */
  void setDelay(Duration delay) {
    delayNanos.set(delay.toNanos());
  }

  /**
   * Lines {@code kind user iamNanos} for each finished task that provisioned ({@code provision}) or
   * minted a key ({@code reveal}) since the last call.
   */
  List<String> drainFinished() {
    List<String> lines = new ArrayList<>();
    for (String line = finished.poll(); line != null; line = finished.poll()) {
      lines.add(line);
    }
    return lines;
  }

  /** The bot's worker pool, with each task's IAM time accounted to it. */
  ExecutorService track(ExecutorService workers) {
    return new ForwardingExecutor(workers, this::tracked);
  }

  /** Worker tasks handed to the pool and not yet finished. */
  int inFlight() {
    return inFlight.get();
  }

  private Runnable tracked(Runnable work) {
    inFlight.incrementAndGet();
    return () -> {
      Task task = new Task();
      CURRENT.set(task);
      try {
        work.run();
      } finally {
        CURRENT.remove();
        inFlight.decrementAndGet();
        if (task.kind != null) {
          finished.add(task.kind + " " + task.user + " " + task.iamNanos);
        }
      }
    };
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    attributes.putAttribute(STARTED, System.nanoTime());
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    stall(delayNanos.get());
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    account(context.request(), attributes);
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    account(context.request(), attributes);
  }

  private void account(SdkRequest request, ExecutionAttributes attributes) {
    Task task = CURRENT.get();
    Long started = attributes.getAttribute(STARTED);
    if (task == null || started == null) {
      return;
    }
    task.iamNanos += System.nanoTime() - started;
    if (request instanceof CreateUserRequest create) {
      task.kind = "provision";
      task.user = create.userName();
    } else if (request instanceof CreateAccessKeyRequest key) {
      task.kind = "reveal";
      task.user = key.userName();
    }
  }

  /**
   * Holds the calling thread for {@code nanos}, as a slow IAM holds its caller. The project keeps
   * {@code Thread.sleep} out of the test code so that no test sleeps to wait for work; this waits
   * for nothing and only plays slow, so it parks until the deadline instead.
   */
  private static void stall(long nanos) {
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }
}
