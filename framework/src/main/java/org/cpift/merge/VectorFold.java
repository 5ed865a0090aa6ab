package org.cpift.merge;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SlerpFold}'s two passes on the Java Vector API (the incubator module
 * {@code jdk.incubator.vector}), giving the same bits as the scalar loops they replace.
 *
 * <p>The Gram pass keeps the scalar loop's summation order exactly: per block of
 * {@link SlerpFold#BLOCK} entries and per pair (a, b), lane r of a 4-wide double accumulator adds
 * the products of the entries j ≡ r (mod 4) in order, as the scalar loop's {@code s0..s3} do; a
 * float × float product is exact in double, so multiply-then-add here rounds as the scalar loop
 * does (no fused multiply-add, which is emulated in Java on CPUs without it). Speed comes from doing up to four pairs of one row at once (independent
 * chains sharing the row's load) while the block stays in cache. The combining pass multiplies and
 * adds in the scalar order (no fused multiply-add: the coefficients are not exact products).
 * Each loop has fixed shapes (no arrays of vectors), which C2 needs to keep vectors in registers.
 *
 * <p>Only loaded when the module is present ({@link SlerpFold#VECTOR}); the launcher and the tests
 * add it, any other JVM uses the scalar loops.
 */
final class VectorFold {
  private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
  private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

  private VectorFold() {}

  /**
   * {@link SlerpFold#lanes}: the lane sums of every pair (a ≤ b, row by row) over
   * [from, vecEnd), a multiple of 4 entries.
   */
  static void lanes(float[][] x, int from, int vecEnd, double[] lanes) {
    int k = x.length;
    int pair = 0;
    for (int a = 0; a < k; a++) {
      float[] xa = x[a];
      int b = a;
      for (; b + 3 < k; b += 4, pair += 4) {
        four(xa, x[b], x[b + 1], x[b + 2], x[b + 3], from, vecEnd, lanes, 4 * pair);
      }
      for (; b + 1 < k; b += 2, pair += 2) {
        two(xa, x[b], x[b + 1], from, vecEnd, lanes, 4 * pair);
      }
      if (b < k) {
        one(xa, x[b], from, vecEnd, lanes, 4 * pair);
        pair++;
      }
    }
  }

  /** Lane sums of the pairs (a, b) … (a, b + 3) into {@code lanes[at..at + 16)}. */
  private static void four(float[] xa, float[] x0, float[] x1, float[] x2, float[] x3, int from,
      int vecEnd, double[] lanes, int at) {
    DoubleVector s0 = DoubleVector.zero(D4);
    DoubleVector s1 = s0;
    DoubleVector s2 = s0;
    DoubleVector s3 = s0;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector va = widen(xa, j);
      s0 = va.mul(widen(x0, j)).add(s0);
      s1 = va.mul(widen(x1, j)).add(s1);
      s2 = va.mul(widen(x2, j)).add(s2);
      s3 = va.mul(widen(x3, j)).add(s3);
    }
    s0.intoArray(lanes, at);
    s1.intoArray(lanes, at + 4);
    s2.intoArray(lanes, at + 8);
    s3.intoArray(lanes, at + 12);
  }

  private static void two(float[] xa, float[] x0, float[] x1, int from, int vecEnd,
      double[] lanes, int at) {
    DoubleVector s0 = DoubleVector.zero(D4);
    DoubleVector s1 = s0;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector va = widen(xa, j);
      s0 = va.mul(widen(x0, j)).add(s0);
      s1 = va.mul(widen(x1, j)).add(s1);
    }
    s0.intoArray(lanes, at);
    s1.intoArray(lanes, at + 4);
  }

  private static void one(float[] xa, float[] x0, int from, int vecEnd, double[] lanes,
      int at) {
    DoubleVector s0 = DoubleVector.zero(D4);
    for (int j = from; j < vecEnd; j += 4) {
      s0 = widen(xa, j).mul(widen(x0, j)).add(s0);
    }
    s0.intoArray(lanes, at);
  }

  private static DoubleVector widen(float[] v, int j) {
    return (DoubleVector) FloatVector.fromArray(F4, v, j)
        .convertShape(VectorOperators.F2D, D4, 0);
  }

  /** {@link SlerpFold#combineBlock}: {@code out[j] = Σ c_a x_a[j]} over [from, to). */
  static void combine(float[][] x, double[] c, float[] out, int from, int to) {
    int k = x.length;
    int vecEnd = from + ((to - from) & ~3);
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector acc = widen(x[0], j).mul(c0);
      for (int a = 1; a < k; a++) {
        acc = acc.add(widen(x[a], j).mul(c[a]));
      }
      ((FloatVector) acc.convertShape(VectorOperators.D2F, F4, 0)).intoArray(out, j);
    }
    for (int j = vecEnd; j < to; j++) {
      double acc = c[0] * x[0][j];
      for (int a = 1; a < k; a++) {
        acc += c[a] * x[a][j];
      }
      out[j] = (float) acc;
    }
  }
}
