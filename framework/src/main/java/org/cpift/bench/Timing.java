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

  /**
   * Seconds of each body's first call and the median of its timed calls.
   *
   * @param first the first (cold: class loading, JIT compilation) call of each body
   * @param median the median of each body's timed calls
   */
  public record Interleaved(double[] first, double[] median) {}

  /**
   * Times several bodies that do the same work in turn, so that a machine whose load drifts
   * slows each alike: every body once (the first calls, untimed beyond that), {@code warmup - 1}
   * more rounds untimed, then {@code repeats} rounds, each running every body once.
   */
  public static Interleaved interleaved(int warmup, int repeats, Body... bodies) {
    if (repeats < 1 || warmup < 1) {
      throw new IllegalArgumentException("repeats and warmup must be >= 1");
    }
    int m = bodies.length;
    double[] first = new double[m];
    double[][] s = new double[m][repeats];
    try {
      for (int w = 0; w < warmup; w++) {
        for (int b = 0; b < m; b++) {
          long t0 = System.nanoTime();
          bodies[b].run();
          if (w == 0) {
            first[b] = (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      for (int i = 0; i < repeats; i++) {
        for (int b = 0; b < m; b++) {
          long t0 = System.nanoTime();
          bodies[b].run();
          s[b][i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    double[] median = new double[m];
    for (int b = 0; b < m; b++) {
      median[b] = median(s[b]);
    }
    return new Interleaved(first, median);
  }

  /** The median of {@code xs} (mean of the middle two for even lengths). */
  public static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}
