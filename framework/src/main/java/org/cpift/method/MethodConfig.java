package org.cpift.method;

import java.util.List;
import java.util.function.UnaryOperator;
import org.cpift.cluster.GroupingConfig;
import org.cpift.cluster.StageOrdering;
import org.cpift.core.CoreConfig;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.merge.MergeOptions;
import org.cpift.train.Preset;
import org.cpift.train.TrainConfig;

/**
 * Everything that determines a method run besides the data and the base model, as small nested
 * records: training, budgets, core selection (step 2), staging (steps 3–4 and the multi-stage
 * baselines), fusion (step 5), the pipelined phase (step 6), the merging baselines and
 * evaluation. A preset's defaults are {@link #defaults}; a change states only what differs, one
 * {@code with} per nested record ({@code c.withBudgets(b -> b.withPipelineSteps(300))}).
 * Defaults follow the paper where it is explicit and the project's reading where it is not
 * (docs/method.md); {@code toString()} prints every value. Cache keys are built from the records'
 * components by name ({@link org.cpift.util.CacheKey}).
 *
 * @param preset model size and training defaults
 * @param seed the run's seed (experts, partitions, orders, samples are split from it)
 * @param training optimizer and schedule for every fine-tuning run (steps are set per run)
 * @param budgets steps and samples
 * @param core core-region selection (step 2)
 * @param staging grouping, stage order and the multi-stage baselines' stage count
 * @param fusion core transplant and interpolation (step 5)
 * @param pipeline the pipelined phase's data and freezing (step 6)
 * @param merge hyperparameters of the merging baselines
 * @param evaluation what is scored
 */
public record MethodConfig(Preset preset, long seed, TrainConfig training, Budgets budgets,
    CoreConfig core, Staging staging, CoreParameterFusion.Config fusion, Pipeline pipeline,
    MergeOptions merge, Evaluation evaluation) {

  /**
   * Data of a pipelined stage. The paper's pipelined phase trains on "mixed-task data" with
   * earlier stages' cores frozen; {@code ALL_TASKS} is that reading and the default.
   */
  public enum StageData {
    /** a balanced sample of the stage's tasks plus a replay sample of earlier stages' tasks */
    STAGE_PLUS_REPLAY,
    /** the stage's tasks only */
    STAGE_ONLY,
    /** a balanced sample of every task in every stage (the paper's "mixed-task data"; default) */
    ALL_TASKS
  }

  /** How tasks become stages. */
  public enum GroupingMode {
    /** groups from core overlap (the method) */
    OVERLAP,
    /** ablation: every task its own stage */
    EACH_TASK,
    /** ablation: one stage with every task */
    ONE_STAGE
  }

  /**
   * Steps and samples.
   *
   * @param expertSteps S: steps of each single-task expert
   * @param probeSteps steps of CPI-FT's (and DPI's) probe fine-tunes, from which cores are found
   *     and which are fused; 0 means the probes are the single-task experts (S steps)
   * @param pipelineSteps P: CPI-FT's pipelined SFT steps per stage
   * @param stageSamples balanced sample per task in a pipelined stage
   * @param baselineSteps steps of the training baselines (multi-task, multi-stage, DPI); 0 means
   *     N·S, as many as the N experts together
   * @param pipelineTotalSteps when > 0, CPI-FT's pipelined phase gets this many steps in all,
   *     split equally over its stages, instead of P per stage (budget-matched controls)
   */
  public record Budgets(int expertSteps, int probeSteps, int pipelineSteps, int stageSamples,
      int baselineSteps, int pipelineTotalSteps) {
    public Budgets {
      atLeast(1, expertSteps, "expertSteps");
      atLeast(0, probeSteps, "probeSteps (0: probes are the experts)");
      atLeast(1, pipelineSteps, "pipelineSteps");
      atLeast(1, stageSamples, "stageSamples");
      atLeast(0, baselineSteps, "baselineSteps (0: N·S)");
      atLeast(0, pipelineTotalSteps, "pipelineTotalSteps (0: P per stage)");
    }

    /** Budgets with the baselines at N·S and P steps per stage. */
    public Budgets(int expertSteps, int probeSteps, int pipelineSteps, int stageSamples) {
      this(expertSteps, probeSteps, pipelineSteps, stageSamples, 0, 0);
    }

    /** Steps per stage of a pipeline of {@code stages} stages. */
    public int pipelineStepsPerStage(int stages) {
      return pipelineTotalSteps > 0 ? Math.max(1, pipelineTotalSteps / stages) : pipelineSteps;
    }

    public Budgets withBaselineSteps(int n) {
      return new Budgets(expertSteps, probeSteps, pipelineSteps, stageSamples, n,
          pipelineTotalSteps);
    }

    public Budgets withPipelineTotalSteps(int n) {
      return new Budgets(expertSteps, probeSteps, pipelineSteps, stageSamples, baselineSteps, n);
    }

    /** The probes' steps: {@link #probeSteps} or, when 0, {@link #expertSteps}. */
    public int probeStepsOrExpert() {
      return probeSteps > 0 ? probeSteps : expertSteps;
    }

    public Budgets withExpertSteps(int n) {
      return new Budgets(n, probeSteps, pipelineSteps, stageSamples, baselineSteps,
          pipelineTotalSteps);
    }

    /** Probe fine-tunes of {@code n} steps (0, or the expert steps: the experts themselves). */
    public Budgets withProbeSteps(int n) {
      return new Budgets(expertSteps, n == expertSteps ? 0 : n, pipelineSteps, stageSamples,
          baselineSteps, pipelineTotalSteps);
    }

    public Budgets withPipelineSteps(int n) {
      return new Budgets(expertSteps, probeSteps, n, stageSamples, baselineSteps,
          pipelineTotalSteps);
    }

    public Budgets withStageSamples(int n) {
      return new Budgets(expertSteps, probeSteps, pipelineSteps, n, baselineSteps,
          pipelineTotalSteps);
    }
  }

  /**
   * How tasks become stages, in which order; and the multi-stage baselines' stage count.
   *
   * @param grouping grouping by core overlap (step 3)
   * @param mode the "no grouping" ablations: every task its own stage, or one stage
   * @param order stage order (step 4)
   * @param explicitOrder task names in order, for {@code EXPLICIT}
   * @param multiStageK number of stages of the multi-stage SFT baselines (paper: 3)
   */
  public record Staging(GroupingConfig grouping, GroupingMode mode, StageOrdering.Policy order,
      List<String> explicitOrder, int multiStageK) {
    public Staging {
      if (grouping == null || mode == null || order == null) {
        throw new IllegalArgumentException("staging: grouping, mode and order must be given");
      }
      explicitOrder = explicitOrder == null ? List.of() : List.copyOf(explicitOrder);
      atLeast(1, multiStageK, "multiStageK");
    }

    public Staging withGrouping(GroupingConfig g) {
      return new Staging(g, mode, order, explicitOrder, multiStageK);
    }

    public Staging withMode(GroupingMode m) {
      return new Staging(grouping, m, order, explicitOrder, multiStageK);
    }

    public Staging withOrder(StageOrdering.Policy p, List<String> explicit) {
      return new Staging(grouping, mode, p, explicit, multiStageK);
    }

    public Staging withMultiStageK(int k) {
      return new Staging(grouping, mode, order, explicitOrder, k);
    }
  }

  /**
   * The pipelined phase (step 6).
   *
   * @param stageData which data a stage trains on
   * @param replayFraction with {@code STAGE_PLUS_REPLAY}: replay sample per earlier task, as a
   *     fraction of the stage sample
   * @param freeze freeze earlier stages' cores (false: the "no freezing" ablation)
   */
  public record Pipeline(StageData stageData, double replayFraction, boolean freeze) {
    public Pipeline {
      if (stageData == null) {
        throw new IllegalArgumentException("pipeline: stage data must be given");
      }
      if (!(replayFraction >= 0 && replayFraction <= 1)) {
        throw new IllegalArgumentException("MethodConfig: replayFraction must be in [0, 1] (the fraction of a stage's "
            + "data replayed from earlier stages); got " + replayFraction);
      }
    }

    public Pipeline withStageData(StageData d) {
      return new Pipeline(d, replayFraction, freeze);
    }

    public Pipeline withReplayFraction(double r) {
      return new Pipeline(stageData, r, freeze);
    }

    public Pipeline withFreeze(boolean f) {
      return new Pipeline(stageData, replayFraction, f);
    }
  }

  /**
   * What is scored.
   *
   * @param limit at most this many test examples per task (0 = all)
   * @param eachStage also score every task after every stage of a staged method
   */
  public record Evaluation(int limit, boolean eachStage) {
    public Evaluation {
      atLeast(0, limit, "evalLimit");
    }

    public Evaluation withLimit(int n) {
      return new Evaluation(n, eachStage);
    }

    public Evaluation withEachStage(boolean e) {
      return new Evaluation(limit, e);
    }
  }

  public MethodConfig {
    if (preset == null || training == null || budgets == null || core == null || staging == null
        || fusion == null || pipeline == null || merge == null || evaluation == null) {
      throw new IllegalArgumentException("MethodConfig: every part must be given");
    }
  }

  private static void atLeast(int min, int value, String setting) {
    if (value < min) {
      throw new IllegalArgumentException("MethodConfig: " + setting + " must be >= " + min + "; got " + value);
    }
  }

  /** The defaults of a preset: the paper's settings at the preset's budgets. */
  public static MethodConfig defaults(Preset preset) {
    Budgets budgets = switch (preset) {
      case TINY -> new Budgets(300, 0, 60, 200);
      case SMALL -> new Budgets(300, 0, 100, 400);
      // S = 1,000 steps per expert, P = 300 per stage on 1,000 samples per task
      case PAPER -> new Budgets(1000, 0, 300, 1000);
    };
    return new MethodConfig(preset, 0, preset.training(), budgets, CoreConfig.paper(),
        new Staging(GroupingConfig.paper(), GroupingMode.OVERLAP, StageOrdering.Policy.RANDOM,
            List.of(), 3),
        CoreParameterFusion.Config.paper(),
        new Pipeline(StageData.ALL_TASKS, 0.25, true), MergeOptions.defaults(),
        new Evaluation(preset == Preset.PAPER ? 0 : 200, false));
  }

  /**
   * Total steps of the training baselines: as many as all experts together (N·S), unless
   * {@link Budgets#baselineSteps} sets another budget.
   */
  public int baselineSteps(int tasks) {
    return budgets.baselineSteps() > 0 ? budgets.baselineSteps() : tasks * budgets.expertSteps();
  }

  /** The core regions' share p, in percent (for layers that do not reach the core package). */
  public double corePercent() {
    return core.topPercent();
  }

  /** Whether p and the grouping threshold τ are the paper's (1%, 0.1). */
  public boolean atPaperCoreAndTau() {
    return core.topPercent() == CoreConfig.paper().topPercent()
        && staging.grouping().tau() == GroupingConfig.paper().tau();
  }

  public MethodConfig withSeed(long s) {
    return new MethodConfig(preset, s, training, budgets, core, staging, fusion, pipeline,
        merge.withSeed(s), evaluation);
  }

  public MethodConfig withTraining(TrainConfig t) {
    return new MethodConfig(preset, seed, t, budgets, core, staging, fusion, pipeline, merge,
        evaluation);
  }

  public MethodConfig withBudgets(UnaryOperator<Budgets> f) {
    return new MethodConfig(preset, seed, training, f.apply(budgets), core, staging, fusion,
        pipeline, merge, evaluation);
  }

  public MethodConfig withCore(UnaryOperator<CoreConfig> f) {
    return new MethodConfig(preset, seed, training, budgets, f.apply(core), staging, fusion,
        pipeline, merge, evaluation);
  }

  public MethodConfig withStaging(UnaryOperator<Staging> f) {
    return new MethodConfig(preset, seed, training, budgets, core, f.apply(staging), fusion,
        pipeline, merge, evaluation);
  }

  public MethodConfig withFusion(UnaryOperator<CoreParameterFusion.Config> f) {
    return new MethodConfig(preset, seed, training, budgets, core, staging, f.apply(fusion),
        pipeline, merge, evaluation);
  }

  public MethodConfig withPipeline(UnaryOperator<Pipeline> f) {
    return new MethodConfig(preset, seed, training, budgets, core, staging, fusion,
        f.apply(pipeline), merge, evaluation);
  }

  public MethodConfig withMerge(UnaryOperator<MergeOptions> f) {
    return new MethodConfig(preset, seed, training, budgets, core, staging, fusion, pipeline,
        f.apply(merge), evaluation);
  }

  public MethodConfig withEvaluation(UnaryOperator<Evaluation> f) {
    return new MethodConfig(preset, seed, training, budgets, core, staging, fusion, pipeline,
        merge, f.apply(evaluation));
  }
}
