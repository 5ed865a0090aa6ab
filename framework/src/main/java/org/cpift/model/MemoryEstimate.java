package org.cpift.model;

import java.lang.management.ManagementFactory;
import org.cpift.util.CpiftException;

/**
 * An upper estimate of the memory one training step of the transformer takes, checked against the
 * machine before any work, so that a shape too large for it (a context of a billion tokens) is
 * refused with the option to change instead of an OutOfMemoryError halfway through a run.
 *
 * <p>Counted in float32 bytes: the weights with their gradient and two Adam moments
 * ({@code 4·N}); the activations kept for the backward pass of each layer, per token
 * ({@code 16·d} for the residual stream, norms, Q, K, V, attention output and MLP input, plus
 * {@code 2·r·d} for the MLP hidden layer and its activation) and the attention probabilities
 * ({@code 2·H·T} per token: scores and softmax); the logits and their gradient ({@code 2·V} per
 * token). Generous on purpose: the graph's temporaries are not all alive at once.
 */
public final class MemoryEstimate {
  private MemoryEstimate() {}

  /** Bytes of one training step of {@code batch} sequences of the model's full context. */
  public static double trainingStepBytes(ModelConfig c, int batch) {
    double n = c.numParams();
    double tokens = (double) batch * c.contextLength();
    double perTokenPerLayer = 16.0 * c.dModel() + (c.activation() == ModelConfig.Activation.SWIGLU
        ? 3.0 : 2.0) * c.mlpWidth()
        + 2.0 * c.nHeads() * c.contextLength();
    return 4.0 * (4 * n + tokens * (c.nLayers() * perTokenPerLayer + 2.0 * c.vocabSize()));
  }

  /** The machine's physical memory in bytes (the heap's limit when it cannot be read). */
  public static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }

  /**
   * Refuses a model and batch whose training step would not fit in this machine's memory.
   *
   * @param what the options that set the shape, for the message (e.g. "the context length")
   */
  public static void check(ModelConfig c, int batch, String what) {
    double need = trainingStepBytes(c, batch);
    long have = physicalMemory();
    if (c.contextLength() > (1 << 20) || need > have) {
      throw new CpiftException(String.format(java.util.Locale.ROOT,
          "a training step of this model (d=%d, %d layers, %d heads, context %d) with batch %d "
          + "needs about %.1f GB, and this machine has %.1f GB; lower %s", c.dModel(), c.nLayers(),
          c.nHeads(), c.contextLength(), batch, need / 1e9, have / 1e9, what));
    }
  }
}
