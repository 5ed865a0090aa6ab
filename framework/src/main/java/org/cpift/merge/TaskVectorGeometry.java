package org.cpift.merge;

import java.util.List;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/**
 * The geometry of task vectors δi = θi − θ0, the quantity every weight-space merge works on: how
 * large each is relative to the base ({@code |δi| / |θ0|}), how aligned they are (cosines), and
 * how much of a typical task vector survives equal-weight averaging
 * ({@code |mean δ| / mean |δi|}: 1 for identical vectors, 1/√k for k orthogonal ones of equal
 * norm). Large, nearly orthogonal task vectors are the regime in which merged models lose each
 * expert's skill. Accumulated in double over every entry, in one pass.
 *
 * @param tasks task names, in the order of the experts
 * @param baseNorm |θ0|
 * @param norms |δi|
 * @param cosine cos(δi, δj)
 * @param meanShrink |mean δ| / mean |δi|
 */
public record TaskVectorGeometry(List<String> tasks, double baseNorm, double[] norms,
    double[][] cosine, double meanShrink) {

  /** Measures the task vectors of {@code experts} (one per task, same layout as the base). */
  public static TaskVectorGeometry of(ParamSnapshot base, List<String> tasks,
      List<ParamSnapshot> experts) {
    int k = experts.size();
    if (k == 0 || tasks.size() != k) {
      throw new IllegalArgumentException("need one expert per task, got " + k + " experts for "
          + tasks.size() + " tasks");
    }
    for (ParamSnapshot e : experts) {
      e.requireSameLayout(base, "expert");
    }
    double[][] g = new double[k][k];
    double base2 = 0;
    double[] d = new double[k];
    for (Param p : base.params()) {
      float[] th0 = p.data();
      float[][] x = new float[k][];
      for (int i = 0; i < k; i++) {
        x[i] = experts.get(i).get(p.name()).data();
      }
      for (int j = 0; j < th0.length; j++) {
        base2 += (double) th0[j] * th0[j];
        for (int i = 0; i < k; i++) {
          d[i] = (double) x[i][j] - th0[j];
        }
        for (int a = 0; a < k; a++) {
          for (int b = a; b < k; b++) {
            g[a][b] += d[a] * d[b];
          }
        }
      }
    }
    double[] norms = new double[k];
    for (int a = 0; a < k; a++) {
      norms[a] = Math.sqrt(g[a][a]);
    }
    double[][] cos = new double[k][k];
    double sumAll = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double gab = a <= b ? g[a][b] : g[b][a];
        sumAll += gab;
        cos[a][b] = norms[a] == 0 || norms[b] == 0 ? Double.NaN : gab / (norms[a] * norms[b]);
      }
    }
    double meanNorm = java.util.Arrays.stream(norms).average().orElse(0);
    double shrink = meanNorm == 0 ? Double.NaN : Math.sqrt(Math.max(0, sumAll)) / k / meanNorm;
    return new TaskVectorGeometry(List.copyOf(tasks), Math.sqrt(base2), norms, cos, shrink);
  }

  /** |δi| / |θ0|. */
  public double relativeNorm(int i) {
    return norms[i] / baseNorm;
  }
}
