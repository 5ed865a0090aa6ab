package org.cpift.method;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings of a {@link MethodConfig} a user may change, each with the value it has in a
 * configuration and one line of help. Each registered training method declares the settings it
 * reads ({@link Methods#register}); front ends derive their help from these declarations (the
 * CLI maps each setting to its option), and the configuration's records validate the values.
 */
public enum Setting {
  LR(c -> c.training().lr(), "fine-tuning peak learning rate (LoRA adapters: --lora-lr when "
      + "set)"),
  BATCH_SIZE(c -> c.training().batchSize(), "fine-tuning batch size"),
  FINETUNE(c -> c.training().diffPruning() != null ? String.format(Locale.ROOT,
      "diff-pruning (%s%% kept%s)", c.training().diffPruning().keepPercent(),
      c.training().diffPruning().structured() ? ", structured: a gate per tensor too" : "")
      : c.training().lora() == null ? "full" : String.format(Locale.ROOT,
      "lora (r %d, alpha %s, on %s%s)", c.training().lora().rank(), c.training().lora().alpha(),
      String.join(",", c.training().lora().targets()), (c.training().lora().dropout() > 0
          ? ", dropout " + c.training().lora().dropout() : "")
          + (c.training().lora().frozenEntries() == org.cpift.model.Lora.FrozenEntries.WEIGHTS
          ? ", frozen entries: the weights train" : "")
          + switch (c.training().lora().init()) {
            case OSRM -> ", OSRM start (orthonormal A)";
            case OSRM_MATCHED -> ", OSRM start (A at the random start's column norms)";
            case RANDOM -> "";
          }
          + (c.training().lora().lr() > 0 ? ", adapters at lr " + c.training().lora().lr()
          : "")),
      "full fine-tuning, LoRA adapters on a frozen base, or a diff-pruned update of it (where "
          + "CPI-FT's pipeline freezes entries of the weights, LoRA trains adapters masked at "
          + "them, or the weights; diff pruning trains the weights)"),
  EXPERT_STEPS(c -> c.budgets().expertSteps(),
      "S: steps of each single-task expert; the training baselines get N·S"),
  PROBE_STEPS(c -> c.budgets().probeStepsOrExpert(),
      "steps of the probe fine-tunes whose deltas give the core regions"),
  PIPELINE_STEPS(c -> c.budgets().pipelineSteps(), "P: pipelined SFT steps per stage"),
  STAGE_SAMPLES(c -> c.budgets().stageSamples(), "balanced sample per task in a stage"),
  TOP_PERCENT(c -> c.core().topPercent(), "core region size p, percent of the parameters"),
  CORE_SCOPE(c -> c.core().scope(), "where the top p% is taken"),
  CORE_SCORE(c -> c.core().score(), "the importance score ranking parameters"),
  EXCLUDE_EMBEDDINGS_NORMS(c -> c.core().excludeEmbeddingsAndNorms(),
      "leave embeddings and norms out of core regions"),
  RANDOM_CORE(c -> c.core().random(), "ablation: random core regions of the same size"),
  TAU(c -> c.staging().grouping().tau(), "grouping threshold τ on core Jaccard"),
  LINKAGE(c -> c.staging().grouping().linkage(), "hierarchical clustering linkage"),
  FIXED_GROUPS(c -> c.staging().grouping().fixedGroups(),
      "cut into this many groups instead of at τ (unset: at τ)"),
  GROUPING_MODE(c -> c.staging().mode(), "overlap grouping, or the each-task/one-stage ablations"),
  STAGE_ORDER(c -> c.staging().order(), "the order of the stages"),
  EXPLICIT_ORDER(c -> String.join(",", c.staging().explicitOrder()),
      "task names in order, for the explicit stage order"),
  MULTI_STAGE_K(c -> c.staging().multiStageK(), "stages of the multi-stage baselines"),
  TRANSPLANT(c -> c.fusion().transplant(), "transplant each task's core into the fused model"),
  SKIP_FUSION(c -> c.fusion().skip(), "ablation: the pipeline starts from the base"),
  INTERPOLATION(c -> c.fusion().interpolation(), "how non-core parameters are merged"),
  GRANULARITY(c -> c.fusion().granularity(), "the vector an interpolation's angle is taken over"),
  ANCHOR(c -> c.fusion().anchor(), "interpolate between the task models, or from the base"),
  OMEGA(c -> c.fusion().omega(), "with the base anchor: the weight toward each task model"),
  OMEGA_GRID(c -> c.fusion().omegaGrid().isEmpty() ? "(ω as given)" : c.fusion().omegaGrid(),
      "with the base anchor: values of ω each trained through the pipeline, the best final "
          + "model on validation kept"),
  COLINEAR(c -> c.fusion().colinear(), "SLERP turns linear when |cos| exceeds this"),
  OVERLAP(c -> c.fusion().overlap(), "which task keeps an entry in two cores"),
  STAGE_DATA(c -> c.pipeline().stageData(), "the data a pipelined stage trains on"),
  REPLAY(c -> c.pipeline().replayFraction(),
      "replay per earlier task, as a fraction of a stage's sample"),
  FREEZE(c -> c.pipeline().freeze(), "freeze earlier stages' cores"),
  EVAL_LIMIT(c -> c.evaluation().limit(), "test examples per task (0: all)"),
  EVAL_EACH_STAGE(c -> c.evaluation().eachStage(), "score every task after every stage");

  private final Function<MethodConfig, Object> value;
  private final String help;

  Setting(Function<MethodConfig, Object> value, String help) {
    this.value = value;
    this.help = help;
  }

  /** This setting's value in {@code c}, as text (enums in lower case with dashes). */
  public String valueIn(MethodConfig c) {
    Object v = value.apply(c);
    return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT).replace('_', '-')
        : String.valueOf(v);
  }

  public String help() {
    return help;
  }

  /**
   * What every fine-tuning method reads: the optimizer's step and what is scored; a merge reads
   * these too (its experts' fine-tuning, its scoring).
   */
  public static Set<Setting> training() {
    return EnumSet.of(LR, BATCH_SIZE, FINETUNE, EXPERT_STEPS, EVAL_LIMIT);
  }

  /**
   * What merge {@code name} reads: the training settings (its experts'), and the core settings
   * when it takes core regions (Localize-and-Stitch).
   */
  public static Set<Setting> merge(String name) {
    Set<Setting> s = training();
    if (Baselines.Merge.readsCores(name)) {
      s.addAll(cores());
    }
    return s;
  }

  /** What finding core regions reads: the probes' length, the region's size, scope and score. */
  private static Set<Setting> cores() {
    return EnumSet.of(PROBE_STEPS, TOP_PERCENT, CORE_SCOPE, CORE_SCORE, EXCLUDE_EMBEDDINGS_NORMS,
        RANDOM_CORE);
  }

  /** What a staged method adds. */
  static Set<Setting> staged() {
    Set<Setting> s = training();
    s.add(EVAL_EACH_STAGE);
    return s;
  }

  /**
   * What DPI reads (CPI-FT without fusion): cores, grouping, order, freezing; its stages train on
   * their own tasks' full data, so neither the stage-data policy nor the stage sample.
   */
  static Set<Setting> dpi() {
    Set<Setting> s = staged();
    s.addAll(cores());
    s.addAll(EnumSet.of(TAU, LINKAGE, FIXED_GROUPS, GROUPING_MODE, STAGE_ORDER, EXPLICIT_ORDER,
        FREEZE));
    return s;
  }

  /** What CPI-FT reads: DPI's settings, the pipeline's data and budget, and fusion's. */
  static Set<Setting> cpiFt() {
    Set<Setting> s = dpi();
    s.addAll(EnumSet.of(STAGE_SAMPLES, STAGE_DATA, REPLAY, PIPELINE_STEPS, TRANSPLANT,
        SKIP_FUSION, INTERPOLATION, GRANULARITY, ANCHOR, OMEGA, OMEGA_GRID, COLINEAR, OVERLAP));
    return s;
  }
}
