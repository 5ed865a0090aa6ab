package org.cpift.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cpift run-cell}: computes one cell of an experiment into a run directory (under its
 * claim, so a cell another process is computing is waited for, not computed twice). What a Slurm
 * array task runs; hidden from the command list.
 */
@Command(name = "run-cell", hidden = true, mixinStandardHelpOptions = true,
    description = "Compute one cell of an experiment into a run directory (a Slurm array task).")
final class RunCellCommand implements Callable<Integer> {
  @Option(names = "--preset", required = true, description = "tiny, small or paper")
  String preset;

  @Option(names = "--seeds", split = ",", required = true, description = "the reproduction's seeds")
  List<Long> seeds;

  @Option(names = "--experiment", required = true, description = "experiment name")
  String experiment;

  @Option(names = "--index", required = true, description = "the cell's position in the experiment")
  int index;

  @Option(names = "--run-dir", required = true, description = "the shared run directory")
  Path runDir;

  @Option(names = "--data-root", defaultValue = "benchmarks-data", description = "(default: ${DEFAULT-VALUE})")
  Path dataRoot;

  @Option(names = "--quick", description = "smoke budgets, as the submitting command")
  boolean quick;

  @Override
  public Integer call() {
    Preset p = Preset.parse(preset);
    ReportedExperiment e = Experiments.get(experiment);
    ExperimentRun.Plan plan = ExperimentRun.plan(e, p, seeds, new ExperimentRun.Paths(
        p.baseDir(dataRoot), p.suiteDir(dataRoot), runDir, runDir.resolve("unused")),
        quick ? ExperimentRun::quick : c -> c);
    if (index < 0 || index >= plan.cells().size()) {
      throw new CpiftException("--index " + index + " is outside " + experiment + "'s "
          + plan.cells().size() + " cells (0.." + (plan.cells().size() - 1) + "); the cell list "
          + "changed since submission: submit again");
    }
    ExperimentRunner.run(List.of(plan.cells().get(index)), plan.inputs(), runDir);
    return 0;
  }
}
