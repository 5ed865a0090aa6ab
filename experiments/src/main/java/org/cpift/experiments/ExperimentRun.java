package org.cpift.experiments;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.cpift.experiment.Cell;
import org.cpift.experiment.CellResult;
import org.cpift.experiment.Experiment;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodRunner;
import org.cpift.report.Claims;
import org.cpift.report.ReportFormat;
import org.cpift.report.ReportWriter;
import org.cpift.train.Preset;
import org.cpift.train.RunManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an experiment's cells (resumably) and writes its report folder. */
public final class ExperimentRun {
  private static final Logger LOG = LoggerFactory.getLogger(ExperimentRun.class);

  private ExperimentRun() {}

  /** Smoke budgets: a few steps per run and a few test examples per task; figures meaningless. */
  public static MethodConfig quick(MethodConfig c) {
    // a shorter probe stays shorter in the same ratio
    MethodConfig.Budgets b = c.budgets();
    int probe = b.probeSteps() == 0 ? 0 : Math.max(1, b.probeSteps() * 3 / b.expertSteps());
    // a smoke run checks the pipeline: merges take their given values instead of scoring a grid
    return c.withBudgets(x -> new MethodConfig.Budgets(3, probe == 3 ? 0 : probe, 2, 8))
        .withEvaluation(e -> e.withLimit(2)).withMerge(m -> m.withSelectOnValidation(false));
  }

  /** A report was asked for an experiment none of whose cells has finished. */
  public static final class NothingFinished extends org.cpift.util.CpiftException {
    NothingFinished(String message) {
      super(message);
    }
  }

  /** Where things are: base model, suite, run directory (cells and cache), report folder. */
  public record Paths(Path base, Path suite, Path runDir, Path reportDir) {}

  /**
   * An experiment's cells as they will run: where their inputs are, the base and suite loaded
   * once (checksums, task names), the seeds it takes.
   */
  public record Plan(List<Cell> cells, MethodRunner.Inputs inputs, MethodContext ctx,
      List<Long> seeds) {}

  /** The cells of {@code e} at {@code preset} over {@code seeds}, each passed through {@code adjust}. */
  public static Plan plan(ReportedExperiment e, Preset preset, List<Long> seeds, Paths paths,
      UnaryOperator<MethodConfig> adjust) {
    if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
      throw new IllegalArgumentException("--seeds must list distinct seeds, e.g. 1,2,3 (got "
          + seeds + "); a repeated seed would count one run twice in every mean and interval");
    }
    MethodRunner.Inputs inputs = new MethodRunner.Inputs(paths.base(), paths.suite(), List.of(),
        paths.runDir().resolve("cache"));
    // the base and suite once: their checksums for the manifest, the task names for the cells
    MethodContext ctx = MethodRunner.context(inputs, MethodConfig.defaults(preset));
    // sweeps take the first seeds only; the headline comparison takes all
    List<Long> taken = seeds.subList(0, Math.min(seeds.size(), e.maxSeeds()));
    List<Cell> cells = e.cells(preset, taken, ctx.taskNames()).stream().map(c -> new Cell(
        c.variant(), c.method(), adjust.apply(c.config()), c.tasks(), c.trainFraction(),
        c.label())).toList();
    return new Plan(cells, inputs, ctx, taken);
  }

  /** Cells and cache: {@code given}, else {@code runs/<preset>}. */
  public static Path runDir(Path given, Preset p) {
    return given != null ? given : Path.of("runs", p.id());
  }

  /**
   * Where reports go when no folder is given: {@code reports/<preset>}, and for smoke runs
   * {@code <run-dir>/quick-reports}, so smoke figures never overwrite a real run's reports.
   */
  public static Path reportRoot(Preset p, Path runDir, boolean quick) {
    return quick ? runDir.resolve("quick-reports") : Path.of("reports", p.id());
  }

  /** Seeds as given on the command line ({@code 1,2,3}), for recorded commands. */
  public static String seedList(List<Long> seeds) {
    return String.join(",", seeds.stream().map(String::valueOf).toList());
  }

  public static List<Claims.Claim> run(ReportedExperiment e, Preset preset, List<Long> seeds, Paths paths,
      String command) {
    return run(e, preset, seeds, paths, command, UnaryOperator.identity());
  }

  /** As above, with every cell's configuration passed through {@code adjust} (smoke runs). */
  public static List<Claims.Claim> run(ReportedExperiment e, Preset preset, List<Long> seeds, Paths paths,
      String command, UnaryOperator<MethodConfig> adjust) {
    return run(e, preset, seeds, paths, command, adjust, false);
  }

  /**
   * As above; with {@code reportOnly} nothing is trained: the report shows the cells finished so
   * far (and says how many are missing).
   */
  public static List<Claims.Claim> run(ReportedExperiment e, Preset preset, List<Long> seeds, Paths paths,
      String command, UnaryOperator<MethodConfig> adjust, boolean reportOnly) {
    return run(e, preset, seeds, paths, command, adjust, reportOnly, ReportFormat.all());
  }

  /** As above, writing only the report files of {@code formats} (and the manifest). */
  public static List<Claims.Claim> run(ReportedExperiment e, Preset preset, List<Long> seeds, Paths paths,
      String command, UnaryOperator<MethodConfig> adjust, boolean reportOnly,
      java.util.Set<ReportFormat> formats) {
    RunManifest manifest = new RunManifest(command);
    Plan plan = plan(e, preset, seeds, paths, adjust);
    MethodRunner.Inputs inputs = plan.inputs();
    MethodContext ctx = plan.ctx();
    List<Cell> cells = plan.cells();
    seeds = plan.seeds();
    LOG.info("experiment {}: {} cells at preset {} over seeds {}", e.name(), cells.size(),
        preset.id(), seeds);
    List<CellResult> results = reportOnly ? ExperimentRunner.finished(cells, inputs, paths.runDir())
        : ExperimentRunner.run(cells, inputs, paths.runDir());
    if (results.isEmpty()) {
      throw new NothingFinished("no finished cells of " + e.name() + " in " + paths.runDir()
          + "; run it without --report-only first");
    }
    Map<String, Object> m = manifest.finish();
    m.put("experiment", e.name());
    m.put("preset", preset.id());
    m.put("seeds", seeds);
    m.put("base", paths.base().toString());
    m.put("suite", paths.suite().toString());
    m.put("base_sha256", ctx.baseHash());
    m.put("task_data_sha256", ctx.dataChecksums());
    Map<String, Integer> commits = new java.util.TreeMap<>();
    List<Map<String, Object>> cellInfo = new ArrayList<>();
    double cellWall = 0;
    int timed = 0;
    for (CellResult r : results) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("variant", r.cell().variant());
      c.put("method", r.cell().method());
      if (!r.cell().label().equals(r.cell().method())) {
        c.put("label", r.cell().label());
      }
      c.put("seed", r.cell().seed());
      c.put("key", r.key());
      c.put("tasks", r.result().scores().keySet());
      c.put("train_fraction", new TreeMap<>(r.cell().trainFraction())); // in task-name order, run to run
      c.put("cost", r.result().cost());
      c.put("stages", r.result().groups());
      Object wall = r.result().details() == null ? null : r.result().details().get("cell_wall_seconds");
      if (wall instanceof Number w) {
        c.put("cell_wall_seconds", w.doubleValue());
        cellWall += w.doubleValue();
        timed++;
      }
      Object commit = r.result().details() == null ? null : r.result().details().get("git_commit");
      String by = commit == null ? "not recorded (computed before cells recorded their commit)"
          : commit.toString();
      c.put("git_commit", by);
      commits.merge(by, 1, Integer::sum);
      cellInfo.add(c);
    }
    m.put("cells", cellInfo);
    // what the cells took when they were computed (a cell shared by several experiments counts in
    // each; cells finished before this was recorded have no time)
    m.put("cells_wall_seconds", cellWall);
    m.put("cells_timed", timed);
    // the manifest's git_commit is this invocation's; each cell keeps the commit that computed it
    m.put("cells_git_commits", commits);
    m.put("cells_finished", results.size());
    m.put("cells_total", cells.size());
    if (results.size() < cells.size()) {
      LOG.warn("{}: report of {} of {} cells (the rest have not run yet)", e.name(), results.size(),
          cells.size());
    }
    m.put("default_config", cells.get(0).config());
    List<Claims.Claim> claims = ReportWriter.write(paths.reportDir(), e.name(), e.description(),
        results, m, e.claims(), e.sections(), formats);
    LOG.info("wrote the report of {} to {} ({})", e.name(), paths.reportDir(), formats);
    return claims;
  }
}
