package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.model.Lora;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelCheckpoint;
import org.cpift.train.ModelSession;
import org.cpift.train.TrainConfig;
import org.cpift.train.Trainer;
import org.cpift.util.Hashing;
import org.cpift.util.Shuffle;

/**
 * What every method runs against: the base model, the tasks, the configuration and the artifact
 * cache, with the shared operations — fine-tune, evaluate, sample stage data.
 */
public final class MethodContext {
  private final ModelCheckpoint base;
  private final String baseHash;
  private final java.nio.file.Path baseDir;
  private final List<Task> tasks;
  private final MethodConfig config;
  private final ArtifactCache cache;
  private boolean keepFinal;
  private ParamSnapshot finalParams;
  private ParamSnapshot finalAdapters;

  public MethodContext(ModelCheckpoint base, String baseHash, List<Task> tasks, MethodConfig config,
      ArtifactCache cache) {
    this(base, baseHash, null, tasks, config, cache);
  }

  /** As above, with the directory the base was loaded from (its manifest names its corpus). */
  public MethodContext(ModelCheckpoint base, String baseHash, java.nio.file.Path baseDir,
      List<Task> tasks, MethodConfig config, ArtifactCache cache) {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("no tasks");
    }
    this.base = base;
    this.baseHash = baseHash;
    this.baseDir = baseDir;
    this.tasks = List.copyOf(tasks);
    this.config = config;
    this.cache = cache;
  }

  /**
   * The same base, tasks and cache under another configuration (a method trying variants of
   * itself); what {@link #keepFinalModel} asked for is not carried over.
   */
  public MethodContext withConfig(MethodConfig other) {
    return new MethodContext(base, baseHash, baseDir, tasks, other, cache);
  }

  public ModelCheckpoint base() {
    return base;
  }

  public String baseHash() {
    return baseHash;
  }

  /** The directory the base was loaded from (an {@code hf:} base's too), or null if unknown. */
  public java.nio.file.Path baseDir() {
    return baseDir;
  }

  public List<Task> tasks() {
    return tasks;
  }

  public List<String> taskNames() {
    return tasks.stream().map(Task::name).toList();
  }

  /** Each task's file checksums, by task name in task order (part of every cache key). */
  public Map<String, Map<String, String>> dataChecksums() {
    Map<String, Map<String, String>> data = new LinkedHashMap<>();
    tasks.forEach(t -> data.put(t.name(), t.checksums()));
    return data;
  }

  public MethodConfig config() {
    return config;
  }

  public ArtifactCache cache() {
    return cache;
  }

  /** A seed for a named purpose, independent of which other purposes are used. */
  public long seed(String purpose) {
    return new SplittableRandom(config.seed() ^ Hashing.sha256(purpose).hashCode() * 0x9E3779B97F4A7C15L)
        .nextLong();
  }

  public List<EncodedExample> encode(List<SftRecord> records, String source) {
    return EncodedExample.encodeAll(records, base.tokenizer(), base.config().contextLength(), source);
  }

  /** All training records of the given tasks, concatenated (the batcher shuffles them). */
  public List<EncodedExample> trainData(List<Task> which) {
    List<EncodedExample> out = new ArrayList<>();
    for (Task t : which) {
      out.addAll(encode(t.train(), t.name() + " train"));
    }
    return out;
  }

  /** A seeded sample of {@code n} training records of a task (all when n ≥ size). */
  public List<SftRecord> sample(Task t, int n, long seed) {
    List<SftRecord> all = new ArrayList<>(t.train());
    SplittableRandom rnd = new SplittableRandom(seed);
    Shuffle.inPlace(all, rnd);
    return all.subList(0, Math.min(n, all.size()));
  }

  /**
   * The fine-tuning configuration for a run of {@code steps} steps: the configured one, with its
   * warm-up cut to at most a tenth of the run (a short stage is not spent warming up; the
   * configuration recorded in keys and manifests keeps the configured warm-up).
   */
  public TrainConfig trainConfig(int steps, long seed) {
    TrainConfig t = config.training().withSteps(steps).withSeed(seed)
        .withLogEvery(Math.max(1, steps / 4)).withEvalEvery(0).withCheckpointEvery(0);
    return t.withWarmupSteps(Math.min(t.warmupSteps(), Math.max(0, steps / 10)));
  }

  /**
   * A trainable session holding {@code start}: with LoRA fine-tuning
   * ({@link TrainConfig#lora}) fresh adapters on a frozen copy of it (A seeded from
   * {@code seed}), else every weight trainable.
   */
  public ModelSession session(ParamSnapshot start, long seed) {
    Lora lora = config.training().lora();
    org.cpift.model.DiffPruning diff = config.training().diffPruning();
    if (diff != null) {
      ModelSession m = ModelSession.createDiffPruning(base.config(),
          config.training().optimizer(), seed, diff);
      m.loadParameters(diff.initialize(start));
      return m;
    }
    if (lora == null) {
      return fullSession(start, seed);
    }
    return loraSession(lora.initialize(start, seed), seed);
  }

  /**
   * What a LoRA run trains against the model it adapts, for a cell's record:
   * {@code lora_adapter_parameters} and {@code model_parameters}; empty under full fine-tuning
   * (which trains it all).
   */
  public Map<String, Object> loraSizes() {
    Lora lora = config.training().lora();
    if (lora == null) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("lora_adapter_parameters", lora.adapterParameters(base.params()));
    out.put("model_parameters", base.params().numElements());
    return out;
  }

  /** A LoRA session (the configuration's LoRA) holding {@code withAdapters}, adapters trainable. */
  public ModelSession loraSession(ParamSnapshot withAdapters, long seed) {
    ModelSession m = ModelSession.create(base.config(), config.training().optimizer(), seed,
        config.training().lora());
    m.loadParameters(withAdapters);
    return m;
  }

  /**
   * A LoRA session on {@code start} whose adapters' update is zero at the entries {@code frozen}
   * selects ({@link Lora#masked}): how CPI-FT's pipelined phase honours earlier stages' cores
   * under LoRA fine-tuning ({@link Lora.FrozenEntries#ADAPTERS}). Adapters start fresh (A seeded
   * from {@code seed}, B zero).
   */
  public ModelSession maskedLoraSession(ParamSnapshot start, ParamMask frozen, long seed) {
    Lora lora = config.training().lora().masked();
    ModelSession m = ModelSession.create(base.config(), config.training().optimizer(), seed, lora);
    m.loadParameters(lora.freeze(lora.initialize(start, seed), frozen));
    return m;
  }

  /**
   * A session training every weight, whatever the fine-tuning mode: CPI-FT's pipelined phase,
   * whose freeze masks select entries of the weights themselves.
   */
  public ModelSession fullSession(ParamSnapshot start, long seed) {
    ModelSession m = ModelSession.create(base.config(), config.training().optimizer(), seed);
    m.loadParameters(start);
    return m;
  }

  /** The model's weights; a LoRA model's with its adapters merged in, a diff-pruned one's pruned. */
  public static ParamSnapshot parameters(ModelSession m) {
    if (m.diffPruning() != null) {
      return m.diffPruning().merge(m.parameters());
    }
    return m.lora() == null ? m.parameters() : m.lora().merge(m.parameters());
  }

  /**
   * Trains {@code m} in place for {@code steps} on {@code data} with {@code frozen} entries (a
   * LoRA model: its whole base frozen, only the adapters train, at {@link Lora#lr} if set).
   */
  public Cost train(ModelSession m, List<EncodedExample> data, int steps, long seed, ParamMask frozen) {
    if (m.diffPruning() != null) {
      if (frozen != null && frozen.cardinality() > 0) {
        throw new IllegalArgumentException("freezing entries of a diff-pruned model is not "
            + "supported: its base is frozen whole");
      }
      frozen = null;
    }
    if (m.lora() != null) {
      if (frozen != null && frozen.cardinality() > 0) {
        throw new IllegalArgumentException("freezing entries of a LoRA model is not supported: "
            + "its base is frozen whole");
      }
      frozen = null; // a LoRA session has no update for its base: only the adapters train
    }
    m.freeze(frozen);
    if (m.diffPruning() != null) {
      return trainDiff(m, data, steps, seed);
    }
    TrainConfig tc = trainConfig(steps, seed);
    if (m.lora() != null) {
      tc = tc.withLr(m.lora().lr(tc.lr())); // adapters at LoRA's own rate, if it has one
    }
    Trainer.Result r = Trainer.train(m, base.tokenizer(), data, null, tc, null, "");
    return new Cost(steps, r.tokens(), r.wallSeconds(), 0, 0, 0);
  }

  /**
   * Diff pruning's two phases within the run's budget: the first half of the steps with sampled
   * gates and the L0 penalty, the magnitude projection to the target, then the second half
   * fine-tuning the kept entries with the mask fixed (deterministic gates). From then on the
   * session computes the pruned model. Each call (each stage of a pipeline) does both phases, its
   * gated phase over every entry again.
   */
  private Cost trainDiff(ModelSession m, List<EncodedExample> data, int steps, long seed) {
    int first = (steps + 1) / 2;
    // sampled gates again: a pipeline's later stage trains the session its earlier stage left
    // deterministic for the fixed-mask phase
    m.sampleGates(true);
    Trainer.Result a = Trainer.train(m, base.tokenizer(), data, null, trainConfig(first, seed),
        null, "");
    ParamSnapshot gated = m.parameters();
    org.slf4j.LoggerFactory.getLogger(MethodContext.class).info(
        "diff pruning: after the gated phase ({} steps), {}", first,
        org.cpift.model.DiffPruning.gateSummary(gated));
    ParamSnapshot projected = m.diffPruning().project(gated);
    m.loadParameters(projected);
    long tokens = a.tokens();
    double wall = a.wallSeconds();
    if (steps > first) {
      m.freeze(org.cpift.model.DiffPruning.fixedMask(projected));
      m.sampleGates(false);
      Trainer.Result b = Trainer.train(m, base.tokenizer(), data, null,
          trainConfig(steps - first, seed + 1), null, "");
      tokens += b.tokens();
      wall += b.wallSeconds();
    }
    return new Cost(steps, tokens, wall, 0, 0, 0);
  }

  /**
   * Scores a method's final model on every task's test split, and keeps its parameters when
   * {@link #keepFinalModel} asked for them (run-method's --save-model).
   */
  public Map<String, Map<String, Double>> scoreFinal(ModelSession m) {
    if (keepFinal) {
      finalParams = parameters(m);
      finalAdapters = m.lora() == null ? null : m.parameters();
    }
    return evaluate(m);
  }

  /** As {@link #scoreFinal(ModelSession)}, for parameters. */
  public Map<String, Map<String, Double>> scoreFinal(ParamSnapshot params) {
    return scoreFinal(params, null);
  }

  /**
   * As {@link #scoreFinal(ParamSnapshot)}, with the LoRA adapters (unmerged, beside the base)
   * that give {@code params}, or null.
   */
  public Map<String, Map<String, Double>> scoreFinal(ParamSnapshot params,
      ParamSnapshot adapters) {
    if (keepFinal) {
      finalParams = params;
      finalAdapters = adapters;
    }
    return evaluate(params);
  }

  /** Asks the method to keep its final model's parameters ({@link #finalParams}). */
  public void keepFinalModel() {
    keepFinal = true;
  }

  /** Whether {@link #keepFinalModel} was asked for. */
  boolean keepsFinalModel() {
    return keepFinal;
  }

  /**
   * Takes the final model {@code other} kept (a context from {@link #withConfig} that a method ran
   * a variant of itself in).
   */
  void takeFinalModel(MethodContext other) {
    finalParams = other.finalParams;
    finalAdapters = other.finalAdapters;
  }

  /**
   * The final model's parameters with its LoRA adapters unmerged, when it was one LoRA model
   * throughout (multi-task, multi-stage and sequential SFT under {@code --finetune lora}); else
   * null.
   */
  public ParamSnapshot finalAdapters() {
    return finalAdapters;
  }

  /** The final model's parameters the method scored, or null (none kept, or no single model). */
  public ParamSnapshot finalParams() {
    return finalParams;
  }

  /** Scores {@code m} on every task's test split. */
  public Map<String, Map<String, Double>> evaluate(ModelSession m) {
    return SuiteEvaluator.evaluate(m, base.tokenizer(), tasks, SuiteEvaluator.Split.TEST,
        config.evaluation().limit());
  }

  /** Scores parameters on every task's test split. */
  public Map<String, Map<String, Double>> evaluate(ParamSnapshot params) {
    try (ModelSession m = ModelSession.create(base.config(), null, 0)) {
      m.loadParameters(params);
      return evaluate(m);
    }
  }

  /** Test score of every task only ({@code score}), for per-stage tracking. */
  public Map<String, Double> scoresOnly(ModelSession m) {
    Map<String, Double> out = new LinkedHashMap<>();
    evaluate(m).forEach((t, v) -> out.put(t, v.get("score")));
    return out;
  }
}
