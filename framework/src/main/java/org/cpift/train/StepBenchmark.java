package org.cpift.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.cpift.data.Batch;
import org.cpift.model.FlopCounter;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the full training step (forward, backward, masked AdamW update) on random tokens of full
 * length: median milliseconds per step over {@code repeats} after {@code warmup} steps.
 */
public final class StepBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(StepBenchmark.class);

  private StepBenchmark() {}

  /** One measurement. */
  public record Result(ModelConfig model, int batch, int length, int repeats, double medianMs,
      double minMs, double tokensPerSecond, double gflops, long params) {}

  public static Result run(ModelConfig model, int batch, int length, int warmup, int repeats,
      long seed) {
    return run(model, batch, length, warmup, repeats, seed, null);
  }

  /**
   * As above, training LoRA adapters ({@code lora}, null: every weight) on the randomly
   * initialized base: the same forward, a backward and an update for the adapters only.
   */
  public static Result run(ModelConfig model, int batch, int length, int warmup, int repeats,
      long seed, org.cpift.model.Lora lora) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = batch * length;
    int[] in = new int[n];
    int[] tg = new int[n];
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      in[i] = rnd.nextInt(model.vocabSize());
      tg[i] = rnd.nextInt(model.vocabSize());
      w[i] = 1f;
    }
    Batch b = new Batch(batch, length, in, tg, w, n);
    double[] ms = new double[repeats];
    try (ModelSession m = ModelSession.create(model, OptimizerConfig.adamW(), seed, lora)) {
      for (int i = 0; i < warmup; i++) {
        m.trainStep(b, 1e-4f);
      }
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        m.trainStep(b, 1e-4f);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        LOG.debug("step {}: {} ms", i, ms[i]);
      }
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = repeats % 2 == 1 ? sorted[repeats / 2]
        : 0.5 * (sorted[repeats / 2 - 1] + sorted[repeats / 2]);
    return new Result(model, batch, length, repeats, median, sorted[0],
        FlopCounter.tokensPerSecond(batch, length, median),
        FlopCounter.gflops(model, batch, length, median), model.numParams());
  }
}
