package org.cpift.experiments;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.experiment.Experiment;
import org.cpift.method.MethodConfig;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;

/** The experiments by name, in the order {@code reproduce} runs them. */
public final class Experiments {
  public static final List<ReportedExperiment> ALL = List.of(new MainResults(), new Forgetting(),
      new StageVsSingle(), new LowResource(), new TauSweep(), new PSweep(), new Components(),
      new Ambiguities());

  /**
   * Experiments run only when named ({@code reproduce --experiments peft,lines-posthoc}), not by a plain
   * {@code reproduce}: they add hours the small reproduction does not need for the paper's
   * tables.
   */
  public static final List<ReportedExperiment> OPTIONAL = List.of(new Peft(),
      new LinesPosthocExperiment());

  private Experiments() {}

  public static ReportedExperiment get(String name) {
    for (ReportedExperiment e : concat()) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new CpiftException("unknown experiment '" + name + "'; choose one of "
        + concat().stream().map(Experiment::name).toList());
  }

  /** Every experiment: those a plain {@code reproduce} runs, then the optional ones. */
  public static List<ReportedExperiment> concat() {
    List<ReportedExperiment> all = new ArrayList<>(ALL);
    all.addAll(OPTIONAL);
    return all;
  }

  /**
   * Refuses a suite without the tasks {@code experiment} names (its cells would fail one by one
   * after hours of other cells, or compare the wrong tasks).
   */
  static void requireTasks(String experiment, List<String> suiteTasks, Collection<String> needed) {
    List<String> missing = needed.stream().filter(t -> !suiteTasks.contains(t)).sorted().toList();
    if (!missing.isEmpty()) {
      throw new CpiftException("experiment '" + experiment + "' needs task(s) " + missing
          + " but the suite has " + suiteTasks + "; use a suite with these tasks (--suite) or "
          + "change the experiment's task names in " + experiment + "'s class");
    }
  }

  /**
   * A one-stage pipeline at the budget of {@code stages} stages: stages × P steps on one balanced
   * sample stages times a stage's, so it trains as long and draws as many items as the pipeline
   * of that many stages, each of which draws its own sample (those draws overlap, so the pipeline
   * sees fewer distinct items: about 1,530 of a 3,000-item task in five draws of 400).
   */
  static MethodConfig asOneStage(MethodConfig c, int stages) {
    return c.withBudgets(b -> b.withPipelineSteps(stages * b.pipelineSteps())
        .withStageSamples(stages * b.stageSamples()));
  }

  /** One cell per seed: {@code method} under {@code change(defaults)}. */
  static List<Cell> perSeed(Preset p, List<Long> seeds, String variant, String method,
      Function<MethodConfig, MethodConfig> change) {
    return perSeed(p, seeds, variant, method, change, List.of(), Map.of());
  }

  static List<Cell> perSeed(Preset p, List<Long> seeds, String variant, String method,
      Function<MethodConfig, MethodConfig> change, List<String> tasks,
      Map<String, Double> fractions) {
    return perSeed(p, seeds, variant, method, method, change, tasks, fractions);
  }

  /** As above, the method shown as {@code label} in reports (a control of the same method). */
  static List<Cell> perSeed(Preset p, List<Long> seeds, String variant, String method,
      String label, Function<MethodConfig, MethodConfig> change, List<String> tasks,
      Map<String, Double> fractions) {
    List<Cell> out = new ArrayList<>();
    for (long s : seeds) {
      out.add(new Cell(variant, method, change.apply(MethodConfig.defaults(p)).withSeed(s), tasks,
          fractions, label));
    }
    return out;
  }
}
