package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.train.Preset;

/**
 * The paper's imbalance analysis: math and logic keep 10% of their training data (seeded sample);
 * single-task experts (also trained on 10%), multi-task SFT, multi-stage SFT and CPI-FT.
 */
public final class LowResource implements ReportedExperiment {
  static final Map<String, Double> FRACTIONS = Map.of("math", 0.1, "logic", 0.1);

  @Override
  public String name() {
    return "low-resource";
  }

  @Override
  public String description() {
    return "Imbalanced data: math and logic keep 10% of their training records.";
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    Experiments.requireTasks(name(), suiteTasks, FRACTIONS.keySet());
    List<Cell> out = new ArrayList<>();
    for (String m : List.of("single-task", "multi-task", "multi-stage-random", "cpi-ft")) {
      out.addAll(Experiments.perSeed(p, seeds, "low-resource", m, Function.identity(), List.of(),
          FRACTIONS));
    }
    return out;
  }
}
