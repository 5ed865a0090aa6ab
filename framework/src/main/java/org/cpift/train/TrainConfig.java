package org.cpift.train;

import org.cpift.model.Lora;
import org.cpift.optim.LrSchedule;
import org.cpift.optim.OptimizerConfig;

/**
 * How to train: steps, batch, learning-rate schedule, optimizer, evaluation and checkpoints.
 * Validated at construction; {@code toString()} prints every value.
 *
 * @param steps optimizer steps
 * @param batchSize examples per step
 * @param lr peak learning rate
 * @param warmupSteps linear warm-up steps
 * @param minLrRatio final learning rate as a fraction of the peak (cosine decay)
 * @param optimizer optimizer hyperparameters
 * @param seed seed of the data order (the model's initialization has its own seed)
 * @param logEvery progress line every this many steps
 * @param evalEvery evaluate every this many steps (0 = only at the end)
 * @param evalExamples at most this many validation examples per evaluation
 * @param checkpointEvery checkpoint every this many steps (0 = never; needs an output directory)
 * @param maxAnswerTokens longest generated answer in exact-match evaluation
 * @param lora fine-tune LoRA adapters on a frozen base instead of every weight (null: full
 *     fine-tuning)
 * @param diffPruning fine-tune a diff-pruned update of the frozen base instead (null: not);
 *     not together with LoRA
 */
public record TrainConfig(int steps, int batchSize, float lr, int warmupSteps, float minLrRatio,
    OptimizerConfig optimizer, long seed, int logEvery, int evalEvery, int evalExamples,
    int checkpointEvery, int maxAnswerTokens, Lora lora,
    org.cpift.model.DiffPruning diffPruning)
    implements org.cpift.util.CacheKey.Evolving {

  /** As below, without diff pruning. */
  public TrainConfig(int steps, int batchSize, float lr, int warmupSteps, float minLrRatio,
      OptimizerConfig optimizer, long seed, int logEvery, int evalEvery, int evalExamples,
      int checkpointEvery, int maxAnswerTokens, Lora lora) {
    this(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed, logEvery, evalEvery,
        evalExamples, checkpointEvery, maxAnswerTokens, lora, null);
  }

  /** Full fine-tuning, as before LoRA existed. */
  public TrainConfig(int steps, int batchSize, float lr, int warmupSteps, float minLrRatio,
      OptimizerConfig optimizer, long seed, int logEvery, int evalEvery, int evalExamples,
      int checkpointEvery, int maxAnswerTokens) {
    this(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed, logEvery, evalEvery,
        evalExamples, checkpointEvery, maxAnswerTokens, null, null);
  }

  /** LoRA came after results were cached: full fine-tuning (null) is keyed out. */
  @Override
  public java.util.Map<String, Object> addedWithDefaults() {
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    m.put("lora", null);
    m.put("diffPruning", null);
    return m;
  }

  public TrainConfig {
    check(steps >= 1, "steps must be >= 1, got " + steps);
    check(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
    check(lr > 0 && Float.isFinite(lr), "lr must be > 0, got " + lr);
    check(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
    check(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1], got " + minLrRatio);
    check(optimizer != null, "optimizer must be given");
    check(logEvery >= 1, "logEvery must be >= 1, got " + logEvery);
    check(evalEvery >= 0, "evalEvery must be >= 0, got " + evalEvery);
    check(evalExamples >= 1, "evalExamples must be >= 1, got " + evalExamples);
    check(checkpointEvery >= 0, "checkpointEvery must be >= 0, got " + checkpointEvery);
    check(maxAnswerTokens >= 1, "maxAnswerTokens must be >= 1, got " + maxAnswerTokens);
    check(lora == null || diffPruning == null, "fine-tune LoRA adapters or a pruned diff, not "
        + "both");
  }

  /**
   * The defaults every preset starts from (a fine-tuning run): 1,000 steps of batch 32, AdamW at
   * peak lr 1e-3 with 100 warm-up steps and cosine decay to a tenth, a progress line every 50
   * steps, evaluation only at the end on up to 300 examples with answers of up to 96 tokens, a
   * checkpoint every 500 steps.
   */
  public static final TrainConfig DEFAULTS = new TrainConfig(1000, 32, 1e-3f, 100, 0.1f,
      OptimizerConfig.adamW(), 0, 50, 0, 300, 500, 96);

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("TrainConfig: " + message);
    }
  }

  public LrSchedule schedule() {
    return new LrSchedule(lr, Math.min(warmupSteps, steps - 1), steps, minLrRatio);
  }

  public TrainConfig withSteps(int n) {
    return new TrainConfig(n, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withSeed(long s) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, s, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withLr(float peak) {
    return new TrainConfig(steps, batchSize, peak, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withBatchSize(int b) {
    return new TrainConfig(steps, b, lr, warmupSteps, minLrRatio, optimizer, seed, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withOptimizer(OptimizerConfig o) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, o, seed, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withEvalEvery(int n) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, n, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withCheckpointEvery(int n) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, evalExamples, n, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withLogEvery(int n) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed, n,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withWarmupSteps(int n) {
    return new TrainConfig(steps, batchSize, lr, n, minLrRatio, optimizer, seed, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withMinLrRatio(float r) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, r, optimizer, seed, logEvery,
        evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withEvalExamples(int n) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, n, checkpointEvery, maxAnswerTokens, lora, diffPruning);
  }

  public TrainConfig withLora(Lora l) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, l, diffPruning);
  }

  public TrainConfig withDiffPruning(org.cpift.model.DiffPruning d) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, evalExamples, checkpointEvery, maxAnswerTokens, lora, d);
  }

  public TrainConfig withMaxAnswerTokens(int n) {
    return new TrainConfig(steps, batchSize, lr, warmupSteps, minLrRatio, optimizer, seed,
        logEvery, evalEvery, evalExamples, checkpointEvery, n, lora, diffPruning);
  }
}
