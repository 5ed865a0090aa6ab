package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.merge.Interpolation;
import org.cpift.method.MethodConfig;
import org.cpift.report.Claims;
import org.cpift.train.Preset;

/** CPI-FT with one component removed at a time, and budget-matched controls. */
public final class Components implements ReportedExperiment {
  static final String MT_AT_CPI_BUDGET = "budget=N·P";
  static final String CPI_AT_MT_BUDGET = "budget=N·S";

  @Override
  public List<Claims.Check> claims() {
    return List.of(Claims.above("CPI-FT beats multi-task SFT at an equal fine-tuning budget "
            + "(either method's).", List.of(
        new Claims.ArmRef[] {new Claims.ArmRef("default", "cpi-ft"),
            new Claims.ArmRef(MT_AT_CPI_BUDGET, "multi-task")},
        new Claims.ArmRef[] {new Claims.ArmRef(CPI_AT_MT_BUDGET, "cpi-ft"),
            new Claims.ArmRef("default", "multi-task")})));
  }

  @Override
  public String name() {
    return "components";
  }

  @Override
  public String description() {
    return "Ablation of CPI-FT's components: no fusion (the pipeline from the base model), no core transplant, linear instead of SLERP, no "
        + "freezing, no grouping (each task its own stage / one stage for all), and a random core "
        + "region of the same size; and budget-matched controls: multi-task SFT at CPI-FT's own "
        + "fine-tuning budget (N·P steps) and CPI-FT's pipeline at multi-task SFT's (N·S steps, "
        + "each stage drawing from its tasks' full data as multi-task SFT does). N·P is CPI-FT's "
        + "budget when every task is its own group (K = N); the claim shows each arm's steps.";
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    out.addAll(Experiments.perSeed(p, seeds, "default", "cpi-ft", Function.identity()));
    // fusion's contribution at equal budget: the same pipeline from the base model
    out.addAll(Experiments.perSeed(p, seeds, "no-fusion", "cpi-ft",
        c -> c.withFusion(f -> f.withSkip(true))));
    out.addAll(Experiments.perSeed(p, seeds, "no-transplant", "cpi-ft",
        c -> c.withFusion(f -> f.withTransplant(false))));
    out.addAll(Experiments.perSeed(p, seeds, "linear", "cpi-ft",
        c -> c.withFusion(f -> f.withInterpolation(Interpolation.LINEAR))));
    out.addAll(Experiments.perSeed(p, seeds, "no-freeze", "cpi-ft", c -> c.withPipeline(pl -> pl.withFreeze(false))));
    out.addAll(Experiments.perSeed(p, seeds, "each-task-stage", "cpi-ft",
        c -> c.withStaging(s -> s.withMode(MethodConfig.GroupingMode.EACH_TASK))));
    out.addAll(Experiments.perSeed(p, seeds, "one-stage", "cpi-ft",
        c -> c.withStaging(s -> s.withMode(MethodConfig.GroupingMode.ONE_STAGE))));
    out.addAll(Experiments.perSeed(p, seeds, "random-core", "cpi-ft",
        c -> c.withCore(k -> k.withRandom(true))));
    // budget-matched controls, so "which method" is not "how many steps": multi-task SFT at
    // CPI-FT's own fine-tuning budget (N·P, every task its own stage), and CPI-FT's pipeline at
    // multi-task SFT's budget (N·S, split over its stages)
    int n = suiteTasks.size();
    out.addAll(Experiments.perSeed(p, seeds, "default", "multi-task", Function.identity()));
    out.addAll(Experiments.perSeed(p, seeds, MT_AT_CPI_BUDGET, "multi-task",
        c -> c.withBudgets(b -> b.withBaselineSteps(n * b.pipelineSteps()))));
    // every training item of the stage's tasks (the sample is capped at a task's size)
    out.addAll(Experiments.perSeed(p, seeds, CPI_AT_MT_BUDGET, "cpi-ft",
        c -> c.withBudgets(b -> b.withPipelineTotalSteps(n * b.expertSteps())
            .withStageSamples(Integer.MAX_VALUE))));
    out.addAll(Experiments.perSeed(p, seeds, "default", "single-task", Function.identity()));
    return out;
  }
}
