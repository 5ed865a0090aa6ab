package org.cpift.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SLERP fold's Vector API loops give the scalar reference loops' bits exactly, and the blocked
 * Gram matrix with excluded entries subtracted matches a plain sum over the included entries.
 */
class VectorFoldTest {
  private static final int[] LENGTHS = {1, 3, 4, 5, 7, 63, 64, 65, 2047, 2048, 2049,
      3 * SlerpFold.BLOCK + 5, 10_001};

  private static float[][] models(SplittableRandom rnd, int k, int n) {
    float[][] x = new float[k][n];
    for (int a = 0; a < k; a++) {
      double scale = Math.pow(10, rnd.nextInt(-3, 3));
      for (int j = 0; j < n; j++) {
        x[a][j] = (float) (scale * (rnd.nextDouble() * 2 - 1));
      }
    }
    return x;
  }

  /** About {@code share} of the entries excluded, at random. */
  private static BitSet include(SplittableRandom rnd, int n, double share) {
    BitSet b = new BitSet(n);
    for (int j = 0; j < n; j++) {
      if (rnd.nextDouble() >= share) {
        b.set(j);
      }
    }
    return b;
  }

  private static <T> T scalar(java.util.function.Supplier<T> body) {
    boolean was = FoldKernels.vector();
    FoldKernels.useVector(false);
    try {
      return body.get();
    } finally {
      FoldKernels.useVector(was);
    }
  }

  @Test
  void theTestsRunTheVectorPath() {
    assertTrue(FoldKernels.vectorAvailable() && FoldKernels.vector(), "the surefire argLine adds "
        + "jdk.incubator.vector, so the fold must take the Vector API path here");
  }

  @Test
  void laneSumsAndCombiningAreBitIdenticalToTheScalarLoops() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int k = 2; k <= 9; k++) {
      for (int n : LENGTHS) {
        float[][] x = models(rnd, k, n);
        int vecEnd = n & ~3;
        double[] scalar = new double[2 * k * (k + 1)];
        double[] vector = new double[2 * k * (k + 1)];
        SlerpFold.lanes(x, 0, vecEnd, scalar);
        VectorFold.lanes(x, 0, vecEnd, vector);
        // the tiled loops too (more than five models), and five models' two loops (16 vector
        // registers), whichever this CPU takes
        double[] tiled = new double[2 * k * (k + 1)];
        VectorFold.tiled(x, 0, vecEnd, tiled);
        double[] split = new double[2 * k * (k + 1)];
        if (k == 5) {
          VectorFold.split5(x, 0, vecEnd, split);
        }
        for (int i = 0; i < scalar.length; i++) {
          assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(vector[i]),
              "lane sum " + i + " for k " + k + ", n " + n);
          assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(tiled[i]),
              "tiled lane sum " + i + " for k " + k + ", n " + n);
          if (k == 5) {
            assertEquals(Double.doubleToRawLongBits(scalar[i]),
                Double.doubleToRawLongBits(split[i]), "split lane sum " + i + ", n " + n);
          }
        }
        double[] c = new double[k];
        for (int a = 0; a < k; a++) {
          c[a] = rnd.nextDouble() * 2 - 0.5;
        }
        float[] want = new float[n];
        float[] got = new float[n];
        SlerpFold.combineBlock(x, c, want, 0, n, new double[n]);
        VectorFold.combine(x, c, got, 0, n);
        assertArrayEquals(want, got, "Σ c x for k " + k + ", n " + n);
      }
    }
  }

  @Test
  void theFoldGivesTheSameBitsOnBothPathsAndTheGramMatchesAPlainSum() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int k : new int[] {2, 3, 5, 6}) {
      for (int n : LENGTHS) {
        float[][] x = models(rnd, k, n);
        BitSet inc = include(rnd, n, 0.05);
        double[][] g = SlerpFold.gram(x, inc);
        double[][] gs = scalar(() -> SlerpFold.gram(x, inc));
        for (int a = 0; a < k; a++) {
          for (int b = 0; b < k; b++) {
            assertEquals(Double.doubleToRawLongBits(gs[a][b]), Double.doubleToRawLongBits(g[a][b]),
                "G[" + a + "][" + b + "] for k " + k + ", n " + n);
            double plain = 0;
            double scale = 0;
            for (int j = inc.nextSetBit(0); j >= 0; j = inc.nextSetBit(j + 1)) {
              plain += (double) x[a][j] * x[b][j];
              scale += Math.abs((double) x[a][j] * x[b][j]);
            }
            assertEquals(plain, g[a][b], 1e-12 * scale + 1e-300, "G vs a plain sum");
          }
        }
        List<float[]> xs = List.of(x);
        float[] v = Interpolation.SLERP.combine(xs, inc, 1e-6);
        float[] s = scalar(() -> Interpolation.SLERP.combine(xs, inc, 1e-6));
        assertArrayEquals(s, v, "fold for k " + k + ", n " + n);
        float[] filled = Interpolation.SLERP.combine(xs, inc, 1e-6, j -> -j);
        for (int j = 0; j < n; j++) {
          if (inc.get(j)) {
            assertEquals(Float.floatToRawIntBits(v[j]), Float.floatToRawIntBits(filled[j]),
                "a fill does not touch the included entries");
          } else {
            assertEquals(Float.floatToRawIntBits(x[0][j]), Float.floatToRawIntBits(v[j]),
                "an excluded entry keeps the first input's value");
            assertEquals(-j, filled[j], "an excluded entry takes the fill's value");
          }
        }
      }
    }
  }

  @Test
  void fiveModelsSubtractTheExcludedEntriesAsTheGeneralLoopDoes() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int round = 0; round < 200; round++) {
      int n = 1 + rnd.nextInt(SlerpFold.BLOCK);
      float[][] x = models(rnd, 5, n);
      int[] ex = new int[n];
      int m = 0;
      for (int j = 0; j < n; j++) {
        if (rnd.nextDouble() < 0.2) {
          ex[m++] = j;
        }
      }
      double[] start = new double[15];
      for (int p = 0; p < 15; p++) {
        start[p] = rnd.nextDouble() * 100 - 50;
      }
      boolean poison = m > 0 && round % 4 == 0;
      if (poison) {
        x[rnd.nextInt(5)][ex[rnd.nextInt(m)]] = round % 8 == 0 ? Float.NaN
            : Float.NEGATIVE_INFINITY;
      }
      double[] general = start.clone();
      double[] five = start.clone();
      boolean finiteGeneral = SlerpFold.subtract(x, ex, m, general);
      boolean finiteFive = SlerpFold.subtract5(x, ex, m, five);
      assertEquals(!poison, finiteGeneral, "a non-finite entry is reported");
      assertEquals(finiteGeneral, finiteFive, "both loops report a non-finite entry");
      if (!poison) {
        for (int p = 0; p < 15; p++) {
          assertEquals(Double.doubleToRawLongBits(general[p]), Double.doubleToRawLongBits(five[p]),
              "pair " + p + " in round " + round);
        }
      }
    }
  }

  @Test
  void aNonFiniteExcludedEntryNeverReachesTheResult() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int k : new int[] {4, 5}) {
      int n = 3 * SlerpFold.BLOCK + 17;
      float[][] x = models(rnd, k, n);
      BitSet inc = include(rnd, n, 0.05);
      int bad = inc.nextClearBit(SlerpFold.BLOCK + 5);
      x[2][bad] = Float.POSITIVE_INFINITY;
      x[3][bad] = Float.NaN;
      double[][] g = SlerpFold.gram(x, inc);
      for (double[] row : g) {
        for (double v : row) {
          assertTrue(Double.isFinite(v), "the Gram matrix stays finite, k " + k);
        }
      }
      float[] v = Interpolation.SLERP.combine(List.of(x), inc, 1e-6);
      for (int j = inc.nextSetBit(0); j >= 0; j = inc.nextSetBit(j + 1)) {
        assertTrue(Float.isFinite(v[j]), "included entry " + j + " is finite, k " + k);
      }
    }
  }
}
