package org.cpift.model;

/**
 * Floating-point operation counts of the transformer, after the estimate of Kaplan et al. and
 * nanoGPT: a training step costs {@code 6·N} FLOPs per token for the weight matmuls (2 forward,
 * 4 backward; N excludes the position embedding, which is a lookup, and counts the tied output
 * head once) plus {@code 12·L·T·d} per token for attention scores and values (QKᵀ and AV, forward
 * and backward, computed densely over all T positions).
 */
public final class FlopCounter {
  private FlopCounter() {}

  /** Parameters that take part in matmuls: all but the position embedding. */
  public static long matmulParams(ModelConfig c) {
    return c.numParams() - (c.rotary() ? 0 : (long) c.contextLength() * c.dModel());
  }

  /** Training FLOPs per token at sequence length {@code t}. */
  public static double trainingFlopsPerToken(ModelConfig c, int t) {
    return 6.0 * matmulParams(c) + 12.0 * c.nLayers() * t * c.dModel();
  }

  /** Training FLOPs of one step of {@code batch × t} tokens. */
  public static double trainingFlopsPerStep(ModelConfig c, int batch, int t) {
    return trainingFlopsPerToken(c, t) * batch * t;
  }

  /** GFLOP/s of a step that took {@code millis} milliseconds. */
  public static double gflops(ModelConfig c, int batch, int t, double millis) {
    return trainingFlopsPerStep(c, batch, t) / (millis * 1e-3) / 1e9;
  }

  /** Tokens per second of a step of {@code batch × t} tokens that took {@code millis} ms. */
  public static double tokensPerSecond(int batch, int t, double millis) {
    return batch * (double) t / (millis * 1e-3);
  }
}
