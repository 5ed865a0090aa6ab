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
 * G is accumulated densely and the excluded entries' contributions are subtracted block by block
 * (unless one of them is not finite: excluded entries never influence the result). Both passes
 * run block by block, so each block of the k inputs is read from memory once per pass; the
 * Vector API loops ({@link VectorFold}) and the scalar loops here give the same bits.
 */
final class SlerpFold {
  /** Entries per block of the passes (the block of k models stays in cache across the pairs). */
  static final int BLOCK = 2048;

  /** Whether this JVM has the module {@code jdk.incubator.vector} ({@link VectorFold}). */
  static final boolean VECTOR_AVAILABLE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && wideVectors();

  /** Whether the CPU has 256-bit vectors (else the Vector API falls back to slow Java code). */
  private static boolean wideVectors() {
    return jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
  }

  /**
   * Whether the passes run on the Java Vector API (the same bits as the scalar loops): when the
   * module is present, unless {@code -Dcpift.vector=false}; {@link FoldKernels} switches it.
   */
  static volatile boolean vector = VECTOR_AVAILABLE
      && !"false".equals(System.getProperty("cpift.vector"));

  private SlerpFold() {}

  /**
   * The fold of {@code xs} over the entries in {@code include} (all when null); the others get
   * {@code fill}'s value, or the first input's when {@code fill} is null.
   */
  static float[] combine(List<float[]> xs, BitSet include, double colinear,
      Interpolation.Fill fill) {
    float[][] x = xs.toArray(new float[0][]);
    int n = x[0].length;
    for (float[] v : x) {
      if (v.length != n) {
        throw new IllegalArgumentException("slerp of vectors of different lengths " + n + " and "
            + v.length);
      }
    }
    long[] inc = include == null ? null : include.toLongArray();
    double[] c = coefficients(gram(x, include), colinear);
    float[] out = new float[n];
    boolean vec = vector; // read once: a concurrent switch must not split a fold
    double[] acc = vec ? null : new double[BLOCK];
    int[] ex = new int[BLOCK];
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      if (vec) {
        VectorFold.combine(x, c, out, from, to);
      } else {
        combineBlock(x, c, out, from, to, acc);
      }
      // the excluded entries: filled, or the first input's values
      int m = excluded(inc, from, to, ex);
      for (int e = 0; e < m; e++) {
        int j = ex[e];
        out[j] = fill == null ? x[0][j] : fill.value(j);
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

  /**
   * Gram matrix over the included entries (all when {@code include} is null). With at least half
   * the entries included, it is accumulated block by block over every entry, each block's excluded
   * entries subtracted while the block is in cache; otherwise over the included entries alone.
   */
  static double[][] gram(float[][] x, BitSet include) {
    int k = x.length;
    int n = x[0].length;
    double[][] g = new double[k][k];
    if (include == null || include.cardinality() * 2L >= n) {
      if (!dense(x, include == null ? null : include.toLongArray(), g)) {
        // an excluded entry is not finite (∞ − ∞ would poison the dense sums): included only
        g = new double[k][k];
        sparse(x, include, g);
      }
    } else {
      sparse(x, include, g);
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < a; b++) {
        g[a][b] = g[b][a];
      }
    }
    return g;
  }

  /**
   * The entries of [from, to) not in {@code inc} (none when it is null), ascending, into
   * {@code out}; {@code from} is a multiple of 64. Returns how many.
   */
  private static int excluded(long[] inc, int from, int to, int[] out) {
    if (inc == null) {
      return 0;
    }
    int m = 0;
    for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
      // every entry beyond the set's last word is excluded
      for (long bits = w < inc.length ? ~inc[w] : -1L; bits != 0; bits &= bits - 1) {
        int j = (w << 6) + Long.numberOfTrailingZeros(bits);
        if (j >= to) {
          break;
        }
        out[m++] = j;
      }
    }
    return m;
  }

  private static void sparse(float[][] x, BitSet include, double[][] g) {
    int n = x[0].length;
    for (int j = include.nextSetBit(0); j >= 0 && j < n; j = include.nextSetBit(j + 1)) {
      addEntry(x, j, g);
    }
  }

  /**
   * Adds the upper triangle over the entries in {@code inc} (every entry when null) to {@code g},
   * block by block: per pair, lane r sums the products of the block's entries j ≡ r (mod 4) in
   * order (the remainder of a short last block goes to lane 0), the block's sum is
   * {@code (l0 + l1) + (l2 + l3)}, its excluded entries' products are subtracted in ascending
   * order, and the result is added to {@code g}. The Vector API and the scalar lane loops give
   * the same lane sums, so both paths give the same bits.
   *
   * @return false when an excluded entry is not finite (then {@code g} is garbage)
   */
  static boolean dense(float[][] x, long[] inc, double[][] g) {
    int k = x.length;
    int n = x[0].length;
    boolean vec = vector; // read once: a concurrent switch must not split a fold
    double[] lanes = new double[4 * k * (k + 1) / 2];
    double[] sums = new double[k * (k + 1) / 2];
    int[] ex = new int[BLOCK];
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      int vecEnd = from + ((to - from) & ~3);
      if (vec) {
        VectorFold.lanes(x, from, vecEnd, lanes);
      } else {
        lanes(x, from, vecEnd, lanes);
      }
      int pair = 0;
      for (int a = 0; a < k; a++) {
        float[] xa = x[a];
        for (int b = a; b < k; b++, pair++) {
          float[] xb = x[b];
          int l = 4 * pair;
          double s0 = lanes[l];
          for (int j = vecEnd; j < to; j++) {
            s0 += (double) xa[j] * xb[j];
          }
          sums[pair] = (s0 + lanes[l + 1]) + (lanes[l + 2] + lanes[l + 3]);
        }
      }
      int m = excluded(inc, from, to, ex);
      if (!(k == 5 ? subtract5(x, ex, m, sums) : subtract(x, ex, m, sums))) {
        return false;
      }
      pair = 0;
      for (int a = 0; a < k; a++) {
        for (int b = a; b < k; b++, pair++) {
          g[a][b] += sums[pair];
        }
      }
    }
    return true;
  }

  /**
   * Each pair's sum ({@code sums}, the upper triangle row by row) loses the products of the
   * entries {@code ex[0..m)} in ascending order (an entry's k values read and checked once for
   * all the pairs).
   *
   * @return false when one of these entries is not finite in some model (then {@code sums} is
   *     garbage)
   */
  static boolean subtract(float[][] x, int[] ex, int m, double[] sums) {
    int k = x.length;
    for (int e = 0; e < m; e++) {
      int j = ex[e];
      for (float[] xa : x) {
        if (!Float.isFinite(xa[j])) {
          return false;
        }
      }
      int pair = 0;
      for (int a = 0; a < k; a++) {
        double xa = x[a][j];
        for (int b = a; b < k; b++, pair++) {
          sums[pair] -= xa * x[b][j];
        }
      }
    }
    return true;
  }

  /**
   * {@link #subtract} for five models, the same operations in the same order with the 15 sums in
   * locals (2.3× faster than the loop over an array, whose every subtraction waits on a store).
   */
  static boolean subtract5(float[][] x, int[] ex, int m, double[] sums) {
    float[] x0 = x[0];
    float[] x1 = x[1];
    float[] x2 = x[2];
    float[] x3 = x[3];
    float[] x4 = x[4];
    double s00 = sums[0];
    double s01 = sums[1];
    double s02 = sums[2];
    double s03 = sums[3];
    double s04 = sums[4];
    double s11 = sums[5];
    double s12 = sums[6];
    double s13 = sums[7];
    double s14 = sums[8];
    double s22 = sums[9];
    double s23 = sums[10];
    double s24 = sums[11];
    double s33 = sums[12];
    double s34 = sums[13];
    double s44 = sums[14];
    for (int e = 0; e < m; e++) {
      int j = ex[e];
      float f0 = x0[j];
      float f1 = x1[j];
      float f2 = x2[j];
      float f3 = x3[j];
      float f4 = x4[j];
      if (!(Float.isFinite(f0) && Float.isFinite(f1) && Float.isFinite(f2) && Float.isFinite(f3)
          && Float.isFinite(f4))) {
        return false;
      }
      double a0 = f0;
      double a1 = f1;
      double a2 = f2;
      double a3 = f3;
      double a4 = f4;
      s00 -= a0 * a0;
      s01 -= a0 * a1;
      s02 -= a0 * a2;
      s03 -= a0 * a3;
      s04 -= a0 * a4;
      s11 -= a1 * a1;
      s12 -= a1 * a2;
      s13 -= a1 * a3;
      s14 -= a1 * a4;
      s22 -= a2 * a2;
      s23 -= a2 * a3;
      s24 -= a2 * a4;
      s33 -= a3 * a3;
      s34 -= a3 * a4;
      s44 -= a4 * a4;
    }
    sums[0] = s00;
    sums[1] = s01;
    sums[2] = s02;
    sums[3] = s03;
    sums[4] = s04;
    sums[5] = s11;
    sums[6] = s12;
    sums[7] = s13;
    sums[8] = s14;
    sums[9] = s22;
    sums[10] = s23;
    sums[11] = s24;
    sums[12] = s33;
    sums[13] = s34;
    sums[14] = s44;
    return true;
  }

  /**
   * The reference lane sums of every pair (a ≤ b, row by row) over [from, vecEnd), a multiple of
   * 4 entries: {@code lanes[4p + r]} sums the products of the entries j ≡ r (mod 4) in order.
   */
  static void lanes(float[][] x, int from, int vecEnd, double[] lanes) {
    int k = x.length;
    int pair = 0;
    for (int a = 0; a < k; a++) {
      float[] xa = x[a];
      for (int b = a; b < k; b++, pair++) {
        float[] xb = x[b];
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int j = from; j < vecEnd; j += 4) {
          s0 += (double) xa[j] * xb[j];
          s1 += (double) xa[j + 1] * xb[j + 1];
          s2 += (double) xa[j + 2] * xb[j + 2];
          s3 += (double) xa[j + 3] * xb[j + 3];
        }
        lanes[4 * pair] = s0;
        lanes[4 * pair + 1] = s1;
        lanes[4 * pair + 2] = s2;
        lanes[4 * pair + 3] = s3;
      }
    }
  }

  private static void addEntry(float[][] x, int j, double[][] g) {
    int k = x.length;
    for (int a = 0; a < k; a++) {
      double xa = x[a][j];
      for (int b = a; b < k; b++) {
        g[a][b] += xa * x[b][j];
      }
    }
  }
  /** The reference {@code out[j] = Σ c_a x_a[j]} over [from, to), in double, rounded once. */
  static void combineBlock(float[][] x, double[] c, float[] out, int from, int to,
      double[] acc) {
    int len = to - from;
    int k = x.length;
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
