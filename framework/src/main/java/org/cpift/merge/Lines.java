package org.cpift.merge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;

/**
 * LiNeS, layer-increasing network scaling (Wang et al., ICLR 2025): a task vector's update to
 * residual block l of L (0-based) is scaled by {@code λ(l) = α + β·l/(L−1)}, so shallow blocks
 * stay near the base and deep ones keep the task-specific change; parameters outside the blocks
 * (embeddings, the final norm, an untied head) are scaled by α, as the authors' implementation
 * does.
 *
 * <p>As a merge ({@code lines} over task arithmetic, {@code lines-ties} over TIES), the scaled
 * vector is the multi-task vector τ_MTL (Σ δi, or the TIES-merged vector) and α is the paper's
 * norm rule {@code α = ‖Σ δi‖₁ / (N·‖τ_MTL‖₁)} (1/N for task arithmetic), leaving β to be chosen
 * on validation. As a post-hoc step on one fine-tuned model ({@link #posthoc}), the vector is
 * θ − θ0 and β = 1 − α, the paper's single-task form: α = 1 keeps the model, α = 0 keeps the
 * base's first block and the full update in the last.
 */
public final class Lines implements MergeMethod {
  /** The merge the multi-task vector comes from. */
  public enum Over { TASK_ARITHMETIC, TIES }

  private static final Pattern BLOCK = Pattern.compile("^h(\\d+)/");

  private final Over over;
  private final double beta;
  private final double tiesTopPercent;
  private double alpha = Double.NaN; // set by the norm rule at merge time, for parameters()

  public Lines(Over over, double beta, double tiesTopPercent) {
    MergeParam.LINES_BETA.check(beta);
    this.over = over;
    this.beta = beta;
    this.tiesTopPercent = tiesTopPercent;
  }

  @Override
  public String name() {
    return over == Over.TIES ? "lines-ties" : "lines";
  }

  @Override
  public String reference() {
    return "Wang, Dimitriadis, Favero, Ortiz-Jimenez, Fleuret, Frossard, LiNeS: Post-training "
        + "Layer Scaling Prevents Forgetting and Enhances Model Merging, ICLR 2025 "
        + "(arXiv 2410.17146)";
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("beta", beta);
    m.put("alpha", Double.isNaN(alpha) ? "‖Σδ‖₁/(N‖τ‖₁)" : alpha);
    if (over == Over.TIES) {
      m.put("top_percent", tiesTopPercent);
    }
    return m;
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    ParamSnapshot sum = new ParamSnapshot();
    for (Param p : ctx.base().params()) {
      double[] s = new double[p.size()];
      for (int i = 0; i < ctx.experts().size(); i++) {
        float[] d = ctx.delta(i, p.name());
        for (int j = 0; j < s.length; j++) {
          s[j] += d[j];
        }
      }
      float[] f = new float[s.length];
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) s[j];
      }
      sum.put(p.withData(f));
    }
    ParamSnapshot mtl = over == Over.TIES
        ? new Ties(tiesTopPercent, 1.0).mergedVector(ctx) : sum;
    double l1Mtl = l1(mtl);
    alpha = l1Mtl == 0 ? 1.0 / ctx.experts().size()
        : l1(sum) / (ctx.experts().size() * l1Mtl);
    return apply(ctx.base(), mtl, alpha, beta);
  }

  /**
   * LiNeS as a post-hoc step on one fine-tuned {@code model} of {@code base}: θ0 + λ(l)·(θ − θ0)
   * with λ(l) = α + (1 − α)·l/(L−1).
   */
  public static ParamSnapshot posthoc(ParamSnapshot base, ParamSnapshot model, double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("LiNeS post-hoc α must be in [0, 1]; got " + alpha);
    }
    base.requireSameLayout(model, "LiNeS");
    ParamSnapshot delta = new ParamSnapshot();
    for (Param p : base.params()) {
      float[] th = model.get(p.name()).data();
      float[] d = new float[th.length];
      for (int j = 0; j < d.length; j++) {
        d[j] = th[j] - p.data()[j];
      }
      delta.put(p.withData(d));
    }
    return apply(base, delta, alpha, 1 - alpha);
  }

  /** θ0 + λ(l)·τ, block by block. */
  static ParamSnapshot apply(ParamSnapshot base, ParamSnapshot tau, double alpha, double beta) {
    int blocks = blocks(base);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      double f = factor(p.name(), blocks, alpha, beta);
      float[] t = tau.get(p.name()).data();
      float[] v = new float[t.length];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (p.data()[j] + f * t[j]);
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /**
   * The number L of residual blocks ({@code h0/...} to {@code h(L−1)/...}).
   *
   * @throws CpiftException when there are fewer than 2 (no depth to scale along)
   */
  static int blocks(ParamSnapshot params) {
    TreeSet<Integer> seen = new TreeSet<>();
    for (String name : params.names()) {
      int b = blockOf(name);
      if (b >= 0) {
        seen.add(b);
      }
    }
    if (seen.size() < 2 || seen.last() != seen.size() - 1) {
      throw new CpiftException("LiNeS scales task vectors along depth and needs at least 2 "
          + "residual blocks numbered from h0; this model has " + seen.size() + " (" + seen + ")");
    }
    return seen.size();
  }

  /** The block of a parameter ({@code h3/attn/wq} → 3), or −1 outside the blocks. */
  static int blockOf(String name) {
    Matcher m = BLOCK.matcher(name);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** λ(l) = α + β·l/(L−1) for a block's parameters, α elsewhere. */
  static double factor(String name, int blocks, double alpha, double beta) {
    int l = blockOf(name);
    return l < 0 ? alpha : alpha + beta * l / (blocks - 1);
  }

  private static double l1(ParamSnapshot s) {
    double n = 0;
    for (Param p : s.params()) {
      for (float x : p.data()) {
        n += Math.abs(x);
      }
    }
    return n;
  }
}
