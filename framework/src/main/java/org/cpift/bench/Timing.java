package org.cpift.bench;

import java.util.Arrays;

/** Repeat-and-take-the-median timing shared by the benchmarks. */
public final class Timing {
  private Timing() {}

  /** Something timed once per call. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /** Median seconds of {@code repeats} calls after {@code warmup} untimed ones. */
  public static double medianSeconds(int warmup, int repeats, Body body) {
    if (repeats < 1 || warmup < 0) {
      throw new IllegalArgumentException("repeats must be >= 1 and warmup >= 0");
    }
    try {
      for (int i = 0; i < warmup; i++) {
        body.run();
      }
      double[] s = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        body.run();
        s[i] = (System.nanoTime() - t0) / 1e9;
      }
      return median(s);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The median of {@code xs} (mean of the middle two for even lengths). */
  public static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}
