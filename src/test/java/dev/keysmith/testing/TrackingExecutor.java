package dev.keysmith.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real thread pool that knows how many of its tasks are still running, so a test can wait for the
 * work a handler started after its ack, without sleeping.
 */
public final class TrackingExecutor extends AbstractExecutorService {
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int running;

  @Override
  public void execute(Runnable task) {
    lock.lock();
    try {
      running++;
    } finally {
      lock.unlock();
    }
    try {
      pool.execute(
          () -> {
            try {
              task.run();
            } finally {
              done();
            }
          });
    } catch (RuntimeException e) {
      done();
      throw e;
    }
  }

  private void done() {
    lock.lock();
    try {
      running--;
      if (running == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no task is running or queued; fails the test after {@code timeout}. */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (running > 0) {
        if (nanos <= 0) {
          throw new AssertionError("background work still running after " + timeout);
        }
        nanos = idle.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void shutdown() {
    pool.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return pool.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return pool.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return pool.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.awaitTermination(timeout, unit);
  }
}
