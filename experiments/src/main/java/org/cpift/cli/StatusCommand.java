package org.cpift.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.cpift.experiment.Cell;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
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

  @Option(names = "--strays", description = "list every cell file of RUN_DIR/cells that is no "
      + "cell of these experiments, one path per line (e.g. to delete them), instead of the table; "
      + "the damaged files of their own cells are not listed (the next run replaces them)")
  boolean listStrays;

  @Option(names = "--data-root", defaultValue = "benchmarks-data", description = "(default: ${DEFAULT-VALUE})")
  Path dataRoot;

  @Override
  public Integer call() {
    if (!Files.isDirectory(runDir.resolve("cells"))) {
      throw new CpiftException(runDir + " is not a run directory (no cells/ in it); give the "
          + "--run-dir of a reproduce or run command, e.g. runs/small");
    }
    long started = now(runDir.resolve("cells"));
    Preset p = preset != null ? Preset.parse(preset) : ReportCommand.presetOf(runDir,
        runDir.toString());
    List<Long> s = seeds != null ? seeds : ReportCommand.seedsOf(runDir, runDir.toString());
    // with --strays the table is computed (it finds the experiments' cells) but not shown
    PrintWriter out = listStrays ? new PrintWriter(java.io.Writer.nullWriter())
        : spec.commandLine().getOut();
    out.printf("%s: preset %s, seeds %s%s%n", runDir, p.id(), ExperimentRun.seedList(s),
        quick ? ", quick" : "");
    out.printf("  %-16s %6s %8s %8s %8s %10s%n", "experiment", "cells", "finished", "running",
        "missing", "cell time");
    int[] total = new int[4];
    Map<String, org.cpift.experiment.CellResult> done = new java.util.LinkedHashMap<>();
    Map<String, String> unfinished = new HashMap<>(); // "experiment\tindex" -> the cell, for Slurm
    Set<String> running = new HashSet<>();
    Set<String> missingKeys = new HashSet<>(); // an unfinished cell's file, if any, is damaged
    List<ReportedExperiment> shown = new ArrayList<>(Experiments.ALL);
    for (ReportedExperiment e : Experiments.OPTIONAL) {
      // an experiment run only when named is listed once any of its cells has finished (cells
      // it shares with the default experiments count)
      ExperimentRun.Plan plan = ExperimentRun.plan(e, p, s, new ExperimentRun.Paths(
          p.baseDir(dataRoot), p.suiteDir(dataRoot), runDir, runDir), quick
              ? ExperimentRun::quick : c -> c);
      if (!ExperimentRunner.finished(plan.cells(), plan.inputs(), runDir).isEmpty()) {
        shown.add(e);
      }
    }
    for (ReportedExperiment e : shown) {
      ExperimentRun.Plan plan = ExperimentRun.plan(e, p, s, new ExperimentRun.Paths(
          p.baseDir(dataRoot), p.suiteDir(dataRoot), runDir, runDir), quick
              ? ExperimentRun::quick : c -> c);
      List<ExperimentRunner.Pending> pending = ExperimentRunner.unfinished(plan.cells(),
          plan.inputs(), runDir);
      int held = 0;
      for (ExperimentRunner.Pending c : pending) {
        Cell cell = plan.cells().get(c.index());
        String id = e.name() + "\t" + c.index();
        unfinished.put(id, cell.label() + " " + cell.variant() + " seed " + cell.seed());
        missingKeys.add(c.key());
        if (ExperimentRunner.heldElsewhere(runDir, c)) {
          held++;
          running.add(id);
        }
      }
      double wall = 0; // the finished cells' own wall times (a shared cell counts in each)
      for (org.cpift.experiment.CellResult r : ExperimentRunner.finished(plan.cells(),
          plan.inputs(), runDir)) {
        done.putIfAbsent(r.key(), r);
        wall += cellWall(r);
      }
      int n = plan.cells().size();
      int finished = n - pending.size();
      out.printf("  %-16s %6d %8d %8d %8d %10s%n", e.name(), n, finished, held,
          pending.size() - held, org.cpift.experiment.TimeEstimate.duration(wall));
      total[0] += n;
      total[1] += finished;
      total[2] += held;
      total[3] += pending.size() - held;
    }
    out.printf("  %-16s %6d %8d %8d %8d %10s  (a cell shared by experiments counts in each; its "
        + "time in all once)%n", "all", total[0], total[1], total[2], total[3],
        org.cpift.experiment.TimeEstimate.duration(done.values().stream()
            .mapToDouble(StatusCommand::cellWall).sum()));
    timeSpent(out, done.values());
    if (listStrays) {
      PrintWriter paths = spec.commandLine().getOut();
      strayFiles(runDir, done.keySet(), missingKeys).forEach(paths::println);
      paths.flush();
    } else {
      strays(out, runDir, done.keySet(), missingKeys, started);
    }
    Path slurm = runDir.resolve("slurm");
    if (Files.isDirectory(slurm)) {
      try (var dirs = Files.list(slurm)) {
        for (Path d : dirs.sorted().toList()) {
          submission(out, d, unfinished, running);
        }
      } catch (java.io.IOException e) {
        throw new CpiftException("cannot list " + slurm + ": " + e.getMessage());
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Names the files of {@code runDir/cells} that are none of {@code known} (the finished cells of
   * the experiments listed): cells of a configuration since changed, or of another preset, seed
   * or {@code --quick}. Reports ignore them; they can be deleted or kept as a record. A file of
   * {@code missing} (a cell the experiments need) is damaged instead, unless it was written at or
   * after {@code since} (epoch ms): then another process finished the cell while status ran.
   */
  static void strays(PrintWriter out, Path runDir, Set<String> known, Set<String> missing,
      long since) {
    List<String> strays = new ArrayList<>();
    List<String> damaged = new ArrayList<>();
    for (Path f : strayFiles(runDir, known)) {
      String name = f.getFileName().toString();
      String key = name.substring(0, name.length() - ".json".length());
      String shortKey = key.substring(0, Math.min(12, key.length()));
      if (missing.contains(key)) {
        // the file of a cell these experiments need, not taken as finished (its warning says
        // why), unless another process wrote it while status ran
        if (modified(f) < since) {
          damaged.add(shortKey);
        }
        continue;
      }
      String what;
      try {
        var cell = org.cpift.util.Json.STRICT.readTree(f.toFile());
        what = cell.path("method").asText("?") + " seed " + cell.path("seed").asText("?");
      } catch (java.io.IOException e) {
        what = "unreadable";
      }
      strays.add(shortKey + " (" + what + ")");
    }
    if (!damaged.isEmpty()) {
      out.printf("%d cell file(s) in %s belong to cells of these experiments but are damaged "
          + "(unreadable, or not what the cell computes; the warnings above say why): counted "
          + "as missing, the next run computes them again: %s%n", damaged.size(),
          runDir.resolve("cells"), String.join(", ", damaged));
    }
    if (!strays.isEmpty()) {
      out.printf("%d cell file(s) in %s are no cell of these experiments at this preset and these "
          + "seeds (a configuration since changed, another preset or seed, or --quick); reports "
          + "leave them out (--strays lists their paths): %s%s%n", strays.size(),
          runDir.resolve("cells"),
          String.join(", ", strays.subList(0, Math.min(10, strays.size()))),
          strays.size() > 10 ? " and " + (strays.size() - 10) + " more" : "");
    }
  }

  /**
   * The time now by the clock that stamps files in {@code dir} (on a shared filesystem the
   * server's or the writing node's, which may differ from this machine's): a probe file's time,
   * or this machine's clock when the folder is not writable.
   */
  static long now(Path dir) {
    if (!Files.isDirectory(dir)) {
      return System.currentTimeMillis();
    }
    try {
      // named as the temporaries a run removes when their process died mid-way
      Path probe = org.cpift.util.AtomicFiles.createTemporary(dir.resolve("status-clock"));
      try {
        return Files.getLastModifiedTime(probe).toMillis();
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (java.io.IOException | SecurityException e) {
      return System.currentTimeMillis();
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (java.io.IOException e) {
      return Long.MAX_VALUE; // gone since it was listed: not damaged
    }
  }

  /**
   * What {@code --strays} lists: the files of {@code runDir/cells} that are neither a finished
   * cell ({@code known}) nor the file of a cell these experiments still need ({@code missing}:
   * damaged, or just written by a running process), which is no stray of another configuration
   * and not to be deleted as one.
   */
  static List<Path> strayFiles(Path runDir, Set<String> known, Set<String> missing) {
    Set<String> ours = new HashSet<>(known);
    ours.addAll(missing);
    return strayFiles(runDir, ours);
  }

  /** The {@code .json} files of {@code runDir/cells} whose key is none of {@code known}, sorted. */
  static List<Path> strayFiles(Path runDir, Set<String> known) {
    try (var files = Files.list(runDir.resolve("cells"))) {
      return files.filter(f -> {
        String name = f.getFileName().toString();
        return name.endsWith(".json") && !known.contains(name.substring(0, name.length() - 5));
      }).sorted().toList();
    } catch (java.io.IOException e) {
      throw new CpiftException("cannot list " + runDir.resolve("cells") + ": " + e.getMessage());
    }
  }

  /** A finished cell's recorded wall time in seconds (0 for a cell from before they were kept). */
  static double cellWall(org.cpift.experiment.CellResult r) {
    return r.result().details() != null
        && r.result().details().get("cell_wall_seconds") instanceof Number w ? w.doubleValue() : 0;
  }

  /**
   * Where the finished cells' time went, per method: cells, their wall time in all and per cell,
   * and the share the method records as its own cost (training steps; with CPI-FT the fusion; with
   * a merge the merging and its validation grid). The rest is test scoring, graph building and
   * the experts the cell was first to need.
   */
  private static void timeSpent(PrintWriter out, java.util.Collection<
      org.cpift.experiment.CellResult> done) {
    Map<String, double[]> by = new java.util.LinkedHashMap<>(); // cells, wall, own training
    for (org.cpift.experiment.CellResult r : done) {
      Object wall = r.result().details().get("cell_wall_seconds");
      if (!(wall instanceof Number w)) {
        continue; // a cell from before cell times were kept
      }
      double[] a = by.computeIfAbsent(r.result().method(), m -> new double[3]);
      a[0]++;
      a[1] += w.doubleValue();
      a[2] += r.result().cost().wallSeconds();
    }
    if (by.isEmpty()) {
      return;
    }
    out.printf("where the finished cells' time went (each cell once):%n");
    out.printf("  %-22s %6s %10s %10s %9s%n", "method", "cells", "wall", "per cell", "own");
    double[] sum = new double[3];
    by.forEach((m, a) -> {
      out.printf("  %-22s %6d %10s %10s %8.0f%%%n", m, (int) a[0],
          org.cpift.experiment.TimeEstimate.duration(a[1]),
          org.cpift.experiment.TimeEstimate.duration(a[1] / a[0]), 100 * a[2] / a[1]);
      for (int i = 0; i < 3; i++) {
        sum[i] += a[i];
      }
    });
    out.printf("  %-22s %6d %10s %10s %8.0f%%%n  (own: the cost the method records: its training "
        + "steps, CPI-FT's fusion, a merge's merging and validation grid; the rest: test scoring, "
        + "graph building, experts the cell was first to need)%n", "all", (int) sum[0],
        org.cpift.experiment.TimeEstimate.duration(sum[1]), "", 100 * sum[2] / sum[1]);
    phases(out, done);
  }

  /**
   * The same cells' time by phase (training steps, decoding, teacher-forced loss, graph building,
   * moving weights, host-side merging, storage, waiting for another process, the rest), as shares
   * of each method's phase-timed wall, for the cells that recorded it ({@code PhaseClock}).
   */
  static void phases(PrintWriter out, java.util.Collection<org.cpift.experiment.CellResult> done) {
    Map<String, Map<String, Double>> by = new java.util.LinkedHashMap<>();
    Map<String, Integer> cells = new java.util.LinkedHashMap<>();
    for (org.cpift.experiment.CellResult r : done) {
      if (r.result().details() == null
          || !(r.result().details().get("phase_seconds") instanceof Map<?, ?> m)) {
        continue; // a cell from before phases were kept
      }
      Map<String, Double> a = by.computeIfAbsent(r.result().method(),
          k -> org.cpift.util.PhaseClock.zero());
      m.forEach((k, v) -> {
        if (v instanceof Number x) {
          a.merge(String.valueOf(k), x.doubleValue(), Double::sum);
        }
      });
      cells.merge(r.result().method(), 1, Integer::sum);
    }
    if (by.isEmpty()) {
      return;
    }
    Map<String, Double> all = org.cpift.util.PhaseClock.sum(by.values());
    by.put("all", all);
    cells.put("all", cells.values().stream().mapToInt(Integer::intValue).sum());
    out.printf("by phase (the cells that recorded it), share of their wall time:%n");
    out.printf("  %-22s %6s %10s", "method", "cells", "wall");
    all.keySet().forEach(k -> out.printf(" %8s", k));
    out.printf("%n");
    by.forEach((method, a) -> {
      double wall = a.values().stream().mapToDouble(Double::doubleValue).sum();
      out.printf("  %-22s %6d %10s", method, cells.get(method),
          org.cpift.experiment.TimeEstimate.duration(wall));
      all.keySet().forEach(k -> out.printf(" %7.0f%%", wall > 0
          ? 100 * a.getOrDefault(k, 0.0) / wall : 0));
      out.printf("%n");
    });
  }

  /**
   * One Slurm submission: its cells finished, running (claimed), queued, failed (the task ended
   * without its cell; with the log to read) and never started; Slurm's word (squeue, and sacct
   * where accounting is kept) where it has one, the logs where it has none.
   */
  private static void submission(PrintWriter out, Path d, Map<String, String> unfinished,
      Set<String> running) throws java.io.IOException {
    Path cellsFile = d.resolve("cells.tsv");
    if (!Files.isRegularFile(cellsFile)) {
      out.printf("  slurm submission %s: no cells.tsv (not a submission of this tool)%n",
          d.getFileName());
      return;
    }
    List<String> lines = Files.readAllLines(cellsFile).stream().filter(l -> !l.isBlank()).toList();
    Map<String, String> jobs = new HashMap<>();
    Path jobsFile = d.resolve(SlurmExecutor.JOBS);
    if (Files.isRegularFile(jobsFile)) {
      for (String l : Files.readAllLines(jobsFile)) {
        String[] f = l.split("\t");
        if (f.length == 2) {
          jobs.put(f[0], f[1]);
        }
      }
    }
    Map<Integer, String> states = jobs.containsKey("array")
        ? SlurmStatus.arrayTasks(jobs.get("array")) : Map.of();
    int finished = 0;
    int claimed = 0;
    int queued = 0;
    int notStarted = 0;
    List<String> failed = new ArrayList<>();
    for (int k = 1; k <= lines.size(); k++) {
      String id = lines.get(k - 1);
      String state = states.get(k);
      Path log = d.resolve("logs").resolve("cell-" + k + ".log");
      if (!unfinished.containsKey(id)) {
        finished++;
      } else if (running.contains(id)) {
        claimed++;
      } else if (SlurmStatus.live(state)) {
        queued++;
      } else if (state != null || Files.exists(log)) {
        failed.add(String.format("    failed: %s cell %s (%s), %s; log %s", id.split("\t")[0],
            id.split("\t")[1], unfinished.get(id), state == null ? "ended without its cell"
                : "Slurm: " + state, log));
      } else {
        notStarted++;
      }
    }
    String report = jobs.containsKey("report") ? SlurmStatus.job(jobs.get("report")) : null;
    out.printf("  slurm submission %s%s: %d cells: %d finished, %d running, %d queued, %d failed, "
        + "%d never started; report job %s; logs in %s%n", d.getFileName(), jobs.isEmpty() ? ""
            : " (array " + jobs.getOrDefault("array", "-") + ", report " + jobs.getOrDefault(
                "report", "-") + ")", lines.size(), finished, claimed, queued, failed.size(),
        notStarted, report != null ? report.toLowerCase(java.util.Locale.ROOT)
            : Files.exists(d.resolve("logs").resolve("report.log")) ? "ended (see report.log)"
                : "not known to Slurm", d.resolve("logs"));
    failed.forEach(out::println);
  }
}
