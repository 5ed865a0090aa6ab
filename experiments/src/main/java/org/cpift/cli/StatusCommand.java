package org.cpift.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
import org.cpift.util.FileLocks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cpift status RUN_DIR}: per experiment, the cells finished, being computed (their claim is
 * held by a live process, here or on a cluster node sharing the directory) and missing; and the
 * Slurm submissions with their logs.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Per experiment: cells finished, being computed (claimed by a live process) and "
        + "missing in RUN_DIR; the Slurm submissions and where their logs are.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", description = "the run directory (e.g. runs/small)")
  Path runDir;

  @Option(names = "--preset", description = "default: the run directory's name or its quick reports")
  String preset;

  @Option(names = "--seeds", split = ",", description = "default: the seeds of the finished cells")
  List<Long> seeds;

  @Option(names = "--quick", description = "the cells of a --quick run")
  boolean quick;

  @Option(names = "--data-root", defaultValue = "benchmarks-data", description = "(default: ${DEFAULT-VALUE})")
  Path dataRoot;

  @Override
  public Integer call() {
    if (!Files.isDirectory(runDir.resolve("cells"))) {
      throw new CpiftException(runDir + " is not a run directory (no cells/ in it); give the "
          + "--run-dir of a reproduce or run command, e.g. runs/small");
    }
    Preset p = preset != null ? Preset.parse(preset) : ReportCommand.presetOf(runDir);
    List<Long> s = seeds != null ? seeds : ReportCommand.seedsOf(runDir);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s: preset %s, seeds %s%s%n", runDir, p.id(), ExperimentRun.seedList(s),
        quick ? ", quick" : "");
    out.printf("  %-16s %6s %8s %8s %8s%n", "experiment", "cells", "finished", "running",
        "missing");
    int[] total = new int[4];
    for (ReportedExperiment e : Experiments.ALL) {
      ExperimentRun.Plan plan = ExperimentRun.plan(e, p, s, new ExperimentRun.Paths(
          p.baseDir(dataRoot), p.suiteDir(dataRoot), runDir, runDir), quick
              ? ExperimentRun::quick : c -> c);
      List<ExperimentRunner.Pending> pending = ExperimentRunner.unfinished(plan.cells(),
          plan.inputs(), runDir);
      int running = 0;
      for (ExperimentRunner.Pending c : pending) {
        Path claim = ExperimentRunner.claimFile(runDir, c.key());
        if (Files.exists(claim)) {
          try (FileLocks.Held h = FileLocks.tryLock(claim)) {
            running += h == null ? 1 : 0;
          }
        }
      }
      int n = plan.cells().size();
      int finished = n - pending.size();
      out.printf("  %-16s %6d %8d %8d %8d%n", e.name(), n, finished, running,
          pending.size() - running);
      total[0] += n;
      total[1] += finished;
      total[2] += running;
      total[3] += pending.size() - running;
    }
    out.printf("  %-16s %6d %8d %8d %8d  (a cell shared by experiments counts in each)%n",
        "all", total[0], total[1], total[2], total[3]);
    Path slurm = runDir.resolve("slurm");
    if (Files.isDirectory(slurm)) {
      try (var dirs = Files.list(slurm)) {
        for (Path d : dirs.sorted().toList()) {
          out.printf("  slurm submission %s: logs in %s (squeue -u $USER shows what runs)%n",
              d.getFileName(), d.resolve("logs"));
        }
      } catch (java.io.IOException e) {
        throw new CpiftException("cannot list " + slurm + ": " + e.getMessage());
      }
    }
    out.flush();
    return 0;
  }
}
