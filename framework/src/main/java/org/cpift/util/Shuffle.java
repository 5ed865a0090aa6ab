package org.cpift.util;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The project's one shuffle: Fisher–Yates from the last position down, drawing
 * {@code rnd.nextInt(i + 1)} for position {@code i}. Every seeded order in the project (data
 * batches, subsamples, stage orders, generated suites) is this sequence of draws, so changing it
 * changes every result and every generated file.
 */
public final class Shuffle {
  private Shuffle() {}

  /** Shuffles {@code list} in place. */
  public static <T> void inPlace(List<T> list, SplittableRandom rnd) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** A random permutation of {@code 0..n-1}. */
  public static int[] permutation(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
