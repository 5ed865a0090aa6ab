package org.cpift.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cpift.experiment.Cell;
import org.cpift.experiment.CellResult;
import org.cpift.experiment.ExperimentRunner;
import org.cpift.experiments.ExperimentRun;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodRunner;
import org.cpift.method.SuiteEvaluator;
import org.cpift.report.TestbedReport;
import org.cpift.testbed.TestbedCheck;
import org.cpift.testbed.TestbedGate;
import org.cpift.train.Preset;
import org.cpift.train.RunManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cpift testbed-check}: the validity gate of a testbed. Measures the experts' task-vector
 * size, base and expert scores, pairwise midpoints, task arithmetic (λ from validation), the plain
 * average, multi-task SFT's seesaw against the suite's contradiction ceiling, and core overlap,
 * on the validation split by default, and writes {@code reports/<preset>/testbed-check/}. Experts
 * are the experiments' own (shared through the run directory); on test, so is the multi-task
 * cell, while on validation multi-task SFT is trained again as that cell trains it.
 */
@Command(name = "testbed-check", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Check that a testbed is in CPI-FT's regime (small task vectors, a base that half "
        + "knows the tasks, merges that keep the experts' skills, a seesaw that one model could "
        + "resolve). Writes criteria.csv, measurements.csv, manifest.json and report.html; exits 0 "
        + "when the gate passes and 3 when it does not.")
final class TestbedCheckCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(TestbedCheckCommand.class);

  /** Exit status when every measurement ran but the testbed is not valid. */
  static final int NOT_VALID = 3;

  @Mixin
  PresetOption presetOption = new PresetOption("small");

  @Mixin
  SeedsOption seedsOption = new SeedsOption("1");

  @Mixin
  ModelAndSuite data;

  @Option(names = "--run-dir", description = "run directory shared with the experiments (default: runs/<preset>)")
  Path runDir;

  @Option(names = "--out", description = "report directory (default: "
      + "reports/<preset>/testbed-check, or testbed-check-test with --split test)")
  Path out;

  @Option(names = "--lr", description = "fine-tuning learning rate (default: the preset's); a "
      + "different value measures another regime (its experts are cached apart)")
  Float lr;

  @Option(names = "--split", defaultValue = "val", description = "the split every score is "
      + "measured on: val (default; the gate chooses between testbed designs, so it must not look "
      + "at test) or test (as the first gate runs did). On val, multi-task SFT is trained again as "
      + "its main-results cell trains it, for its validation scores (about as long as the cell)")
  String split;

  @Override
  public Integer call() {
    List<Long> seeds = seedsOption.get();
    Preset p = presetOption.get();
    SuiteEvaluator.Split on = switch (split) {
      case "val" -> SuiteEvaluator.Split.VAL;
      case "test" -> SuiteEvaluator.Split.TEST;
      default -> throw new org.cpift.util.CpiftException("--split: unknown value '" + split
          + "'; use val or test");
    };
    Path basePath = data.base(p);
    Path suitePath = data.suite(p);
    Path runs = ExperimentRun.runDir(runDir, p);
    Path report = out != null ? out : Path.of("reports", p.id(),
        on == SuiteEvaluator.Split.TEST ? "testbed-check-test" : "testbed-check");
    String command = "cpift testbed-check --preset " + p.id() + " --seeds "
        + ExperimentRun.seedList(seeds) + data.given()
        + (lr != null ? " --lr " + lr : "") + " --split " + split;
    RunManifest manifest = new RunManifest(command);
    MethodRunner.Inputs inputs = new MethodRunner.Inputs(basePath, suitePath, List.of(),
        runs.resolve("cache"));
    List<TestbedCheck.Measurement> measurements = new ArrayList<>();
    List<Map<String, Map<String, Double>>> multiTask = new ArrayList<>();
    Map<String, Object> sameModel = new java.util.LinkedHashMap<>();
    MethodContext ctx = null;
    for (long s : seeds) {
      MethodConfig cfg = MethodConfig.defaults(p).withSeed(s);
      if (lr != null) {
        cfg = cfg.withTraining(cfg.training().withLr(lr));
      }
      ctx = MethodRunner.context(inputs, cfg);
      List<Cell> cell = List.of(new Cell("default", "multi-task", cfg));
      if (on == SuiteEvaluator.Split.TEST) {
        LOG.info("testbed check, seed {}: multi-task SFT (the main-results cell)", s);
        multiTask.add(ExperimentRunner.run(cell, inputs, runs).get(0).result().scores());
      } else {
        // first, as the longest part: cached on its own, so a stopped check resumes after it
        var both = TestbedCheck.multiTask(ctx);
        multiTask.add(both.get("val"));
        // the same model as the main-results cell when that cell's test scores are reproduced
        List<CellResult> done = ExperimentRunner.finished(cell, inputs, runs);
        String same = done.isEmpty() ? "the main-results cell has not run"
            : sameScores(done.get(0).result().scores(), both.get("test"));
        sameModel.put(Long.toString(s), same);
        if (same.startsWith("DIFFER")) {
          LOG.warn("testbed check, seed {}: the retrained multi-task model's test scores differ "
              + "from its main-results cell's ({} against {}): the gate's seesaw is measured on a "
              + "different model than the tables'", s, both.get("test"),
              done.get(0).result().scores());
        } else {
          LOG.info("testbed check, seed {}: multi-task SFT retrained vs its main-results cell: {}",
              s, same);
        }
      }
      measurements.add(TestbedCheck.measure(ctx, on));
    }
    TestbedCheck.Ceiling ceiling = TestbedCheck.ceiling(ctx.tasks(),
        ctx.config().evaluation().limit(), on);
    TestbedGate.Verdict verdict = TestbedGate.judge(measurements, multiTask, ceiling,
        TestbedGate.Criteria.defaults());
    Map<String, Object> m = manifest.finish();
    m.put("preset", p.id());
    m.put("seeds", seeds);
    m.put("base", basePath.toString());
    m.put("suite", suitePath.toString());
    m.put("base_sha256", ctx.baseHash());
    m.put("task_data_sha256", ctx.dataChecksums());
    m.put("config", ctx.config());
    m.put("goals", TestbedGate.Criteria.defaults());
    m.put("contradiction_ceiling", ceiling);
    m.put("split", TestbedCheck.splitName(on));
    if (!sameModel.isEmpty()) {
      m.put("multi_task_retrained_vs_cell", sameModel);
    }
    TestbedReport.write(report, measurements, multiTask, ceiling, verdict, m);
    for (TestbedGate.Criterion c : verdict.criteria()) {
      System.out.printf("%-20s %-5s measured %s, goal %s%s%n", c.id(), c.pass() ? "pass" : "FAIL",
          c.measured(), c.goal(), c.required() ? "" : " (reported, not required)");
    }
    System.out.println((verdict.valid() ? "testbed VALID" : "testbed NOT VALID") + "; report: "
        + report.resolve("report.html"));
    return verdict.valid() ? 0 : NOT_VALID;
  }

  /**
   * Whether two runs' test metrics show one model: every score (exact match, per task and slice)
   * equal; the answer losses, sums of float log-probabilities that the CPU's threads may add in
   * another order, are compared by their largest relative difference.
   */
  static String sameScores(Map<String, Map<String, Double>> cell,
      Map<String, Map<String, Double>> retrained) {
    if (!cell.keySet().equals(retrained.keySet())) {
      return "DIFFER: tasks " + cell.keySet() + " against " + retrained.keySet();
    }
    double loss = 0;
    for (String t : cell.keySet()) {
      Map<String, Double> a = cell.get(t);
      Map<String, Double> b = retrained.get(t);
      if (!a.keySet().equals(b.keySet())) {
        return "DIFFER: " + t + "'s metrics " + a.keySet() + " against " + b.keySet();
      }
      for (String metric : a.keySet()) {
        double x = a.get(metric);
        double y = b.get(metric);
        if (metric.startsWith("score")) {
          if (Double.compare(x, y) != 0) {
            return "DIFFER: " + t + " " + metric + " " + x + " against " + y;
          }
        } else {
          loss = Math.max(loss, Math.abs(x - y) / Math.max(Math.abs(x), Double.MIN_NORMAL));
        }
      }
    }
    return String.format(java.util.Locale.ROOT, "every test score identical (answer losses within "
        + "%.1e relative)", loss);
  }
}
