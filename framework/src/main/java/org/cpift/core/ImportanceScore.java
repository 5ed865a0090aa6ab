package org.cpift.core;

import java.util.List;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;

/**
 * How much a parameter matters to a task (step 2 of CPI-FT). The paper scores by update magnitude
 * {@code s_j = |θi_j − θ0_j|}; the alternatives are offered for the ablations.
 */
public enum ImportanceScore {
  /** {@code |θi − θ0|}: the paper's score. */
  ABS_DELTA("abs-delta"),
  /** {@code |θi − θ0| / (|θ0| + ε)}: the update relative to the weight's size. */
  RELATIVE_DELTA("relative-delta"),
  /** {@code |g ⊙ θi|}, g the mean task-loss gradient at the expert (a first-order saliency). */
  GRAD_TIMES_WEIGHT("grad-x-weight"),
  /** {@code mean_b g_b²} at the expert: the diagonal empirical Fisher over task batches. */
  FISHER("fisher"),
  /**
   * {@code |θi − θ0|} of a diff-pruned probe (Guo et al. 2021) pruned to the core's size: the
   * core is the entries the learned mask keeps.
   */
  DIFF_PRUNING("diff-pruning");

  private final String id;

  ImportanceScore(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** True when the score is taken on a diff-pruned probe instead of the expert. */
  public boolean needsDiffPrunedProbe() {
    return this == DIFF_PRUNING;
  }

  /** True when the score needs task gradients at the expert. */
  public boolean needsGradients() {
    return this == GRAD_TIMES_WEIGHT || this == FISHER;
  }

  public static ImportanceScore parse(String s) {
    for (ImportanceScore v : values()) {
      if (v.id.equals(s)) {
        return v;
      }
    }
    throw new CpiftException("unknown importance score '" + s
        + "'; use abs-delta, relative-delta, grad-x-weight, fisher or diff-pruning");
  }

  /**
   * Scores every entry. {@code gradients} (per-batch gradients at the expert) is used only by the
   * gradient-based scores and may be null otherwise.
   */
  public ParamSnapshot compute(ParamSnapshot base, ParamSnapshot expert,
      List<ParamSnapshot> gradients, float relativeEps) {
    base.requireSameLayout(expert, "importance scores");
    if (needsGradients() && (gradients == null || gradients.isEmpty())) {
      throw new IllegalArgumentException(id + " needs task gradients at the expert");
    }
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : expert.params()) {
      float[] th = p.data();
      float[] th0 = base.get(p.name()).data();
      float[] s = new float[th.length];
      switch (this) {
        case ABS_DELTA, DIFF_PRUNING -> {
          for (int j = 0; j < s.length; j++) {
            s[j] = Math.abs(th[j] - th0[j]);
          }
        }
        case RELATIVE_DELTA -> {
          for (int j = 0; j < s.length; j++) {
            s[j] = Math.abs(th[j] - th0[j]) / (Math.abs(th0[j]) + relativeEps);
          }
        }
        case GRAD_TIMES_WEIGHT -> {
          double[] mean = new double[s.length];
          for (ParamSnapshot g : gradients) {
            float[] gd = g.get(p.name()).data();
            for (int j = 0; j < s.length; j++) {
              mean[j] += gd[j];
            }
          }
          for (int j = 0; j < s.length; j++) {
            s[j] = (float) Math.abs(mean[j] / gradients.size() * th[j]);
          }
        }
        case FISHER -> {
          double[] acc = new double[s.length];
          for (ParamSnapshot g : gradients) {
            float[] gd = g.get(p.name()).data();
            for (int j = 0; j < s.length; j++) {
              acc[j] += (double) gd[j] * gd[j];
            }
          }
          for (int j = 0; j < s.length; j++) {
            s[j] = (float) (acc[j] / gradients.size());
          }
        }
        default -> throw new IllegalStateException();
      }
      out.put(p.withData(s));
    }
    return out;
  }
}
