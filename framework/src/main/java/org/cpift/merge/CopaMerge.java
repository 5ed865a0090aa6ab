package org.cpift.merge;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;

/**
 * CoPA-Merging, complementary parameter adaptation (Zeng, Guo, Zhu, Shen and Tang, "Parameter
 * Efficient Merging for Multimodal Large Language Models with Complementary Parameter
 * Adaptation", arXiv 2502.17159, 2025; published as RobustMerge): a training-free merge of LoRA
 * adapters that keeps each adapter's directions and compensates the singular values pruning
 * removes. For each adapted matrix, with task n's factors {@code A_n [in, r]} and
 * {@code B_n [r, out]} (this project's row-vector layout; the paper's {@code ΔW_n = B_n A_n} is
 * its transpose):
 * <ol>
 *   <li>prune: Ã_n keeps the top k% entries of A_n by magnitude, B̃_n those of B_n (each factor
 *       apart);</li>
 *   <li>scale from the inter-parameter relation: {@code s_n[c] = Σ_i |A_n[i,c]| / Σ_i
 *       |Ã_n[i,c]|} for each rank direction c (the pruned L1 mass it has to make up; 1 where the
 *       pruning left nothing);</li>
 *   <li>normalize across tasks: {@code s̃_n[c] = s_n[c] / Σ_m s_m[c]};</li>
 *   <li>merge: {@code W + λ·(α/r)·(Σ_n Ã_n)·(Σ_n diag(s̃_n)·B̃_n)}, accumulated in double.</li>
 * </ol>
 * Tensors without adapters are the experts' average (the base's, for LoRA experts). k is TIES's
 * top-k% ({@link MergeOptions#tiesTopPercent}; the authors' code keeps 20%), λ
 * {@link MergeOptions#copaLambda} (the paper's 2; the authors' code applies its 2 to both sums,
 * an overall 4). Not in the paper and left out: the code's clamp raising each task's smallest
 * 80% of scales to their 80th percentile.
 */
public final class CopaMerge implements MergeMethod {
  private final double keepPercent;
  private final double lambda;

  public CopaMerge(double keepPercent, double lambda) {
    MergeParam.TIES_K.check(keepPercent);
    MergeParam.COPA_LAMBDA.check(lambda);
    this.keepPercent = keepPercent;
    this.lambda = lambda;
  }

  @Override
  public String name() {
    return "copa";
  }

  @Override
  public String reference() {
    return "Zeng et al., Parameter Efficient Merging for Multimodal Large Language Models with "
        + "Complementary Parameter Adaptation, arXiv 2502.17159 (2025)";
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keep_percent", keepPercent);
    m.put("lambda", lambda);
    return m;
  }

  @Override
  public boolean mergesAdapters() {
    return true;
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    if (ctx.adapters() == null) {
      throw new CpiftException("copa merges LoRA adapters, and these experts have none: "
          + "fine-tune them with --finetune lora");
    }
    int n = ctx.experts().size();
    ParamSnapshot first = ctx.adapters().get(0);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : ctx.base().params()) {
      String a = p.name() + ".lora_A";
      if (!first.names().contains(a)) {
        out.put(p.withData(average(ctx, p.name())));
        continue;
      }
      int in = (int) p.shape()[0];
      int o = (int) p.shape()[1];
      int r = (int) first.get(a).shape()[1];
      double[] aSum = new double[in * r];
      double[] bSum = new double[r * o];
      double[][] scale = new double[n][];
      float[][] bPruned = new float[n][];
      double[] scaleTotal = new double[r];
      for (int t = 0; t < n; t++) {
        float[] at = factor(ctx, t, a, in * r);
        float[] bt = factor(ctx, t, p.name() + ".lora_B", r * o);
        float[] aPruned = keepTop(at, keepPercent);
        bPruned[t] = keepTop(bt, keepPercent);
        scale[t] = new double[r];
        for (int c = 0; c < r; c++) {
          double full = 0;
          double kept = 0;
          for (int i = 0; i < in; i++) {
            full += Math.abs(at[i * r + c]);
            kept += Math.abs(aPruned[i * r + c]);
          }
          scale[t][c] = kept > 0 ? full / kept : 1;
          scaleTotal[c] += scale[t][c];
        }
        for (int j = 0; j < aSum.length; j++) {
          aSum[j] += aPruned[j];
        }
      }
      for (int t = 0; t < n; t++) {
        for (int c = 0; c < r; c++) {
          double s = scale[t][c] / scaleTotal[c];
          for (int j = 0; j < o; j++) {
            bSum[c * o + j] += s * bPruned[t][c * o + j];
          }
        }
      }
      float[] w = p.data();
      float[] v = new float[w.length];
      double f = lambda * ctx.adapterScale();
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < o; j++) {
          double acc = 0;
          for (int c = 0; c < r; c++) {
            acc += aSum[i * r + c] * bSum[c * o + j];
          }
          v[i * o + j] = (float) (w[i * o + j] + f * acc);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  private static float[] factor(MergeContext ctx, int t, String name, int size) {
    ParamSnapshot s = ctx.adapters().get(t);
    if (!s.names().contains(name) || s.get(name).size() != size) {
      throw new CpiftException("copa: expert " + ctx.tasks().get(t) + " has no adapter factor "
          + name + " of " + size + " entries; all experts must be LoRA experts of one rank and "
          + "targets");
    }
    return s.get(name).data();
  }

  /** The experts' average of a tensor (the base's for tensors LoRA experts leave alone). */
  private static float[] average(MergeContext ctx, String name) {
    int n = ctx.experts().size();
    float[] first = ctx.experts().get(0).get(name).data();
    double[] acc = new double[first.length];
    for (ParamSnapshot e : ctx.experts()) {
      float[] d = e.get(name).data();
      for (int j = 0; j < acc.length; j++) {
        acc[j] += d[j];
      }
    }
    float[] out = new float[acc.length];
    for (int j = 0; j < acc.length; j++) {
      out[j] = (float) (acc[j] / n);
    }
    return out;
  }

  /**
   * {@code v} with all but its top {@code percent}% entries by magnitude zeroed (at least one
   * kept; ties at the threshold kept, as the authors' {@code |w| ≥ threshold}).
   */
  static float[] keepTop(float[] v, double percent) {
    int keep = Math.max(1, (int) Math.round(v.length * percent / 100));
    float[] mags = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      mags[j] = Math.abs(v[j]);
    }
    float[] sorted = mags.clone();
    Arrays.sort(sorted);
    float threshold = sorted[v.length - keep];
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      if (mags[j] >= threshold) {
        out[j] = v[j];
      }
    }
    return out;
  }
}
