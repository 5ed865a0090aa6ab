package org.cpift.optim;

/**
 * Optimizer hyperparameters. Validated at construction.
 *
 * @param type AdamW or SGD with momentum
 * @param beta1 Adam first-moment decay
 * @param beta2 Adam second-moment decay
 * @param eps Adam denominator epsilon
 * @param weightDecay decoupled (AdamW) or L2 (SGD) weight decay; applied to matrices and
 *     embeddings only
 * @param momentum SGD momentum (0 = plain SGD)
 * @param clipNorm clip gradients to this global norm (0 = no clipping)
 */
public record OptimizerConfig(Type type, float beta1, float beta2, float eps, float weightDecay,
    float momentum, float clipNorm) {

  /** Optimizer kind. */
  public enum Type { ADAMW, SGD }

  public OptimizerConfig {
    if (type == null) {
      throw new IllegalArgumentException("OptimizerConfig: type must be given");
    }
    check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
    check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
    check(eps > 0, "eps must be > 0, got " + eps);
    check(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
    check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    check(clipNorm >= 0, "clipNorm must be >= 0 (0 disables clipping), got " + clipNorm);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("OptimizerConfig: " + message);
    }
  }

  /** AdamW with β = (0.9, 0.99), ε = 1e-8, weight decay 0.01, clipping at 1. */
  public static OptimizerConfig adamW() {
    return new OptimizerConfig(Type.ADAMW, 0.9f, 0.99f, 1e-8f, 0.01f, 0f, 1f);
  }

  /** SGD with momentum 0.9, no weight decay, clipping at 1. */
  public static OptimizerConfig sgd() {
    return new OptimizerConfig(Type.SGD, 0.9f, 0.999f, 1e-8f, 0f, 0.9f, 1f);
  }

  public OptimizerConfig withWeightDecay(float wd) {
    return new OptimizerConfig(type, beta1, beta2, eps, wd, momentum, clipNorm);
  }

  public OptimizerConfig withClipNorm(float c) {
    return new OptimizerConfig(type, beta1, beta2, eps, weightDecay, momentum, c);
  }

  /** Builds the optimizer this config describes. */
  public MaskedOptimizer create() {
    return type == Type.ADAMW ? new MaskedAdamW(this) : new MaskedSgd(this);
  }
}
