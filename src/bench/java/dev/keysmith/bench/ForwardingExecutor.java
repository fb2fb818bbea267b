package dev.keysmith.bench;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** An executor service that wraps each task before handing it to another. */
final class ForwardingExecutor extends AbstractExecutorService {
  private final ExecutorService delegate;
  private final UnaryOperator<Runnable> wrap;

  ForwardingExecutor(ExecutorService delegate, UnaryOperator<Runnable> wrap) {
    this.delegate = delegate;
    this.wrap = wrap;
  }

  @Override
  public void execute(Runnable command) {
    delegate.execute(wrap.apply(command));
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }
}
