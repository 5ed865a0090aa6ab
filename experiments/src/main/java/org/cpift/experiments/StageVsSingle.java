package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.method.MethodConfig;
import org.cpift.report.Claims;
import org.cpift.train.Preset;

/**
 * Pipelined multi-stage training against single-stage mixed training, from the same fused model
 * with the same total steps and as many sampled items: "pipelined" trains one task per stage
 * (P steps each on a fresh balanced sample, earlier cores frozen); "single-stage" trains all
 * tasks mixed for N·P steps on one sample N times as large, N the suite's task count. They still
 * differ in the learning-rate schedule (it restarts with every stage).
 */
public final class StageVsSingle implements ReportedExperiment {
  static final String PIPELINED = "pipelined";
  static final String SINGLE_STAGE = "single-stage";

  @Override
  public List<Claims.Check> claims() {
    return List.of(Claims.pipelinedBeatsSingleStage(PIPELINED, SINGLE_STAGE));
  }

  @Override
  public String name() {
    return "stage-vs-single";
  }

  @Override
  public String description() {
    return "Pipelined (one task per stage, cores of earlier stages frozen) vs single-stage mixed "
        + "training after the same fusion, equal total steps and as many sampled training items "
        + "(single-stage: one sample N times a stage's).";
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    out.addAll(Experiments.perSeed(p, seeds, PIPELINED, "cpi-ft", c -> c.withStaging(s -> s.withMode(
        MethodConfig.GroupingMode.EACH_TASK))));
    int stages = suiteTasks.size();
    out.addAll(Experiments.perSeed(p, seeds, SINGLE_STAGE, "cpi-ft",
        c -> Experiments.asOneStage(c.withStaging(s -> s.withMode(
            MethodConfig.GroupingMode.ONE_STAGE)), stages)));
    out.addAll(Experiments.perSeed(p, seeds, "default", "single-task", Function.identity()));
    return out;
  }
}
