package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.experiment.Experiment;
import org.cpift.method.MethodConfig;
import org.cpift.cluster.StageOrdering;
import org.cpift.train.Preset;

/**
 * Table 2 of the paper: sequential training A→B and B→A with A = math and B = code (the pair built
 * to conflict: {@code +} adds in one and concatenates in the other). ΔA is the change of A's score
 * from the end of its stage to the end of training; compared for sequential SFT and CPI-FT (each
 * task its own stage, same order), with multi-task SFT as the mixed reference. Over all five tasks
 * (a random order, one task per stage) ACC and BWT for sequential SFT and CPI-FT.
 */
public final class Forgetting implements Experiment {
  static final List<String> PAIR = List.of("math", "code");

  @Override
  public String name() {
    return "forgetting";
  }

  @Override
  public String description() {
    return "Table 2: forgetting when tasks are trained one after another. Pairs math→code and "
        + "code→math, and all five tasks one per stage; ΔA (stage_drop), ACC and BWT.";
  }

  @Override
  public List<String> sections() {
    return List.of("table", "forgetting");
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds) {
    List<Cell> out = new ArrayList<>();
    for (List<String> order : List.of(PAIR, List.of(PAIR.get(1), PAIR.get(0)))) {
      String v = order.get(0) + "->" + order.get(1);
      Function<MethodConfig, MethodConfig> staged = c -> c.withOrder(StageOrdering.Policy.EXPLICIT, order)
          .withGrouping(c.grouping(), MethodConfig.GroupingMode.EACH_TASK).withEval(c.evalLimit(), true);
      out.addAll(Experiments.perSeed(p, seeds, v, "sequential", staged, PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "cpi-ft", staged, PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "multi-task", Function.identity(), PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "single-task", Function.identity(), PAIR, Map.of()));
    }
    Function<MethodConfig, MethodConfig> eachTask = c -> c.withGrouping(c.grouping(),
        MethodConfig.GroupingMode.EACH_TASK).withEval(c.evalLimit(), true);
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "sequential", eachTask));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft", eachTask));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "single-task", Function.identity()));
    return out;
  }
}
