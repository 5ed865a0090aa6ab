package org.cpift.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.experiments.ReportedExperiment;
import org.cpift.train.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpift run EXPERIMENT}: one paper table or ablation, resumable, with its report. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run one experiment (main-results, forgetting, stage-vs-single, low-resource, "
        + "tau-sweep, p-sweep, components, ambiguities; and the optional peft and lines-posthoc) and write reports/<preset>/<experiment>/ "
        + "(results.csv, summary.csv, manifest.json, report.html). Finished cells are kept in "
        + "--run-dir; a killed run resumes when started again.")
final class RunExperimentCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "experiment name")
  String experiment;

  @Mixin
  PresetOption presetOption = new PresetOption("tiny");

  @Mixin
  SeedsOption seedsOption = new SeedsOption("1,2,3");

  @Option(names = "--out", description = "report folder (default: reports/<preset>/<experiment>; "
      + "with --quick: <run-dir>/quick-reports/<experiment>)")
  Path out;

  @Option(names = "--run-dir", description = "cells and cache (default: runs/<preset>)")
  Path runDir;

  @Mixin
  ModelAndSuite inputs;

  @Option(names = "--report-only", description = "train nothing: write the report from the cells "
      + "finished so far (e.g. while a run is going)")
  boolean reportOnly;

  @Option(names = "--quick", description = "smoke run: a few steps per run, a few test examples; "
      + "checks the pipeline end to end, the figures mean nothing")
  boolean quick;

  @Override
  public Integer call() {
    List<Long> seeds = seedsOption.get();
    Preset p = presetOption.get();
    ReportedExperiment e = Experiments.get(experiment);
    Path runs = ExperimentRun.runDir(runDir, p);
    Path report = out != null ? out : ExperimentRun.reportRoot(p, runs, quick).resolve(e.name());
    ExperimentRun.run(e, p, seeds, new ExperimentRun.Paths(
        inputs.base(p), inputs.suite(p), runs, report),
        "cpift run " + e.name() + " --preset " + p.id() + " --seeds " + ExperimentRun.seedList(seeds)
            + inputs.given() + (runDir != null ? " --run-dir " + runDir : "")
            + (quick ? " --quick" : "") + (reportOnly ? " --report-only" : ""),
        quick ? ExperimentRun::quick : cfg -> cfg, reportOnly);
    return 0;
  }
}
