package org.cpift.merge;

import java.util.BitSet;
import java.util.List;

/**
 * How N ≥ 2 parameter vectors are combined with equal weights (the non-core part of CPI-FT's
 * fusion, and the SLERP baseline).
 * <ul>
 *   <li>{@code SLERP} (default): fold pairwise in stage order, {@code m1 = x1},
 *       {@code mk = slerp(m(k−1), xk; t = 1/k)}, which gives every model equal weight (computed
 *       from the inputs' Gram matrix in two passes, {@link SlerpFold});</li>
 *   <li>{@code MULTI_SLERP}: the spherical (Karcher) mean of the directions, scaled by the mean
 *       norm — order-independent; when a direction is exactly opposite the running mean (no
 *       unique mean) it falls back to {@code LINEAR};</li>
 *   <li>{@code LINEAR}: the arithmetic mean.</li>
 * </ul>
 */
public enum Interpolation {
  SLERP, MULTI_SLERP, LINEAR;

  /** The value an entry outside {@code include} gets, from its index. */
  @FunctionalInterface
  public interface Fill {
    float value(int entry);
  }

  /** Combines the entries in {@code include} (all when null); others keep {@code xs[0]}'s values. */
  public float[] combine(List<float[]> xs, BitSet include, double colinear) {
    return combine(xs, include, colinear, null);
  }

  /**
   * As above, the entries outside {@code include} set by {@code fill} (when not null) instead:
   * the SLERP fold does it in the same blocked pass that writes the rest, while the block of
   * inputs is in cache.
   */
  public float[] combine(List<float[]> xs, BitSet include, double colinear, Fill fill) {
    float[] first = xs.get(0);
    if (this == SLERP && xs.size() > 1) {
      return SlerpFold.combine(xs, include, colinear, fill);
    }
    float[] out = switch (this) {
      case SLERP -> first.clone();
      case LINEAR -> linear(xs, include);
      default -> karcher(xs, include, colinear);
    };
    if (include != null && fill != null) {
      int n = out.length;
      for (int j = include.nextClearBit(0); j < n; j = include.nextClearBit(j + 1)) {
        out[j] = fill.value(j);
      }
    }
    return out;
  }

  private static float[] linear(List<float[]> xs, BitSet include) {
    float[] out = xs.get(0).clone();
    int n = out.length;
    for (int j = include == null ? 0 : nextOr(include, 0, n); j < n;
        j = include == null ? j + 1 : nextOr(include, j + 1, n)) {
      double s = 0;
      for (float[] x : xs) {
        s += x[j];
      }
      out[j] = (float) (s / xs.size());
    }
    return out;
  }

  private static int nextOr(BitSet b, int from, int n) {
    int j = b.nextSetBit(from);
    return j < 0 ? n : j;
  }

  /** Spherical mean of the directions (Riemannian gradient descent), times the mean norm. */
  private static float[] karcher(List<float[]> xs, BitSet include, double colinear) {
    int n = xs.get(0).length;
    int[] idx = include == null ? java.util.stream.IntStream.range(0, n).toArray()
        : include.stream().toArray();
    int m = idx.length;
    int k = xs.size();
    double[][] u = new double[k][m];
    double meanNorm = 0;
    for (int i = 0; i < k; i++) {
      double norm = 0;
      for (int a = 0; a < m; a++) {
        u[i][a] = xs.get(i)[idx[a]];
        norm += u[i][a] * u[i][a];
      }
      norm = Math.sqrt(norm);
      if (norm < Slerp.TINY_NORM) {
        return linear(xs, include);
      }
      meanNorm += norm / k;
      for (int a = 0; a < m; a++) {
        u[i][a] /= norm;
      }
    }
    double[] mu = new double[m];
    for (double[] ui : u) {
      for (int a = 0; a < m; a++) {
        mu[a] += ui[a] / k;
      }
    }
    if (normalize(mu) < Slerp.TINY_NORM) {
      return linear(xs, include);
    }
    for (int iter = 0; iter < 50; iter++) {
      double[] v = new double[m];
      for (double[] ui : u) {
        double cos = Math.max(-1, Math.min(1, dot(mu, ui)));
        if (cos > colinear) {
          continue; // log map ≈ 0 for (nearly) the same direction
        }
        if (cos < -colinear) {
          // nearly opposite: θ/sin θ is ill-conditioned, so take the log map's direction from
          // the part of ui orthogonal to mu and its length θ from atan2; exactly opposite has no
          // direction and the mean is not unique
          double[] w = new double[m];
          for (int a = 0; a < m; a++) {
            w[a] = ui[a] - cos * mu[a];
          }
          double s = Math.sqrt(dot(w, w));
          if (s < 1e-12) {
            return linear(xs, include);
          }
          double theta = Math.atan2(s, cos);
          for (int a = 0; a < m; a++) {
            v[a] += theta * w[a] / s / k;
          }
          continue;
        }
        double theta = Math.acos(cos);
        double f = theta / Math.sin(theta);
        for (int a = 0; a < m; a++) {
          v[a] += f * (ui[a] - cos * mu[a]) / k;
        }
      }
      double len = Math.sqrt(dot(v, v));
      if (len < 1e-12) {
        break;
      }
      for (int a = 0; a < m; a++) {
        mu[a] = Math.cos(len) * mu[a] + Math.sin(len) * v[a] / len;
      }
      normalize(mu);
    }
    float[] out = xs.get(0).clone();
    for (int a = 0; a < m; a++) {
      out[idx[a]] = (float) (mu[a] * meanNorm);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double normalize(double[] a) {
    double n = Math.sqrt(dot(a, a));
    if (n > 0) {
      for (int i = 0; i < a.length; i++) {
        a[i] /= n;
      }
    }
    return n;
  }
}
