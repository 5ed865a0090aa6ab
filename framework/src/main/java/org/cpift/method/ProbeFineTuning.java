package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.train.TrainConfig;
import org.cpift.util.FileLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1 of CPI-FT: fine-tune the base θ0 on each task alone (full fine-tuning) → θi. These
 * single-task experts are also the per-task reference of every table and the inputs of the merging
 * baselines. Each is cached under a key of everything that determines it (base weights, task data,
 * training configuration, seed), so methods and experiments share them.
 */
public final class ProbeFineTuning {
  /**
   * Bump when a code change alters what an expert (or probe) trains to for the same key (the
   * training loop, the optimizer, LoRA, diff pruning, OSRM): cached experts are keyed by their
   * inputs and configuration, not by code, and would otherwise be reused silently. Keyed in above
   * 0 only, so 0 keeps the committed experts' keys.
   */
  static final int REVISION = 0;

  /** Validation items an expert is scored on (its score orders stages, normalizes merges). */
  private static final int VAL_ITEMS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(ProbeFineTuning.class);

  private ProbeFineTuning() {}

  /** An expert: its task, weights, cost and validation score. */
  public record Expert(String task, ParamSnapshot params, Cost cost, double valScore) {}

  /** The experts of every task of the context, trained or loaded from the cache. */
  public static List<Expert> experts(MethodContext ctx) {
    List<Expert> out = new ArrayList<>();
    for (Task t : ctx.tasks()) {
      out.add(expert(ctx, t));
    }
    return out;
  }

  /**
   * The probes CPI-FT (and DPI) find cores from and fuse: the experts themselves by default, or
   * shorter fine-tunes of {@link MethodConfig.Budgets#probeSteps} steps (docs/method.md, "probe length").
   */
  public static List<Expert> probes(MethodContext ctx) {
    List<Expert> out = new ArrayList<>();
    for (Task t : ctx.tasks()) {
      out.add(expert(ctx, t, ctx.config().budgets().probeStepsOrExpert()));
    }
    return out;
  }

  /**
   * A probe of {@code task} fine-tuned by diff pruning to {@code keepPercent}% of the entries
   * (the probe budget; cached under its own key): its nonzero update is the learned mask.
   */
  public static Expert diffPrunedProbe(MethodContext ctx, Task task, double keepPercent) {
    return expert(diffPruning(ctx, keepPercent), task, ctx.config().budgets().probeStepsOrExpert());
  }

  /**
   * Whether the diff-pruned probe of {@code task} is the very run of {@code task} fine-tuned
   * {@code steps} steps in {@code ctx} (a diff-pruning fine-tune at the same keep percentage and
   * budget shares its cache key), so that a caller who counted that run counts the probe once.
   */
  static boolean diffPrunedProbeIs(MethodContext ctx, Task task, double keepPercent, int steps) {
    return key(diffPruning(ctx, keepPercent), task, ctx.config().budgets().probeStepsOrExpert())
        .equals(key(ctx, task, steps));
  }

  private static MethodContext diffPruning(MethodContext ctx, double keepPercent) {
    return new MethodContext(ctx.base(), ctx.baseHash(), ctx.baseDir(), ctx.tasks(),
        ctx.config().withTraining(ctx.config().training().withLora(null)
            .withDiffPruning(new org.cpift.model.DiffPruning(keepPercent))), ctx.cache());
  }

  public static Expert expert(MethodContext ctx, Task task) {
    return expert(ctx, task, ctx.config().budgets().expertSteps());
  }

  private static Expert expert(MethodContext ctx, Task task, int steps) {
    long seed = ctx.seed("expert/" + task.name());
    Map<String, Object> key = description(ctx, task, steps);
    String k = ArtifactCache.key(key);
    try (FileLocks.Held lock = ctx.cache().lock("experts", k)) {
      return expert(ctx, task, steps, seed, key, k);
    }
  }

  /** What determines the expert (or probe) of {@code task} trained {@code steps} steps. */
  private static Map<String, Object> description(MethodContext ctx, Task task, int steps) {
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("base", ctx.baseHash());
    key.put("task", task.name());
    key.put("data", task.checksums());
    TrainConfig training = ctx.trainConfig(steps, ctx.seed("expert/" + task.name()));
    if (training.lora() != null) {
      // how the pipeline later honours frozen entries does not change the expert
      training = training.withLora(training.lora().forExperts());
    }
    key.put("training", training);
    key.put("seed", ctx.config().seed());
    if (REVISION > 0) {
      key.put("revision", REVISION); // absent at 0: the keys of the committed experts
    }
    if (ctx.config().training().lora() != null) {
      key.put("lora_init", "shared across tasks"); // every task's adapters start alike
    }
    if (training.diffPruning() != null) {
      key.put("diff_gates", org.cpift.model.DiffPruning.GATE_RULE);
    }
    if (osrm(ctx)) {
      // OSRM starts the adapters from the other tasks' inputs: they determine the expert too
      Map<String, Object> others = new LinkedHashMap<>();
      ctx.tasks().stream().filter(t -> !t.name().equals(task.name()))
          .forEach(t -> others.put(t.name(), t.checksums()));
      key.put("osrm_other_tasks", others);
      key.put("osrm_samples", Osrm.SAMPLES);
    }
    return key;
  }

  /** Whether experts' LoRA adapters start by OSRM. */
  private static boolean osrm(MethodContext ctx) {
    org.cpift.model.Lora lora = ctx.config().training().lora();
    return lora != null && lora.init().osrm();
  }

  /** The cache key of the expert (or probe) of {@code task} trained {@code steps} steps. */
  static String key(MethodContext ctx, Task task, int steps) {
    return ArtifactCache.key(description(ctx, task, steps));
  }

  /** The validation items an expert is scored on when it is trained. */
  static int valItems(Task task) {
    return Math.min(VAL_ITEMS, task.val().size());
  }

  /**
   * The LoRA factors of {@code task}'s expert, unmerged ({@code .lora_A}, {@code .lora_B} tensors
   * only): what merges of adapters (CoPA) read. Stored beside the expert when it is trained; an
   * expert cached without them is trained again (deterministically, so to the same weights).
   *
   * @throws IllegalArgumentException when the experts are not LoRA experts
   */
  public static ParamSnapshot adapters(MethodContext ctx, Task task) {
    if (ctx.config().training().lora() == null) {
      throw new IllegalArgumentException("the experts have no LoRA adapters: fine-tune them with "
          + "--finetune lora");
    }
    int steps = ctx.config().budgets().expertSteps();
    Map<String, Object> key = description(ctx, task, steps);
    String k = ArtifactCache.key(key);
    try (FileLocks.Held lock = ctx.cache().lock("experts", k)) {
      var hit = ctx.cache().get(ADAPTERS, k);
      if (hit.isEmpty()) {
        LOG.info("expert {} (seed {}): its adapters were not kept; fine-tuning it again",
            task.name(), ctx.config().seed());
        train(ctx, task, steps, ctx.seed("expert/" + task.name()), key, k);
        hit = ctx.cache().get(ADAPTERS, k);
      }
      return hit.orElseThrow().params();
    }
  }

  private static final String ADAPTERS = "expert-adapters";

  /** The expert of cache key {@code k}: from the cache, else trained and stored (lock held). */
  private static Expert expert(MethodContext ctx, Task task, int steps, long seed,
      Map<String, Object> key, String k) {
    MethodConfig c = ctx.config();
    var hit = ctx.cache().get("experts", k);
    if (hit.isPresent()) {
      LOG.info("expert {} (seed {}): from cache {}", task.name(), c.seed(), k.substring(0, 12));
      return new Expert(task.name(), hit.get().params(), hit.get().cost(),
          hit.get().meta().path("val_score").asDouble());
    }
    return train(ctx, task, steps, seed, key, k);
  }

  /** Trains the expert of cache key {@code k} and stores it (a LoRA one's adapters too). */
  private static Expert train(MethodContext ctx, Task task, int steps, long seed,
      Map<String, Object> key, String k) {
    MethodConfig c = ctx.config();
    LOG.info("{}{} {} (seed {}): fine-tuning {} steps", c.training().diffPruning() != null
        ? "diff-pruned " : "", steps == c.budgets().expertSteps() ? "expert" : "probe",
        task.name(), c.seed(), steps);
    org.cpift.model.Lora lora = c.training().lora();
    // LoRA experts start from one shared adapter initialization (as one script run per task with
    // one seed does), so that merges of their factors (CoPA) combine related A's
    long initSeed = ctx.seed("lora-init");
    try (ModelSession m = lora == null ? ctx.session(ctx.base().params(), seed)
        : ctx.loraSession(osrm(ctx) ? Osrm.initialize(ctx, task, lora, initSeed)
            : lora.initialize(ctx.base().params(), initSeed), seed)) {
      Cost cost = ctx.train(m, ctx.encode(task.train(), task.name() + " train"), steps, seed,
          null);
      double val = SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), task,
          SuiteEvaluator.Split.VAL, valItems(task)).get("score");
      ParamSnapshot params = MethodContext.parameters(m); // a LoRA expert merged
      if (m.lora() != null) {
        ParamSnapshot factors = new ParamSnapshot();
        m.parameters().params().stream().filter(p -> org.cpift.model.Lora.isAdapter(p.name()))
            .forEach(factors::put);
        ctx.cache().put(ADAPTERS, k, factors, Cost.NONE, key, Map.of());
      }
      ctx.cache().put("experts", k, params, cost, key, Map.of("val_score", val));
      return new Expert(task.name(), params, cost, val);
    }
  }
}
