package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.method.MethodConfig;
import org.cpift.report.Section;
import org.cpift.train.Preset;

/**
 * CPI-FT with the core size p ∈ {0.1, 0.5, 1, 2, 5, 10}%, and two controls that take the ends of
 * the curve apart ({@link CoreSizeSources}): the largest core with nothing frozen (transplanting
 * more against freezing more) and the smallest with each task its own stage (the core's size
 * against the fewer steps of the stages its overlaps merge).
 */
public final class PSweep implements ReportedExperiment {
  /** A variant's name is this prefix and its core size p (percent). */
  static final String PREFIX = "p=";

  @Override
  public List<Section> sections() {
    return List.of(Section.sweep("p", PREFIX), SOURCES.section());
  }

  /** The steps that take the curve's two ends apart. */
  static final CoreSizeSources SOURCES = new CoreSizeSources(List.of(
      new CoreSizeSources.Step("not freezing the 1% core", PREFIX + "1", PSweep.NO_FREEZE_AT_1,
          false),
      new CoreSizeSources.Step("larger core, nothing frozen", PSweep.NO_FREEZE_AT_1,
          PSweep.NO_FREEZE_AT_10, false),
      new CoreSizeSources.Step("freezing the larger core", PSweep.NO_FREEZE_AT_10, PREFIX + "10",
          false),
      new CoreSizeSources.Step("total", PREFIX + "1", PREFIX + "10", true),
      new CoreSizeSources.Step("smaller core, same five stages", PREFIX + "1",
          PSweep.STAGES_AT_0_1, false),
      new CoreSizeSources.Step("its overlaps merging stages", PSweep.STAGES_AT_0_1,
          PREFIX + "0.1", false),
      new CoreSizeSources.Step("total", PREFIX + "1", PREFIX + "0.1", true)));

  /**
   * p = 1% with nothing frozen in the pipeline: components' {@code no-freeze} cells (same
   * configuration), under a name outside the sweep's prefix.
   */
  static final String NO_FREEZE_AT_1 = "no-freeze at p=1";

  /** p = 10% with nothing frozen in the pipeline (a name outside the sweep's prefix). */
  static final String NO_FREEZE_AT_10 = "no-freeze at p=10";

  /** p = 0.1% with each task its own stage, the default's plan and budget. */
  static final String STAGES_AT_0_1 = "each-task-stage at p=0.1";

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
    out.addAll(Experiments.perSeed(preset, seeds, NO_FREEZE_AT_1, "cpi-ft",
        c -> c.withCore(k -> k.withTopPercent(1)).withPipeline(pl -> pl.withFreeze(false))));
    out.addAll(Experiments.perSeed(preset, seeds, NO_FREEZE_AT_10, "cpi-ft",
        c -> c.withCore(k -> k.withTopPercent(10)).withPipeline(pl -> pl.withFreeze(false))));
    out.addAll(Experiments.perSeed(preset, seeds, STAGES_AT_0_1, "cpi-ft",
        c -> c.withCore(k -> k.withTopPercent(0.1))
            .withStaging(st -> st.withMode(MethodConfig.GroupingMode.EACH_TASK))));
    out.addAll(Experiments.perSeed(preset, seeds, "default", "single-task", Function.identity()));
    return out;
  }
}
