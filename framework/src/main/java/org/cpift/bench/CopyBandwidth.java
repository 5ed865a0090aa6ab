package org.cpift.bench;

import java.util.stream.IntStream;

/**
 * The memory bandwidth merging is measured against: {@code System.arraycopy} of a float array far
 * larger than the caches, split over {@code threads} threads, counted as bytes read plus bytes
 * written.
 */
public final class CopyBandwidth {
  private CopyBandwidth() {}

  /** One measurement. */
  public record Result(long bytes, int threads, double medianSeconds, double gbPerSecond) {}

  public static Result run(int floats, int warmup, int repeats, int threads) {
    if (threads < 1 || floats < threads) {
      throw new IllegalArgumentException("need threads >= 1 and at least one float per thread");
    }
    float[] src = new float[floats];
    float[] dst = new float[floats];
    for (int i = 0; i < floats; i++) {
      src[i] = i;
    }
    int chunk = (floats + threads - 1) / threads;
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
    try {
      double sec = Timing.medianSeconds(warmup, repeats, () -> pool.submit(() ->
          IntStream.range(0, threads).parallel().forEach(k -> {
            int from = k * chunk;
            int len = Math.min(floats, from + chunk) - from;
            System.arraycopy(src, from, dst, from, len);
          })).get());
      if (dst[floats - 1] != src[floats - 1]) {
        throw new IllegalStateException("copy check failed");
      }
      long bytes = 2L * 4 * floats;
      return new Result(bytes, threads, sec, bytes / sec / 1e9);
    } finally {
      pool.shutdown();
    }
  }
}
