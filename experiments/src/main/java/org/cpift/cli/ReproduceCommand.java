package org.cpift.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cpift.experiment.Cell;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiment.TimeEstimate;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.method.MethodRunner;
import org.cpift.report.Claims;
import org.cpift.report.ClaimsIndex;
import org.cpift.report.ReportFormat;
import org.cpift.train.Preset;
import org.cpift.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cpift reproduce}: every experiment, in order, sharing experts and cells. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
    description = "Run every experiment at a preset and write reports/<preset>/<experiment>/ for "
        + "each, plus reports/<preset>/claims.json. Resumable: finished cells are kept in "
        + "--run-dir and reused. main-results runs every seed, the other experiments the first "
        + "three.")
final class ReproduceCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ReproduceCommand.class);

  @Mixin
  PresetOption presetOption = new PresetOption("small");

  @Mixin
  SeedsOption seedsOption = new SeedsOption("1,2,3,4,5");

  @Option(names = "--experiments", split = ",", description = "only these experiments (default: all)")
  List<String> only;

  @Option(names = "--out", description = "reports root (default: reports/<preset>; with --quick: "
      + "<run-dir>/quick-reports)")
  Path out;

  @Option(names = "--run-dir", description = "cells and cache (default: runs/<preset>)")
  Path runDir;

  @Option(names = "--quick", description = "smoke run: a few steps per run, a few test examples; "
      + "checks the pipeline end to end, the figures mean nothing")
  boolean quick;

  @Option(names = "--data-root", defaultValue = "benchmarks-data", description = "where base/<preset> "
      + "and the preset's suite (suite-v1 for tiny, suite-v2 for small and paper) are (default: ${DEFAULT-VALUE})")
  Path dataRoot;

  @Option(names = "--report-only", description = "train nothing: write every report (and claims.json) "
      + "from the cells finished so far; experiments with no finished cell are skipped")
  boolean reportOnly;

  @Option(names = "--estimate", description = "compute nothing: measure this machine's rates "
      + "(seconds) and print how long the run (and its --quick alternative) would take")
  boolean estimateOnly;

  @Option(names = "--order", defaultValue = "seed", description = "seed (default): every "
      + "experiment's cells of the first seed, then of the next, the reports rewritten after each "
      + "seed, so a run stopped early leaves whole tables for its first seeds and each seed's "
      + "experts are trained once; experiment: one experiment after another, each reported when "
      + "done")
  String order = "seed";

  @Option(names = "--executor", defaultValue = "inline", description = "inline (this process "
      + "computes every cell), local (--workers processes on this machine share the cells "
      + "through claims on the run directory; this one writes the reports) or slurm (a job "
      + "array, one cell per task) (default: ${DEFAULT-VALUE})")
  String executor = "inline";

  @Option(names = "--workers", defaultValue = "2", description = "processes for --executor local, "
      + "this one included (default: ${DEFAULT-VALUE})")
  int workers = 2;

  @Option(names = "--partition", description = "Slurm partition (--executor slurm)")
  String partition;

  @Option(names = "--time", description = "Slurm time limit per cell, e.g. 2:00:00")
  String time;

  @Option(names = "--cpus-per-task", description = "Slurm CPUs per cell")
  Integer cpusPerTask;

  @Option(names = "--mem", description = "Slurm memory per cell, e.g. 16G")
  String mem;

  @Option(names = "--gpus-per-task", description = "Slurm GPUs per cell (with the -Pgpu build)")
  Integer gpusPerTask;

  @Option(names = "--max-parallel", description = "at most this many cells at once (the array's %%M)")
  Integer maxParallel;

  @Option(names = "--sbatch-arg", description = "any other sbatch option, e.g. --sbatch-arg=--account=abc (repeatable)")
  List<String> sbatchArgs;

  @Spec
  CommandSpec spec;

  /** The report files to write (the {@code report} command narrows them). */
  java.util.Set<ReportFormat> formats = ReportFormat.all();

  /** The command recorded in the manifests (the {@code report} command records its own). */
  String recorded;

  /** How many experiments got a report in the last {@link #call()}. */
  int reported;

  @Override
  public Integer call() {
    List<Long> seeds = seedsOption.get();
    Preset p = presetOption.get();
    if (!List.of("inline", "local", "slurm").contains(executor)) {
      throw new IllegalArgumentException("--executor must be inline, local or slurm, got "
          + executor);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
    }
    // an executor's options without that executor would be ignored: say so instead
    java.util.Set<String> typed = CliChecks.typedOptions(spec);
    if (!executor.equals("local") && typed.contains("--workers")) {
      throw new IllegalArgumentException("--workers is for --executor local; add --executor "
          + "local, or leave --workers out");
    }
    for (String o : List.of("--partition", "--time", "--cpus-per-task", "--mem",
        "--gpus-per-task", "--max-parallel", "--sbatch-arg")) {
      if (!executor.equals("slurm") && typed.contains(o)) {
        throw new IllegalArgumentException(o + " is for --executor slurm; add --executor slurm, "
            + "or leave " + o + " out");
      }
    }
    if (!List.of("seed", "experiment").contains(order)) {
      throw new IllegalArgumentException("--order must be seed or experiment, got " + order);
    }
    Path runs = ExperimentRun.runDir(runDir, p);
    if (reportOnly && recorded == null && !Files.isDirectory(runs.resolve("cells"))) {
      throw new org.cpift.util.CpiftException("--report-only: " + runs + " is not a run directory "
          + "(no cells/ folder), so there is nothing to report; give the --run-dir the cells were "
          + "computed in (default runs/<preset>)");
    }
    Path root = out != null ? out : ExperimentRun.reportRoot(p, runs, quick);
    List<ReportedExperiment> todo = new ArrayList<>();
    if (only == null || only.isEmpty()) {
      todo.addAll(Experiments.ALL);
    } else {
      if (new java.util.HashSet<>(only).size() != only.size()) {
        throw new IllegalArgumentException("--experiments names an experiment twice: " + only);
      }
      only.forEach(n -> todo.add(Experiments.get(n)));
    }
    // claims of experiments run earlier (e.g. with --experiments) are kept, not overwritten
    Map<String, Object> claims = previousClaims(root.resolve("claims.json"));
    if (estimateOnly) {
      // before the Slurm branch: --estimate submits nothing, whichever executor is named (the
      // figures are of this machine running the cells one after another)
      if (announce(p, runs, root, todo, plan(p, runs, root, todo, quick)) == null) {
        LOG.info("every cell is finished");
      }
      return 0;
    }
    if (executor.equals("slurm") && !reportOnly) {
      SlurmExecutor.Submission s = SlurmExecutor.submit(p, todo, seeds, runs, dataRoot, root,
          quick, new SlurmExecutor.Options(partition, time, cpusPerTask, mem, gpusPerTask,
              maxParallel, sbatchArgs == null ? List.of() : sbatchArgs));
      System.out.println(s.cells() == 0 ? "every cell is finished; report job " + s.reportJob()
          : "submitted " + s.cells() + " cells as job array " + s.arrayJob() + " and the report job "
          + s.reportJob() + " (after the array); scripts and logs in " + s.dir()
          + "; watch with squeue, resubmit the same command to submit only what is missing");
      return 0;
    }
    List<LocalWorkers.Worker> started = executor.equals("local") && !reportOnly
        ? LocalWorkers.start(workers - 1, workerArgs(p, runs), runs) : List.of();
    // this process works too; the last pass (runAll) waits for the cells the others hold, so
    // when it writes the reports every cell is finished (or was computed here after a worker
    // died)
    if (order.equals("seed") && !reportOnly) {
      computeSeedBySeed(p, runs, root, todo, claims);
    }
    if (order.equals("experiment") && !reportOnly) {
      announce(p, runs, root, todo, plan(p, runs, root, todo, quick));
    }
    runAll(p, runs, root, todo, claims, reportOnly);
    LocalWorkers.awaitAll(started);
    if (reportOnly && recorded == null && reported == 0) {
      throw new org.cpift.util.CpiftException("--report-only: no experiment has finished cells in "
          + runs + " at preset " + p.id() + " with seeds " + seeds + (quick ? " (quick)" : "")
          + "; give --run-dir, --preset, --seeds and --quick as the run had them");
    }
    return 0;
  }

  /**
   * Computes the experiments' cells seed by seed (within a seed, experiment by experiment, each
   * experiment's own order), rewriting every report from the finished cells after each seed.
   * Every experiment plans its cells on the same base, suite and cache, so one runner takes a
   * whole seed's cells at once and spreads them over the processes sharing the run directory.
   * A cell another process is computing is not waited for here: this process goes on to the
   * next seed, and the run's last pass waits for it.
   */
  private void computeSeedBySeed(Preset p, Path runs, Path root, List<ReportedExperiment> todo,
      Map<String, Object> claims) {
    Planned all = plan(p, runs, root, todo, quick);
    TimeEstimate.Tracker tracker = announce(p, runs, root, todo, all);
    List<Cell> cells = all.cells();
    List<Long> seedOrder = cells.stream().map(Cell::seed).distinct().sorted().toList();
    for (long seed : seedOrder) {
      List<Cell> these = cells.stream().filter(c -> c.seed() == seed).toList();
      LOG.info("seed {} ({} of {}): {} cells of {} experiments", seed,
          seedOrder.indexOf(seed) + 1, seedOrder.size(), these.size(), todo.size());
      List<Cell> held = ExperimentRunner.runFree(these, all.inputs(), runs, tracker);
      if (!held.isEmpty()) {
        LOG.info("seed {}: {} cell(s) held by another process, waited for at the end of the run",
            seed, held.size());
      }
      runAll(p, runs, root, todo, claims, true);
    }
  }

  /** Every experiment's cells (in experiment order) and the inputs they share. */
  record Planned(MethodRunner.Inputs inputs, List<Cell> cells) {}

  private Planned plan(Preset p, Path runs, Path root, List<ReportedExperiment> todo,
      boolean quickCells) {
    List<Cell> cells = new ArrayList<>();
    MethodRunner.Inputs inputs = null;
    for (ReportedExperiment e : todo) {
      ExperimentRun.Plan plan = ExperimentRun.plan(e, p, seedsOption.get(),
          new ExperimentRun.Paths(p.baseDir(dataRoot), p.suiteDir(dataRoot), runs,
              root.resolve(e.name())), quickCells ? ExperimentRun::quick : cfg -> cfg);
      inputs = plan.inputs();
      cells.addAll(plan.cells());
    }
    return new Planned(inputs, cells);
  }

  /**
   * Says up front how long the run will take on this machine (rates measured now, in seconds)
   * and, for a full run, how long the --quick smoke run would; returns the tracker that keeps
   * the ETA honest as cells finish (null when nothing is left to compute).
   */
  private TimeEstimate.Tracker announce(Preset p, Path runs, Path root,
      List<ReportedExperiment> todo, Planned all) {
    if (all.cells().isEmpty()) {
      return null;
    }
    List<ExperimentRunner.Pending> left = ExperimentRunner.unfinished(all.cells(), all.inputs(),
        runs);
    if (left.isEmpty()) {
      return null;
    }
    LOG.info("estimating the run's time: a few training steps and decoded items of the {} "
        + "model...", p.id());
    TimeEstimate.Rates rates = TimeEstimate.calibrate(all.cells().get(left.get(0).index()),
        all.inputs(), runs);
    TimeEstimate.Estimate est = TimeEstimate.of(all.cells(), all.inputs(), runs, rates);
    LOG.info("this run: {}", est.summary());
    long elsewhere = left.stream().filter(c -> ExperimentRunner.heldElsewhere(runs, c)).count();
    if (elsewhere > 0) {
      LOG.info("({} of these cells are being computed by another process now: the rates were "
          + "measured beside it, so the estimate is of this machine shared, higher than it alone)",
          elsewhere);
    }
    if (estimateOnly) {
      System.out.print(est.table());
    }
    if (!quick) {
      Planned q = plan(p, runs, root, todo, true);
      TimeEstimate.Estimate qe = TimeEstimate.of(q.cells(), q.inputs(), runs, rates);
      LOG.info("(--quick, a smoke run of the same experiments with a few steps per run and a few "
          + "test items: {} cells, about {})", qe.cells(), TimeEstimate.duration(qe.seconds()));
    }
    return new TimeEstimate.Tracker(est);
  }

  /** A worker's command line: the same cells, its reports written apart (the parent's count). */
  private List<String> workerArgs(Preset p, Path runs) {
    List<String> a = new ArrayList<>(List.of("reproduce", "--preset", p.id(), "--seeds",
        ExperimentRun.seedList(seedsOption.get()), "--run-dir", runs.toAbsolutePath().toString(),
        "--data-root", dataRoot.toAbsolutePath().toString(), "--order", order));
    if (only != null && !only.isEmpty()) {
      a.add("--experiments");
      a.add(String.join(",", only));
    }
    if (quick) {
      a.add("--quick");
    }
    return a;
  }

  private void runAll(Preset p, Path runs, Path root, List<ReportedExperiment> todo,
      Map<String, Object> claims, boolean reportOnly) {
    reported = 0;
    for (ReportedExperiment e : todo) {
      ExperimentRun.Paths paths = new ExperimentRun.Paths(p.baseDir(dataRoot),
          p.suiteDir(dataRoot), runs, root.resolve(e.name()));
      String command = recorded != null ? recorded + " (" + e.name() + ")"
          : "cpift reproduce --preset " + p.id() + " --seeds " + ExperimentRun.seedList(seedsOption.get())
          + (only == null || only.isEmpty() ? "" : " --experiments " + String.join(",", only))
          + (runDir != null ? " --run-dir " + runDir : "") + (quick ? " --quick" : "")
          + (reportOnly ? " --report-only" : "") + " (" + e.name() + ")";
      List<Claims.Claim> c;
      try {
        c = ExperimentRun.run(e, p, seedsOption.get(), paths, command,
            quick ? ExperimentRun::quick : cfg -> cfg, reportOnly, formats);
        reported++;
      } catch (ExperimentRun.NothingFinished none) {
        LOG.info("{}: no finished cells yet; no report", e.name());
        continue;
      }
      claims.put(e.name(), c.stream().filter(x -> !x.status().startsWith("not measured")).toList());
      Map<String, Object> ordered = ordered(claims);
      Json.writeFile(root.resolve("claims.json"), ordered);
      writeClaimsIndex(p, root, ordered);
    }
  }

  /**
   * {@code claims} in the experiments' order: the plain reproduction's, then the optional ones
   * (peft's claims belong in claims.json and claims.md as much as the paper's tables').
   */
  static Map<String, Object> ordered(Map<String, Object> claims) {
    Map<String, Object> ordered = new LinkedHashMap<>();
    Experiments.concat().forEach(x -> {
      if (claims.containsKey(x.name())) {
        ordered.put(x.name(), claims.get(x.name()));
      }
    });
    return ordered;
  }

  /** {@code claims.md}: every experiment's verdicts in one table, with how complete each run is. */
  static void writeClaimsIndex(Preset p, Path root, Map<String, Object> claims) {
    Map<String, List<Claims.Claim>> byExperiment = new LinkedHashMap<>();
    Map<String, ClaimsIndex.Progress> progress = new LinkedHashMap<>();
    claims.forEach((name, list) -> {
      try {
        byExperiment.put(name, Json.MAPPER.convertValue(list,
            new com.fasterxml.jackson.core.type.TypeReference<List<Claims.Claim>>() {}));
      } catch (IllegalArgumentException e) {
        // claims.json from another version: its claims stay in claims.json, not in the index
        LOG.warn("{}: its claims in claims.json are not in this version's form ({}); claims.md "
            + "leaves them out until the experiment is reported again", name, e.getMessage());
        return;
      }
      Path manifest = root.resolve(name).resolve("manifest.json");
      if (Files.isRegularFile(manifest)) {
        try {
          var m = Json.STRICT.readTree(manifest.toFile());
          if (m.has("cells_finished") && m.has("cells_total")) {
            progress.put(name, new ClaimsIndex.Progress(m.get("cells_finished").asInt(),
                m.get("cells_total").asInt()));
          }
        } catch (java.io.IOException e) {
          LOG.warn("{}: unreadable ({}); claims.md shows its progress as unknown", manifest,
              e.getMessage());
        }
      }
    });
    org.cpift.util.AtomicFiles.writeString(root.resolve("claims.md"),
        ClaimsIndex.markdown(p.id(), byExperiment, progress));
  }

  private static Map<String, Object> previousClaims(Path file) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      try {
        Json.STRICT.readTree(file.toFile()).fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
      } catch (java.io.IOException ex) {
        throw new org.cpift.util.CpiftException(file + ": unreadable claims file (" + ex.getMessage()
            + "); delete it and rerun");
      }
    }
    return out;
  }
}
