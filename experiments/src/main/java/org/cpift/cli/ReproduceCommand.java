package org.cpift.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cpift.experiment.Experiment;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.report.Claims;
import org.cpift.train.Preset;
import org.cpift.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpift reproduce}: every experiment, in order, sharing experts and cells. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
    description = "Run every experiment at a preset and write reports/<preset>/<experiment>/ for "
        + "each, plus reports/<preset>/claims.json. Resumable: finished cells are kept in "
        + "--run-dir and reused.")
final class ReproduceCommand implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "small", description = "tiny, small or paper (paper: for a GPU, no base shipped) (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "(default: ${DEFAULT-VALUE})")
  List<Long> seeds;

  @Option(names = "--experiments", split = ",", description = "only these experiments (default: all)")
  List<String> only;

  @Option(names = "--out", description = "reports root (default: reports/<preset>)")
  Path out;

  @Option(names = "--run-dir", description = "cells and cache (default: runs/<preset>)")
  Path runDir;

  @Option(names = "--quick", description = "smoke run: a few steps per run, a few test examples; "
      + "checks the pipeline end to end, the figures mean nothing")
  boolean quick;

  @Override
  public Integer call() {
    Preset p = Preset.parse(preset);
    Path root = out != null ? out : Path.of("reports", p.id());
    Path runs = runDir != null ? runDir : Path.of("runs", p.id());
    List<Experiment> todo = new ArrayList<>();
    if (only == null || only.isEmpty()) {
      todo.addAll(Experiments.ALL);
    } else {
      only.forEach(n -> todo.add(Experiments.get(n)));
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    for (Experiment e : todo) {
      List<Claims.Claim> c = ExperimentRun.run(e, p, seeds, new ExperimentRun.Paths(
          Path.of("benchmarks-data", "base", p.id()), Path.of("benchmarks-data", "suite-v1"), runs,
          root.resolve(e.name())), "cpift reproduce --preset " + p.id() + (quick ? " --quick" : "")
          + " (" + e.name() + ")", quick ? ExperimentRun::quick : cfg -> cfg);
      claims.put(e.name(), c.stream().filter(x -> !x.status().startsWith("not measured")).toList());
      Json.writeFile(root.resolve("claims.json"), claims);
    }
    return 0;
  }
}
