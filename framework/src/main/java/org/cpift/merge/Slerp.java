package org.cpift.merge;

import java.util.BitSet;

/**
 * Spherical linear interpolation of two parameter vectors, by mergekit's rule: with
 * {@code cos = <a/|a|, b/|b|>}, if {@code |cos| > 0.9995} (nearly colinear) or either norm is
 * below 1e-8, interpolate linearly; otherwise with Ω = arccos(cos),
 * <pre>  slerp(a, b; t) = sin((1−t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b  </pre>
 * on the unnormalized vectors. Optionally only the entries in {@code include} take part (CPI-FT
 * interpolates the non-core entries of a tensor, with the angle measured over those entries).
 */
public final class Slerp {
  /** Above this |cos| the vectors count as colinear and are interpolated linearly. */
  public static final double COLINEAR = 0.9995;
  /** Below this norm a vector counts as zero and is interpolated linearly. */
  public static final double TINY_NORM = 1e-8;

  private Slerp() {}

  /** Interpolates every entry. */
  public static float[] slerp(float[] a, float[] b, double t) {
    return slerp(a, b, t, null, COLINEAR);
  }

  /**
   * Interpolates the entries of {@code include} (all when null) and writes them into a copy of
   * {@code a}; entries outside {@code include} keep {@code a}'s values.
   */
  public static float[] slerp(float[] a, float[] b, double t, BitSet include, double colinear) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("slerp of vectors of different lengths " + a.length
          + " and " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int j = next(include, 0, a.length); j < a.length; j = next(include, j + 1, a.length)) {
      dot += (double) a[j] * b[j];
      na += (double) a[j] * a[j];
      nb += (double) b[j] * b[j];
    }
    na = Math.sqrt(na);
    nb = Math.sqrt(nb);
    double[] w = weights(dot, na, nb, t, colinear);
    double wa = w[0];
    double wb = w[1];
    float[] out = a.clone();
    for (int j = next(include, 0, a.length); j < a.length; j = next(include, j + 1, a.length)) {
      out[j] = (float) (wa * a[j] + wb * b[j]);
    }
    return out;
  }

  /**
   * The weights (w_a, w_b) of {@code slerp(a, b; t)} given {@code <a, b>}, |a| and |b|: linear
   * when a norm is tiny or |cos| > {@code colinear}, spherical otherwise.
   */
  static double[] weights(double dot, double na, double nb, double t, double colinear) {
    if (na < TINY_NORM || nb < TINY_NORM) {
      return new double[] {1 - t, t};
    }
    double cos = Math.max(-1, Math.min(1, dot / (na * nb)));
    if (Math.abs(cos) > colinear) {
      return new double[] {1 - t, t};
    }
    double omega = Math.acos(cos);
    double sin = Math.sin(omega);
    return new double[] {Math.sin((1 - t) * omega) / sin, Math.sin(t * omega) / sin};
  }

  private static int next(BitSet include, int from, int n) {
    if (include == null) {
      return from;
    }
    int j = include.nextSetBit(from);
    return j < 0 ? n : j;
  }
}
