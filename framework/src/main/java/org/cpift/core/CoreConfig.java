package org.cpift.core;

/**
 * How core regions are chosen (step 2 of CPI-FT).
 *
 * @param topPercent p: the share of entries, in percent, that forms a core (paper: 1)
 * @param scope over which entries the top-p% is ranked
 * @param excludeEmbeddingsAndNorms leave token/position embeddings and norm parameters out of
 *     ranking (they can then never be core)
 * @param score the importance score
 * @param relativeEps ε of the relative score {@code |Δ|/(|θ0|+ε)}
 * @param gradientBatches batches of task data for the gradient-based scores
 * @param random ablation: a random region of the same size instead of the top-p% (seeded)
 */
public record CoreConfig(double topPercent, Scope scope, boolean excludeEmbeddingsAndNorms,
    ImportanceScore score, float relativeEps, int gradientBatches, boolean random) {

  /** Where the top-p% is taken. */
  public enum Scope {
    /** over all eligible entries of the model at once (the paper's formula) */
    GLOBAL,
    /** p% of each tensor */
    PER_TENSOR,
    /** p% of each layer ({@code h3/...}; embeddings and the final norm each count as a layer) */
    PER_LAYER
  }

  public CoreConfig {
    if (!(topPercent > 0 && topPercent <= 100)) {
      throw new IllegalArgumentException("CoreConfig: topPercent must be in (0, 100], got " + topPercent);
    }
    if (scope == null || score == null) {
      throw new IllegalArgumentException("CoreConfig: scope and score are required");
    }
    if (!(relativeEps > 0)) {
      throw new IllegalArgumentException("CoreConfig: relativeEps must be > 0");
    }
    if (gradientBatches < 1) {
      throw new IllegalArgumentException("CoreConfig: gradientBatches must be >= 1");
    }
  }

  /** The paper's setting: |Δ|, global top-1%, all parameters eligible. */
  public static CoreConfig paper() {
    return new CoreConfig(1.0, Scope.GLOBAL, false, ImportanceScore.ABS_DELTA, 1e-3f, 8, false);
  }

  public CoreConfig withTopPercent(double p) {
    return new CoreConfig(p, scope, excludeEmbeddingsAndNorms, score, relativeEps, gradientBatches,
        random);
  }

  public CoreConfig withScope(Scope s) {
    return new CoreConfig(topPercent, s, excludeEmbeddingsAndNorms, score, relativeEps,
        gradientBatches, random);
  }

  public CoreConfig withScore(ImportanceScore s) {
    return new CoreConfig(topPercent, scope, excludeEmbeddingsAndNorms, s, relativeEps,
        gradientBatches, random);
  }

  public CoreConfig withExcludeEmbeddingsAndNorms(boolean x) {
    return new CoreConfig(topPercent, scope, x, score, relativeEps, gradientBatches, random);
  }

  public CoreConfig withRandom(boolean r) {
    return new CoreConfig(topPercent, scope, excludeEmbeddingsAndNorms, score, relativeEps,
        gradientBatches, r);
  }
}
