package org.cpift.train;

import java.util.Arrays;
import java.util.List;
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

  /** Op types that are matrix products (dense, fused with a bias or activation, batched). */
  static boolean isMatMul(String opType) {
    return opType.contains("MatMul"); // MatMul, BatchMatMulV3, oneDNN's _MklMatMul, fused ones
  }

  /** One op type's time per step and share of all op time. */
  public record OpTime(String type, double msPerStep, double share) {}

  /**
   * Where the step's time goes: per op type, the mean op time per traced step and its share of
   * all op time (ops of one step overlap on the inter-op pool, so op time can exceed wall time),
   * sorted by time; the matmuls' own throughput (the model's FLOPs over the matmul ops' time)
   * and the traced steps' wall time.
   */
  public record Profile(ModelConfig model, int batch, int length, int steps, List<OpTime> ops,
      List<OpTime> scopes, double matmulShare, double matmulGflops, double wallMsPerStep,
      double opMsPerStep) {}

  public static Profile profile(ModelConfig model, int batch, int length, int warmup, int steps,
      long seed) {
    Batch b = randomBatch(model, batch, length, seed);
    java.util.Map<String, Long> micros = new java.util.HashMap<>();
    java.util.Map<String, Long> scopes = new java.util.HashMap<>();
    long wall = 0;
    try (ModelSession m = ModelSession.create(model, OptimizerConfig.adamW(), seed)) {
      for (int i = 0; i < warmup; i++) {
        m.trainStep(b, 1e-4f);
      }
      for (int i = 0; i < steps; i++) {
        ModelSession.StepProfile p = m.profileStep(b, 1e-4f);
        p.microsByOpType().forEach((k, v) -> micros.merge(k, v, Long::sum));
        p.microsByScope().forEach((k, v) -> scopes.merge(k, v, Long::sum));
        wall += p.wallMicros();
      }
    }
    double total = micros.values().stream().mapToLong(Long::longValue).sum();
    double matmul = micros.entrySet().stream().filter(e -> isMatMul(e.getKey()))
        .mapToLong(java.util.Map.Entry::getValue).sum();
    double matmulMs = matmul / 1e3 / steps;
    return new Profile(model, batch, length, steps, times(micros, total, steps),
        times(scopes, total, steps), matmul / total,
        FlopCounter.gflops(model, batch, length, matmulMs), wall / 1e3 / steps,
        total / 1e3 / steps);
  }

  private static List<OpTime> times(java.util.Map<String, Long> micros, double total, int steps) {
    List<OpTime> out = new java.util.ArrayList<>();
    micros.forEach((k, v) -> out.add(new OpTime(k, v / 1e3 / steps, v / total)));
    out.sort(java.util.Comparator.comparingDouble(OpTime::msPerStep).reversed());
    return List.copyOf(out);
  }

  private static Batch randomBatch(ModelConfig model, int batch, int length, long seed) {
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
    return new Batch(batch, length, in, tg, w, n);
  }

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
    Batch b = randomBatch(model, batch, length, seed);
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
