package dev.keysmith.bench;

import java.util.Arrays;

/** Percentiles of a set of durations, in milliseconds, and the durations themselves. */
@SuppressWarnings("ArrayRecordComponent") // a sorted copy, only read; Stats are never compared
record Stats(int n, double p50, double p95, double p99, double max, long[] nanos) {
  static final Stats NONE =
      new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, new long[0]);

  /** Nearest-rank percentiles of {@code nanos}. */
  static Stats ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      return NONE;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Stats(
        sorted.length,
        millis(rank(sorted, 0.50)),
        millis(rank(sorted, 0.95)),
        millis(rank(sorted, 0.99)),
        millis(sorted[sorted.length - 1]),
        sorted);
  }

  /** The percentiles of both sets of durations together. */
  static Stats pooled(Stats a, Stats b) {
    long[] all = Arrays.copyOf(a.nanos, a.nanos.length + b.nanos.length);
    System.arraycopy(b.nanos, 0, all, a.nanos.length, b.nanos.length);
    return ofNanos(all);
  }

  private static long rank(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
