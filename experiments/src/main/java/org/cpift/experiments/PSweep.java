package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.report.Section;
import org.cpift.train.Preset;

/** CPI-FT with the core size p ∈ {0.1, 0.5, 1, 2, 5, 10}%. */
public final class PSweep implements ReportedExperiment {
  /** A variant's name is this prefix and its core size p (percent). */
  static final String PREFIX = "p=";

  @Override
  public List<Section> sections() {
    return List.of(Section.sweep("p", PREFIX));
  }

  static final double[] PS = {0.1, 0.5, 1, 2, 5, 10};

  @Override
  public String name() {
    return "p-sweep";
  }

  @Override
  public String description() {
    return "CPI-FT as the core-region size p (percent of parameters) varies.";
  }

  @Override
  public List<Cell> cells(Preset preset, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    for (double p : PS) {
      out.addAll(Experiments.perSeed(preset, seeds, PREFIX + TauSweep.fmt(p), "cpi-ft",
          c -> c.withCore(k -> k.withTopPercent(p))));
    }
    out.addAll(Experiments.perSeed(preset, seeds, "default", "single-task", Function.identity()));
    return out;
  }
}
