package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.report.Claims;
import org.cpift.report.Section;
import org.cpift.train.Preset;

/** CPI-FT with the grouping threshold τ ∈ {0, 0.05, 0.1, 0.2, 0.3, 0.5}. */
public final class TauSweep implements ReportedExperiment {
  static final double[] TAUS = {0, 0.05, 0.1, 0.2, 0.3, 0.5};
  /** A variant's name is this prefix and its τ. */
  static final String PREFIX = "tau=";
  /**
   * τ = 0 at the budget of one stage per task (N·P steps on one sample N times a stage's): the
   * comparison with τ > 0 at equal budget when every task is its own group.
   */
  static final String ZERO_MATCHED = "no grouping at N·P steps";

  @Override
  public List<Claims.Check> claims() {
    return List.of(Claims.groupingHelps(PREFIX, ZERO_MATCHED));
  }

  @Override
  public List<Section> sections() {
    return List.of(Section.sweep("tau", PREFIX));
  }

  @Override
  public String name() {
    return "tau-sweep";
  }

  @Override
  public String description() {
    return "CPI-FT as the grouping threshold τ varies (τ = 0 links every task: no grouping, one "
        + "stage of P steps; '" + ZERO_MATCHED + "' is τ = 0 at the steps and sampled items of "
        + "one stage per task).";
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    for (double t : TAUS) {
      out.addAll(Experiments.perSeed(p, seeds, PREFIX + fmt(t), "cpi-ft",
          c -> c.withStaging(s -> s.withGrouping(s.grouping().withTau(t)))));
    }
    out.addAll(Experiments.perSeed(p, seeds, ZERO_MATCHED, "cpi-ft",
        c -> Experiments.asOneStage(c.withStaging(s -> s.withGrouping(s.grouping().withTau(0))),
            suiteTasks.size())));
    out.addAll(Experiments.perSeed(p, seeds, "default", "single-task", Function.identity()));
    return out;
  }

  static String fmt(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
