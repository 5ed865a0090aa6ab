package org.cpift.merge;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * DARE (Yu et al., 2024): drop each task-vector entry with probability p and rescale the kept ones
 * by 1/(1−p), then merge the sparsified vectors with task arithmetic ({@code dare-ta}) or TIES
 * ({@code dare-ties}). The drops are seeded per (seed, task, parameter).
 */
public final class Dare implements MergeMethod {
  private final double dropRate;
  private final boolean withTies;
  private final MergeOptions options;

  public Dare(MergeOptions options, boolean withTies) {
    this.dropRate = options.dareDropRate();
    this.withTies = withTies;
    this.options = options;
  }

  @Override
  public String name() {
    return withTies ? "dare-ties" : "dare-ta";
  }

  @Override
  public String reference() {
    return "Yu et al., Language Models are Super Mario: Absorbing Abilities from Homologous Models "
        + "as a Free Lunch, ICML 2024 (arXiv 2311.03099)";
  }

  @Override
  public Map<String, Object> parameters() {
    return withTies
        ? Map.of("drop_rate", dropRate, "top_percent", options.tiesTopPercent(), "lambda",
            options.tiesLambda(), "seed", options.seed())
        : Map.of("drop_rate", dropRate, "lambda", options.lambda(), "seed", options.seed());
  }

  @Override
  public org.cpift.params.ParamSnapshot merge(MergeContext ctx) {
    TaskArithmetic.Deltas dropped = (i, name) -> dropAndRescale(ctx.delta(i, name),
        new SplittableRandom(options.seed() * 1_000_003L + i * 7919L + name.hashCode()));
    return withTies
        ? new Ties(options.tiesTopPercent(), options.tiesLambda()).merge(ctx, dropped)
        : TaskArithmetic.addScaled(ctx, dropped, options.lambda());
  }

  float[] dropAndRescale(float[] d, SplittableRandom rnd) {
    float scale = (float) (1 / (1 - dropRate));
    float[] out = new float[d.length];
    for (int j = 0; j < d.length; j++) {
      out[j] = rnd.nextDouble() < dropRate ? 0f : d[j] * scale;
    }
    return out;
  }
}
