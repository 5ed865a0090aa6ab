package org.cpift.merge;

import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/** Task arithmetic (Ilharco et al., 2023): {@code θ = θ0 + λ Σ δi}. */
public final class TaskArithmetic implements MergeMethod {
  private final double lambda;

  public TaskArithmetic(double lambda) {
    this.lambda = lambda;
  }

  @Override
  public String name() {
    return "task-arithmetic";
  }

  @Override
  public String reference() {
    return "Ilharco et al., Editing Models with Task Arithmetic, ICLR 2023 (arXiv 2212.04089)";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("lambda", lambda);
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    return addScaled(ctx, ctx::delta, lambda);
  }

  /** Per-task delta of one parameter, possibly transformed (DARE). */
  interface Deltas {
    float[] of(int task, String name);
  }

  /** θ0 + λ Σ deltas. */
  static ParamSnapshot addScaled(MergeContext ctx, Deltas deltas, double lambda) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : ctx.base().params()) {
      double[] sum = new double[p.size()];
      for (int i = 0; i < ctx.experts().size(); i++) {
        float[] d = deltas.of(i, p.name());
        for (int j = 0; j < sum.length; j++) {
          sum[j] += d[j];
        }
      }
      float[] v = new float[p.size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (p.data()[j] + lambda * sum[j]);
      }
      out.put(p.withData(v));
    }
    return out;
  }
}
