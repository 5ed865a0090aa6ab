package org.cpift.method;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.cpift.cluster.GroupingConfig;
import org.cpift.cluster.StageOrdering;
import org.cpift.core.CoreConfig;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.merge.MergeOptions;
import org.cpift.train.Preset;
import org.cpift.train.TrainConfig;

/**
 * Everything that determines a method run besides the data and the base model: budgets, every
 * option the paper leaves open (DESIGN §1), and the ablation switches. Defaults follow the paper
 * where it is explicit and our reading where it is not; {@code toString()} prints every value.
 *
 * @param preset model size and training defaults
 * @param seed the run's seed (experts, partitions, orders, samples are split from it)
 * @param training optimizer and schedule for every fine-tuning run (steps are set per run)
 * @param expertSteps S: steps of each single-task expert (= probe)
 * @param pipelineStepsPerStage CPI-FT's pipelined SFT steps per stage
 * @param stageSamplesPerTask balanced sample per stage task in pipelined SFT
 * @param replayFraction replay sample per earlier task, as a fraction of the stage sample
 * @param stageData which data a pipelined stage trains on
 * @param core core-region selection (step 2)
 * @param grouping grouping by overlap (step 3)
 * @param groupingMode the "no grouping" ablations: every task its own stage, or one stage
 * @param order stage order (step 4)
 * @param explicitOrder task names in order, for {@code EXPLICIT}
 * @param fusion core transplant and interpolation (step 5)
 * @param freeze freeze earlier stages' cores in pipelined SFT (false: the "no freezing" ablation)
 * @param multiStageK number of stages of the multi-stage SFT baselines (paper: 3)
 * @param merge hyperparameters of the merging baselines
 * @param evalLimit at most this many test examples per task (0 = all)
 * @param evalEachStage also score every task after every stage of a staged method
 * @param probeSteps steps of CPI-FT's (and DPI's) probe fine-tunes, from which cores are found
 *     and which are fused; 0 (default) means the probes are the single-task experts (S steps).
 *     Left out of the JSON (and so of every cache key) when 0, so adding it kept earlier keys.
 */
public record MethodConfig(Preset preset, long seed, TrainConfig training, int expertSteps,
    int pipelineStepsPerStage, int stageSamplesPerTask, double replayFraction, StageData stageData,
    CoreConfig core, GroupingConfig grouping, GroupingMode groupingMode,
    StageOrdering.Policy order, List<String> explicitOrder, CoreParameterFusion.Config fusion,
    boolean freeze, int multiStageK, MergeOptions merge, int evalLimit, boolean evalEachStage,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int probeSteps) {

  /** Data of a pipelined stage. */
  public enum StageData {
    /** a balanced sample of the stage's tasks plus a replay sample of earlier stages' tasks */
    STAGE_PLUS_REPLAY,
    /** the stage's tasks only */
    STAGE_ONLY,
    /** a balanced sample of every task */
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

  public MethodConfig {
    if (probeSteps < 0) {
      throw new IllegalArgumentException("--probe-steps must be >= 0 (0: probes are the experts); got "
          + probeSteps);
    }
    if (preset == null || training == null || core == null || grouping == null || fusion == null
        || merge == null || stageData == null || groupingMode == null || order == null) {
      throw new IllegalArgumentException("MethodConfig: every option must be given");
    }
    atLeast(1, expertSteps, "--expert-steps");
    atLeast(1, pipelineStepsPerStage, "--pipeline-steps");
    atLeast(1, stageSamplesPerTask, "--stage-samples");
    atLeast(1, multiStageK, "--multi-stage-k");
    atLeast(0, evalLimit, "--eval-limit");
    if (!(replayFraction >= 0 && replayFraction <= 1)) {
      throw new IllegalArgumentException("--replay must be in [0, 1] (the fraction of a stage's "
          + "data replayed from earlier stages); got " + replayFraction);
    }
    explicitOrder = explicitOrder == null ? List.of() : List.copyOf(explicitOrder);
  }

  /** The defaults of a preset. */
  private static void atLeast(int min, int value, String option) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be >= " + min + "; got " + value);
    }
  }

  public static MethodConfig defaults(Preset preset) {
    TrainConfig t = preset.training();
    return switch (preset) {
      case TINY -> new MethodConfig(preset, 0, t, 300, 60, 200, 0.25, StageData.STAGE_PLUS_REPLAY,
          CoreConfig.paper(), GroupingConfig.paper(), GroupingMode.OVERLAP,
          StageOrdering.Policy.RANDOM, List.of(), CoreParameterFusion.Config.paper(), true, 3,
          MergeOptions.defaults(), 200, false, 0);
      case SMALL -> new MethodConfig(preset, 0, t, 300, 100, 400, 0.25,
          StageData.STAGE_PLUS_REPLAY, CoreConfig.paper(), GroupingConfig.paper(),
          GroupingMode.OVERLAP, StageOrdering.Policy.RANDOM, List.of(),
          CoreParameterFusion.Config.paper(), true, 3, MergeOptions.defaults(), 200, false, 0);
      // S = 1,000 steps per expert, P = 300 per stage on 1,000 samples per task, every test item
      case PAPER -> new MethodConfig(preset, 0, t, 1000, 300, 1000, 0.25,
          StageData.STAGE_PLUS_REPLAY, CoreConfig.paper(), GroupingConfig.paper(),
          GroupingMode.OVERLAP, StageOrdering.Policy.RANDOM, List.of(),
          CoreParameterFusion.Config.paper(), true, 3, MergeOptions.defaults(), 0, false, 0);
    };
  }

  /** Total steps of the training baselines: as many as all experts together (N·S). */
  public int baselineSteps(int tasks) {
    return tasks * expertSteps;
  }

  public MethodConfig withSeed(long s) {
    return new MethodConfig(preset, s, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, merge.withSeed(s), evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withSteps(int expert, int pipelinePerStage) {
    return new MethodConfig(preset, seed, training, expert, pipelinePerStage, stageSamplesPerTask,
        replayFraction, stageData, core, grouping, groupingMode, order, explicitOrder, fusion,
        freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withStageSampling(int samplesPerTask, double replay, StageData data) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        samplesPerTask, replay, data, core, grouping, groupingMode, order, explicitOrder, fusion,
        freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withCore(CoreConfig c) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, c, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withGrouping(GroupingConfig g, GroupingMode mode) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, g, mode, order, explicitOrder,
        fusion, freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withOrder(StageOrdering.Policy p, List<String> explicit) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, p, explicit,
        fusion, freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withFusion(CoreParameterFusion.Config f) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, f, freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withFreeze(boolean f) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, f, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withMultiStageK(int k) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, k, merge, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withMerge(MergeOptions m) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, m, evalLimit, evalEachStage, probeSteps);
  }

  public MethodConfig withEval(int limit, boolean eachStage) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, merge, limit, eachStage, probeSteps);
  }

  /** Probe fine-tunes of {@code steps} steps (0: the single-task experts themselves). */
  public MethodConfig withProbeSteps(int steps) {
    return new MethodConfig(preset, seed, training, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, merge, evalLimit, evalEachStage, steps);
  }

  /** The probes' steps: {@link #probeSteps} or, when 0, {@link #expertSteps}. */
  public int probeStepsOrExpert() {
    return probeSteps > 0 ? probeSteps : expertSteps;
  }

  public MethodConfig withTraining(TrainConfig t) {
    return new MethodConfig(preset, seed, t, expertSteps, pipelineStepsPerStage,
        stageSamplesPerTask, replayFraction, stageData, core, grouping, groupingMode, order,
        explicitOrder, fusion, freeze, multiStageK, merge, evalLimit, evalEachStage, probeSteps);
  }
}
