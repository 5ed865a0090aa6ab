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
 * does (no fused multiply-add, which is emulated in Java on CPUs without it). Speed comes from
 * independent chains sharing loads while the block stays in cache: for up to four models (five on
 * AVX-512) every pair at once, each model's entries loaded and widened once; for more, up to four
 * pairs of one row at a time. The combining pass multiplies and
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
   * Whether the CPU has 32 vector registers (AVX-512, whose preferred vectors are 512 bits), so
   * that the 15 accumulators and 5 rows of {@link #all5} stay in registers; with 16 (AVX2) they
   * would spill, and five models take {@link #split5}'s two loops.
   */
  private static final boolean MANY_REGISTERS =
      DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

  /**
   * {@link SlerpFold#lanes}: the lane sums of every pair (a ≤ b, row by row) over
   * [from, vecEnd), a multiple of 4 entries. Up to four models (five with 32 vector registers),
   * every pair at once: each model's 4 entries are loaded and widened once for all its pairs
   * (five models with 16 vector registers: two loops, {@link #split5}); beyond, up to four pairs of
   * one row at a time.
   */
  static void lanes(float[][] x, int from, int vecEnd, double[] lanes) {
    switch (x.length) {
      case 2 -> all2(x[0], x[1], from, vecEnd, lanes);
      case 3 -> all3(x[0], x[1], x[2], from, vecEnd, lanes);
      case 4 -> all4(x[0], x[1], x[2], x[3], from, vecEnd, lanes);
      case 5 -> {
        if (MANY_REGISTERS) {
          all5(x[0], x[1], x[2], x[3], x[4], from, vecEnd, lanes);
        } else {
          split5(x, from, vecEnd, lanes);
        }
      }
      default -> tiled(x, from, vecEnd, lanes);
    }
  }

  private static void all2(float[] x0, float[] x1, int from, int vecEnd, double[] lanes) {
    DoubleVector s00 = DoubleVector.zero(D4);
    DoubleVector s01 = s00;
    DoubleVector s11 = s00;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a0 = widen(x0, j);
      DoubleVector a1 = widen(x1, j);
      s00 = a0.mul(a0).add(s00);
      s01 = a0.mul(a1).add(s01);
      s11 = a1.mul(a1).add(s11);
    }
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, 4);
    s11.intoArray(lanes, 8);
  }

  private static void all3(float[] x0, float[] x1, float[] x2, int from, int vecEnd,
      double[] lanes) {
    DoubleVector s00 = DoubleVector.zero(D4);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s11 = s00;
    DoubleVector s12 = s00;
    DoubleVector s22 = s00;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a0 = widen(x0, j);
      DoubleVector a1 = widen(x1, j);
      DoubleVector a2 = widen(x2, j);
      s00 = a0.mul(a0).add(s00);
      s01 = a0.mul(a1).add(s01);
      s02 = a0.mul(a2).add(s02);
      s11 = a1.mul(a1).add(s11);
      s12 = a1.mul(a2).add(s12);
      s22 = a2.mul(a2).add(s22);
    }
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, 4);
    s02.intoArray(lanes, 8);
    s11.intoArray(lanes, 12);
    s12.intoArray(lanes, 16);
    s22.intoArray(lanes, 20);
  }

  private static void all4(float[] x0, float[] x1, float[] x2, float[] x3, int from,
      int vecEnd, double[] lanes) {
    DoubleVector s00 = DoubleVector.zero(D4);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s11 = s00;
    DoubleVector s12 = s00;
    DoubleVector s13 = s00;
    DoubleVector s22 = s00;
    DoubleVector s23 = s00;
    DoubleVector s33 = s00;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a0 = widen(x0, j);
      DoubleVector a1 = widen(x1, j);
      DoubleVector a2 = widen(x2, j);
      DoubleVector a3 = widen(x3, j);
      s00 = a0.mul(a0).add(s00);
      s01 = a0.mul(a1).add(s01);
      s02 = a0.mul(a2).add(s02);
      s03 = a0.mul(a3).add(s03);
      s11 = a1.mul(a1).add(s11);
      s12 = a1.mul(a2).add(s12);
      s13 = a1.mul(a3).add(s13);
      s22 = a2.mul(a2).add(s22);
      s23 = a2.mul(a3).add(s23);
      s33 = a3.mul(a3).add(s33);
    }
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, 4);
    s02.intoArray(lanes, 8);
    s03.intoArray(lanes, 12);
    s11.intoArray(lanes, 16);
    s12.intoArray(lanes, 20);
    s13.intoArray(lanes, 24);
    s22.intoArray(lanes, 28);
    s23.intoArray(lanes, 32);
    s33.intoArray(lanes, 36);
  }

  private static void all5(float[] x0, float[] x1, float[] x2, float[] x3, float[] x4,
      int from, int vecEnd, double[] lanes) {
    DoubleVector s00 = DoubleVector.zero(D4);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s04 = s00;
    DoubleVector s11 = s00;
    DoubleVector s12 = s00;
    DoubleVector s13 = s00;
    DoubleVector s14 = s00;
    DoubleVector s22 = s00;
    DoubleVector s23 = s00;
    DoubleVector s24 = s00;
    DoubleVector s33 = s00;
    DoubleVector s34 = s00;
    DoubleVector s44 = s00;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a0 = widen(x0, j);
      DoubleVector a1 = widen(x1, j);
      DoubleVector a2 = widen(x2, j);
      DoubleVector a3 = widen(x3, j);
      DoubleVector a4 = widen(x4, j);
      s00 = a0.mul(a0).add(s00);
      s01 = a0.mul(a1).add(s01);
      s02 = a0.mul(a2).add(s02);
      s03 = a0.mul(a3).add(s03);
      s04 = a0.mul(a4).add(s04);
      s11 = a1.mul(a1).add(s11);
      s12 = a1.mul(a2).add(s12);
      s13 = a1.mul(a3).add(s13);
      s14 = a1.mul(a4).add(s14);
      s22 = a2.mul(a2).add(s22);
      s23 = a2.mul(a3).add(s23);
      s24 = a2.mul(a4).add(s24);
      s33 = a3.mul(a3).add(s33);
      s34 = a3.mul(a4).add(s34);
      s44 = a4.mul(a4).add(s44);
    }
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, 4);
    s02.intoArray(lanes, 8);
    s03.intoArray(lanes, 12);
    s04.intoArray(lanes, 16);
    s11.intoArray(lanes, 20);
    s12.intoArray(lanes, 24);
    s13.intoArray(lanes, 28);
    s14.intoArray(lanes, 32);
    s22.intoArray(lanes, 36);
    s23.intoArray(lanes, 40);
    s24.intoArray(lanes, 44);
    s33.intoArray(lanes, 48);
    s34.intoArray(lanes, 52);
    s44.intoArray(lanes, 56);
  }

  /**
   * Five models on 16 vector registers: the pairs of rows 0 and 1 (9 accumulators and the 5 rows
   * loaded), then those of rows 2 to 4 (6 accumulators, 3 rows), so neither loop spills; 1.7×
   * faster than {@link #tiled} on a 2-core AMD EPYC (AVX2), which reloads the block 7 times.
   */
  static void split5(float[][] x, int from, int vecEnd, double[] lanes) {
    rows01(x[0], x[1], x[2], x[3], x[4], from, vecEnd, lanes);
    rows234(x[2], x[3], x[4], from, vecEnd, lanes);
  }

  /** Pairs (0, 0..4) and (1, 1..4) of five models: pairs 0 to 8, lanes [0, 36). */
  private static void rows01(float[] x0, float[] x1, float[] x2, float[] x3, float[] x4,
      int from, int vecEnd, double[] lanes) {
    DoubleVector s00 = DoubleVector.zero(D4);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s04 = s00;
    DoubleVector s11 = s00;
    DoubleVector s12 = s00;
    DoubleVector s13 = s00;
    DoubleVector s14 = s00;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a0 = widen(x0, j);
      DoubleVector a1 = widen(x1, j);
      DoubleVector a2 = widen(x2, j);
      DoubleVector a3 = widen(x3, j);
      DoubleVector a4 = widen(x4, j);
      s00 = a0.mul(a0).add(s00);
      s01 = a0.mul(a1).add(s01);
      s02 = a0.mul(a2).add(s02);
      s03 = a0.mul(a3).add(s03);
      s04 = a0.mul(a4).add(s04);
      s11 = a1.mul(a1).add(s11);
      s12 = a1.mul(a2).add(s12);
      s13 = a1.mul(a3).add(s13);
      s14 = a1.mul(a4).add(s14);
    }
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, 4);
    s02.intoArray(lanes, 8);
    s03.intoArray(lanes, 12);
    s04.intoArray(lanes, 16);
    s11.intoArray(lanes, 20);
    s12.intoArray(lanes, 24);
    s13.intoArray(lanes, 28);
    s14.intoArray(lanes, 32);
  }

  /** Pairs (2, 2..4), (3, 3..4) and (4, 4) of five models: pairs 9 to 14, lanes [36, 60). */
  private static void rows234(float[] x2, float[] x3, float[] x4, int from, int vecEnd,
      double[] lanes) {
    DoubleVector s22 = DoubleVector.zero(D4);
    DoubleVector s23 = s22;
    DoubleVector s24 = s22;
    DoubleVector s33 = s22;
    DoubleVector s34 = s22;
    DoubleVector s44 = s22;
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector a2 = widen(x2, j);
      DoubleVector a3 = widen(x3, j);
      DoubleVector a4 = widen(x4, j);
      s22 = a2.mul(a2).add(s22);
      s23 = a2.mul(a3).add(s23);
      s24 = a2.mul(a4).add(s24);
      s33 = a3.mul(a3).add(s33);
      s34 = a3.mul(a4).add(s34);
      s44 = a4.mul(a4).add(s44);
    }
    s22.intoArray(lanes, 36);
    s23.intoArray(lanes, 40);
    s24.intoArray(lanes, 44);
    s33.intoArray(lanes, 48);
    s34.intoArray(lanes, 52);
    s44.intoArray(lanes, 56);
  }

  /** Up to four pairs (a, b) … (a, b + 3) of one row a at a time, row by row. */
  static void tiled(float[][] x, int from, int vecEnd, double[] lanes) {
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

  /**
   * {@link SlerpFold#combineBlock}: {@code out[j] = Σ c_a x_a[j]} over [from, to), in the scalar
   * loop's order ({@code ((c0 x0 + c1 x1) + c2 x2) + …}); two to five models in loops of fixed
   * shape, more in a loop over the models.
   */
  static void combine(float[][] x, double[] c, float[] out, int from, int to) {
    int vecEnd = from + ((to - from) & ~3);
    switch (x.length) {
      case 2 -> combine2(x[0], x[1], c, out, from, vecEnd);
      case 3 -> combine3(x[0], x[1], x[2], c, out, from, vecEnd);
      case 4 -> combine4(x[0], x[1], x[2], x[3], c, out, from, vecEnd);
      case 5 -> combine5(x[0], x[1], x[2], x[3], x[4], c, out, from, vecEnd);
      default -> combineAny(x, c, out, from, vecEnd);
    }
    int k = x.length;
    for (int j = vecEnd; j < to; j++) {
      double acc = c[0] * x[0][j];
      for (int a = 1; a < k; a++) {
        acc += c[a] * x[a][j];
      }
      out[j] = (float) acc;
    }
  }

  private static void narrow(DoubleVector acc, float[] out, int j) {
    ((FloatVector) acc.convertShape(VectorOperators.D2F, F4, 0)).intoArray(out, j);
  }

  private static void combine2(float[] x0, float[] x1, double[] c, float[] out, int from,
      int vecEnd) {
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    DoubleVector c1 = DoubleVector.broadcast(D4, c[1]);
    for (int j = from; j < vecEnd; j += 4) {
      narrow(widen(x0, j).mul(c0).add(widen(x1, j).mul(c1)), out, j);
    }
  }

  private static void combine3(float[] x0, float[] x1, float[] x2, double[] c, float[] out,
      int from, int vecEnd) {
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    DoubleVector c1 = DoubleVector.broadcast(D4, c[1]);
    DoubleVector c2 = DoubleVector.broadcast(D4, c[2]);
    for (int j = from; j < vecEnd; j += 4) {
      narrow(widen(x0, j).mul(c0).add(widen(x1, j).mul(c1)).add(widen(x2, j).mul(c2)), out, j);
    }
  }

  private static void combine4(float[] x0, float[] x1, float[] x2, float[] x3, double[] c,
      float[] out, int from, int vecEnd) {
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    DoubleVector c1 = DoubleVector.broadcast(D4, c[1]);
    DoubleVector c2 = DoubleVector.broadcast(D4, c[2]);
    DoubleVector c3 = DoubleVector.broadcast(D4, c[3]);
    for (int j = from; j < vecEnd; j += 4) {
      narrow(widen(x0, j).mul(c0).add(widen(x1, j).mul(c1)).add(widen(x2, j).mul(c2))
          .add(widen(x3, j).mul(c3)), out, j);
    }
  }

  private static void combine5(float[] x0, float[] x1, float[] x2, float[] x3, float[] x4,
      double[] c, float[] out, int from, int vecEnd) {
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    DoubleVector c1 = DoubleVector.broadcast(D4, c[1]);
    DoubleVector c2 = DoubleVector.broadcast(D4, c[2]);
    DoubleVector c3 = DoubleVector.broadcast(D4, c[3]);
    DoubleVector c4 = DoubleVector.broadcast(D4, c[4]);
    for (int j = from; j < vecEnd; j += 4) {
      narrow(widen(x0, j).mul(c0).add(widen(x1, j).mul(c1)).add(widen(x2, j).mul(c2))
          .add(widen(x3, j).mul(c3)).add(widen(x4, j).mul(c4)), out, j);
    }
  }

  private static void combineAny(float[][] x, double[] c, float[] out, int from, int vecEnd) {
    int k = x.length;
    DoubleVector c0 = DoubleVector.broadcast(D4, c[0]);
    for (int j = from; j < vecEnd; j += 4) {
      DoubleVector acc = widen(x[0], j).mul(c0);
      for (int a = 1; a < k; a++) {
        acc = acc.add(widen(x[a], j).mul(c[a]));
      }
      narrow(acc, out, j);
    }
  }
}
