package org.cpift.merge;

import java.util.BitSet;
import java.util.List;

/**
 * The folded SLERP of k vectors, {@code m1 = x1}, {@code mk = slerp(m(k−1), xk; 1/k)}, computed in
 * two passes instead of k − 1. Every intermediate {@code m} is a linear combination
 * {@code Σ c_i x_i}, so the angles and norms each fold step needs follow from the Gram matrix
 * {@code G_ij = <x_i, x_j>} over the included entries: one pass accumulates G (in double), the
 * coefficients are folded on k×k numbers by {@link Slerp}'s rule (linear when nearly colinear or a
 * norm is tiny), and a second pass writes {@code Σ c_i x_i}. The result equals the pairwise fold
 * up to float rounding (this one rounds once, at the end). With a mask that excludes few entries,
 * G is accumulated densely and the excluded entries' contributions are subtracted (unless one of
 * them is not finite: excluded entries never influence the result).
 */
final class SlerpFold {
  private SlerpFold() {}

  static float[] combine(List<float[]> xs, BitSet include, double colinear) {
    int k = xs.size();
    float[][] x = xs.toArray(new float[0][]);
    int n = x[0].length;
    for (float[] v : x) {
      if (v.length != n) {
        throw new IllegalArgumentException("slerp of vectors of different lengths " + n + " and "
            + v.length);
      }
    }
    double[] c = coefficients(gram(x, include), colinear);
    float[] out = new float[n];
    combineInto(x, c, out);
    if (include != null) {
      for (int j = include.nextClearBit(0); j < n; j = include.nextClearBit(j + 1)) {
        out[j] = x[0][j];
      }
    }
    return out;
  }

  /** The fold's coefficients from the Gram matrix of the inputs. */
  static double[] coefficients(double[][] g, double colinear) {
    int k = g.length;
    double[] c = new double[k];
    c[0] = 1;
    for (int s = 1; s < k; s++) {
      double t = 1.0 / (s + 1);
      double dot = 0;
      double mm = 0;
      for (int i = 0; i < s; i++) {
        dot += c[i] * g[i][s];
        for (int j = 0; j < s; j++) {
          mm += c[i] * c[j] * g[i][j];
        }
      }
      double na = Math.sqrt(Math.max(0, mm));
      double nb = Math.sqrt(Math.max(0, g[s][s]));
      double[] w = Slerp.weights(dot, na, nb, t, colinear);
      double wa = w[0];
      double wb = w[1];
      for (int i = 0; i < s; i++) {
        c[i] *= wa;
      }
      c[s] = wb;
    }
    return c;
  }

  /** Gram matrix over the included entries (all when {@code include} is null). */
  static double[][] gram(float[][] x, BitSet include) {
    int k = x.length;
    int n = x[0].length;
    double[][] g = new double[k][k];
    if (include == null || include.cardinality() * 2L >= n && excludedFinite(x, include)) {
      dense(x, g);
      if (include != null) {
        // subtract the excluded entries
        for (int j = include.nextClearBit(0); j < n; j = include.nextClearBit(j + 1)) {
          addEntry(x, j, g, -1);
        }
      }
    } else {
      for (int j = include.nextSetBit(0); j >= 0 && j < n; j = include.nextSetBit(j + 1)) {
        addEntry(x, j, g, 1);
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < a; b++) {
        g[a][b] = g[b][a];
      }
    }
    return g;
  }

  /** Whether every excluded entry is finite (∞ − ∞ would otherwise poison the dense sums). */
  private static boolean excludedFinite(float[][] x, BitSet include) {
    int n = x[0].length;
    for (int j = include.nextClearBit(0); j < n; j = include.nextClearBit(j + 1)) {
      for (float[] v : x) {
        if (!Float.isFinite(v[j])) {
          return false;
        }
      }
    }
    return true;
  }

  private static void addEntry(float[][] x, int j, double[][] g, double sign) {
    int k = x.length;
    for (int a = 0; a < k; a++) {
      double xa = x[a][j] * sign;
      for (int b = a; b < k; b++) {
        g[a][b] += xa * x[b][j];
      }
    }
  }

  /** Upper triangle of the Gram matrix over every entry, one pass, row by row. */
  private static void dense(float[][] x, double[][] g) {
    int k = x.length;
    int n = x[0].length;
    final int block = 2048;
    for (int from = 0; from < n; from += block) {
      int to = Math.min(n, from + block);
      for (int a = 0; a < k; a++) {
        float[] xa = x[a];
        for (int b = a; b < k; b++) {
          float[] xb = x[b];
          double s0 = 0;
          double s1 = 0;
          double s2 = 0;
          double s3 = 0;
          int j = from;
          for (; j + 3 < to; j += 4) {
            s0 += (double) xa[j] * xb[j];
            s1 += (double) xa[j + 1] * xb[j + 1];
            s2 += (double) xa[j + 2] * xb[j + 2];
            s3 += (double) xa[j + 3] * xb[j + 3];
          }
          for (; j < to; j++) {
            s0 += (double) xa[j] * xb[j];
          }
          g[a][b] += (s0 + s1) + (s2 + s3);
        }
      }
    }
  }

  private static void combineInto(float[][] x, double[] c, float[] out) {
    int n = out.length;
    int k = x.length;
    final int block = 2048;
    double[] acc = new double[block];
    for (int from = 0; from < n; from += block) {
      int len = Math.min(n, from + block) - from;
      float[] x0 = x[0];
      double c0 = c[0];
      for (int j = 0; j < len; j++) {
        acc[j] = c0 * x0[from + j];
      }
      for (int a = 1; a < k; a++) {
        float[] xa = x[a];
        double ca = c[a];
        for (int j = 0; j < len; j++) {
          acc[j] += ca * xa[from + j];
        }
      }
      for (int j = 0; j < len; j++) {
        out[from + j] = (float) acc[j];
      }
    }
  }
}
