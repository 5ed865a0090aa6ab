package org.cpift.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;

/**
 * The Slurm executor: the cells not finished yet become one job array (one array task per cell,
 * running {@code cpift run-cell} into the shared run directory), and one report job that depends
 * on the array ({@code afterany}) writes the reports from whatever finished. Resubmitting the same
 * command submits only what is still missing. Slurm does the scheduling; the run directory's
 * claims keep a cell from being computed twice. Everything goes to
 * {@code <run-dir>/slurm/<time>/}: {@code cells.tsv}, {@code array.sh}, {@code report.sh}, logs.
 */
final class SlurmExecutor {
  private SlurmExecutor() {}

  /** A submission's job ids, "array\tID" and "report\tID", one a line. */
  static final String JOBS = "jobs.tsv";

  /** sbatch options, as given on the command line. */
  record Options(String partition, String time, Integer cpusPerTask, String mem,
      Integer gpusPerTask, Integer maxParallel, List<String> extra) {}

  /** What was submitted (null job ids when nothing was left to compute). */
  record Submission(Path dir, int cells, String arrayJob, String reportJob) {}

  static Submission submit(Preset p, List<ReportedExperiment> todo, List<Long> seeds,
      Path runDir, Path dataRoot, Path reportRoot, boolean quick, Options o) {
    Path runs = runDir.toAbsolutePath();
    List<String> lines = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    for (ReportedExperiment e : todo) {
      ExperimentRun.Plan plan = ExperimentRun.plan(e, p, seeds, new ExperimentRun.Paths(
          p.baseDir(dataRoot), p.suiteDir(dataRoot), runs, reportRoot),
          quick ? ExperimentRun::quick : c -> c);
      for (ExperimentRunner.Pending c : ExperimentRunner.unfinished(plan.cells(), plan.inputs(),
          runs)) {
        if (keys.add(c.key())) { // a cell shared by experiments is computed by one task
          lines.add(e.name() + "\t" + c.index());
        }
      }
    }
    Path dir = runs.resolve("slurm").resolve(LocalDateTime.now().format(
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    List<String> common = new ArrayList<>(List.of("--preset", p.id(), "--seeds",
        ExperimentRun.seedList(seeds), "--run-dir", runs.toString(), "--data-root",
        dataRoot.toAbsolutePath().toString()));
    if (quick) {
      common.add("--quick");
    }
    List<String> reportArgs = new ArrayList<>(List.of("reproduce"));
    reportArgs.addAll(common);
    reportArgs.addAll(List.of("--experiments", String.join(",", todo.stream()
        .map(ReportedExperiment::name).toList()), "--report-only", "--out",
        reportRoot.toAbsolutePath().toString()));
    AtomicFiles.writeString(dir.resolve("cells.tsv"), String.join("\n", lines) + "\n");
    AtomicFiles.writeString(dir.resolve("report.sh"), script(dir, "cpift-report",
        dir.resolve("logs").resolve("report.log").toString(), java(reportArgs)));
    if (lines.isEmpty()) {
      String reportJob = sbatch(o, List.of(), dir.resolve("report.sh"));
      AtomicFiles.writeString(dir.resolve(JOBS), "report\t" + reportJob + "\n");
      return new Submission(dir, 0, null, reportJob);
    }
    List<String> cellArgs = new ArrayList<>(List.of("run-cell"));
    cellArgs.addAll(common);
    String body = "read -r experiment index < <(sed -n \"${SLURM_ARRAY_TASK_ID}p\" "
        + quote(dir.resolve("cells.tsv").toString()) + ")\n"
        + java(cellArgs) + " --experiment \"$experiment\" --index \"$index\"";
    AtomicFiles.writeString(dir.resolve("array.sh"), script(dir, "cpift-cells",
        dir.resolve("logs").resolve("cell-%a.log").toString(), body));
    String array = "--array=1-" + lines.size()
        + (o.maxParallel() != null ? "%" + o.maxParallel() : "");
    String arrayJob = sbatch(o, List.of(array), dir.resolve("array.sh"));
    String reportJob = sbatch(o, List.of("--dependency=afterany:" + arrayJob),
        dir.resolve("report.sh"));
    // for `cpift status`: which jobs to ask squeue/sacct about
    AtomicFiles.writeString(dir.resolve(JOBS), "array\t" + arrayJob + "\nreport\t" + reportJob
        + "\n");
    return new Submission(dir, lines.size(), arrayJob, reportJob);
  }

  private static String script(Path dir, String name, String log, String body) {
    return "#!/bin/bash\n"
        + "# written by cpift reproduce --executor slurm\n"
        + "#SBATCH --job-name=" + name + "\n"
        + "#SBATCH --output=" + log + "\n"
        + "set -euo pipefail\n"
        + "cd " + quote(Path.of("").toAbsolutePath().toString()) + "\n"
        + "export TF_CPP_MIN_LOG_LEVEL=\"${TF_CPP_MIN_LOG_LEVEL:-2}\"\n"
        + body + "\n";
  }

  /** This JVM's command (options and classpath) running the CLI with {@code args}. */
  private static String java(List<String> args) {
    return "exec " + String.join(" ", LocalWorkers.thisJvm(args).stream()
        .map(SlurmExecutor::quote).toList());
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Runs sbatch --parsable with the user's options; returns the job id. */
  private static String sbatch(Options o, List<String> more, Path script) {
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
    if (o.partition() != null) {
      cmd.add("--partition=" + o.partition());
    }
    if (o.time() != null) {
      cmd.add("--time=" + o.time());
    }
    if (o.cpusPerTask() != null) {
      cmd.add("--cpus-per-task=" + o.cpusPerTask());
    }
    if (o.mem() != null) {
      cmd.add("--mem=" + o.mem());
    }
    if (o.gpusPerTask() != null) {
      cmd.add("--gpus-per-task=" + o.gpusPerTask());
    }
    cmd.addAll(o.extra());
    cmd.addAll(more);
    cmd.add(script.toString());
    try {
      Files.createDirectories(script.getParent().resolve("logs"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new CpiftException("sbatch refused the job (" + out + "); command: "
            + String.join(" ", cmd));
      }
      return out.split(";")[0];
    } catch (IOException e) {
      throw new CpiftException("cannot run sbatch (" + e.getMessage() + "): is Slurm installed "
          + "here? scripts/slurm-local.sh start makes a one-node cluster on this machine");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CpiftException("interrupted while submitting to Slurm");
    }
  }
}
