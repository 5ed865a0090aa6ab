package org.cpift.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.concurrent.Callable;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger LOG = LoggerFactory.getLogger(RunCellCommand.class);
  /** Marks the log line "timing, cell, seconds before the cell, seconds in the cell". */
  static final String TIMING = "run-cell timing";

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
    Instant cellStart = Instant.now();
    ExperimentRunner.run(List.of(plan.cells().get(index)), plan.inputs(), runDir);
    // what one process per cell costs: the time before the cell's own work (JVM start, native
    // TensorFlow, the plan), measured from the process's start as the OS recorded it
    Instant processStart = ProcessHandle.current().info().startInstant().orElse(cellStart);
    LOG.info("{}\t{}\t{}\t{}", TIMING, experiment + "#" + index,
        String.format(Locale.ROOT, "%.3f", Duration.between(processStart, cellStart).toNanos() / 1e9),
        String.format(Locale.ROOT, "%.3f", Duration.between(cellStart, Instant.now()).toNanos() / 1e9));
    return 0;
  }
}
