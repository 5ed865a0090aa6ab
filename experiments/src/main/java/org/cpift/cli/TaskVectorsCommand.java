package org.cpift.cli;

import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cpift.experiments.ExperimentRun;
import org.cpift.merge.TaskVectorGeometry;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodRunner;
import org.cpift.method.ProbeFineTuning;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.Preset;
import org.cpift.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** {@code cpift task-vectors}: the geometry of the experts' task vectors, per seed. */
@Command(name = "task-vectors", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure the single-task experts' task vectors δi = θi − θ0 (read from the cache, "
        + "trained when missing): |δi|/|θ0|, the cosine of every pair, and |mean δ| / mean |δi| "
        + "(what equal-weight averaging keeps: 1 for identical vectors, 1/√k for orthogonal ones). "
        + "Prints a table; --csv writes it.")
final class TaskVectorsCommand implements Callable<Integer> {
  @Mixin
  PresetOption presetOption = new PresetOption("small");

  @Mixin
  SeedsOption seedsOption = new SeedsOption("1,2,3");

  @Mixin
  ModelAndSuite inputs;

  @Option(names = "--tasks", split = ",", description = "only these tasks (default: all of the suite)")
  List<String> tasks;

  @Option(names = "--run-dir", description = "where experts are cached (default: runs/<preset>, shared with the experiments)")
  Path runDir;

  @Option(names = "--csv", description = "also write the table here (seed, metric, task_a, task_b, value)")
  Path csv;

  @Mixin
  MethodOptions options;

  @Override
  public Integer call() {
    List<Long> seeds = seedsOption.get();
    Preset p = presetOption.get();
    Path basePath = inputs.base(p);
    Path cache = ExperimentRun.runDir(runDir, p).resolve("cache");
    List<Long> seed = new ArrayList<>();
    List<String> metric = new ArrayList<>();
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<Double> value = new ArrayList<>();
    for (long s : seeds) {
      MethodConfig cfg = options.apply(MethodConfig.defaults(p), null).withSeed(s);
      MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(basePath, inputs.suite(p), tasks, cache), cfg);
      List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
      List<String> names = experts.stream().map(ProbeFineTuning.Expert::task).toList();
      List<ParamSnapshot> params = experts.stream().map(ProbeFineTuning.Expert::params).toList();
      TaskVectorGeometry g = TaskVectorGeometry.of(ctx.base().params(), names, params);
      for (int i = 0; i < names.size(); i++) {
        seed.add(s);
        metric.add("relative_norm");
        a.add(names.get(i));
        b.add("");
        value.add(g.relativeNorm(i));
      }
      for (int i = 0; i < names.size(); i++) {
        for (int j = i + 1; j < names.size(); j++) {
          seed.add(s);
          metric.add("cosine");
          a.add(names.get(i));
          b.add(names.get(j));
          value.add(g.cosine()[i][j]);
        }
      }
      seed.add(s);
      metric.add("mean_shrink");
      a.add("all");
      b.add("");
      value.add(g.meanShrink());
    }
    Table t = Table.create("task-vectors",
        LongColumn.create("seed", seed.stream().mapToLong(Long::longValue).toArray()),
        StringColumn.create("metric", metric), StringColumn.create("task_a", a),
        StringColumn.create("task_b", b),
        DoubleColumn.create("value", value.stream().mapToDouble(Double::doubleValue).toArray()));
    print(t, System.out);
    if (csv != null) {
      StringWriter w = new StringWriter();
      t.write().csv(w);
      AtomicFiles.writeString(csv, w.toString());
    }
    return 0;
  }

  private static void print(Table t, PrintStream out) {
    out.printf("%-4s  %-13s  %-12s  %-12s  %9s%n", "seed", "metric", "task_a", "task_b", "value");
    for (int r = 0; r < t.rowCount(); r++) {
      out.printf(Locale.ROOT, "%-4d  %-13s  %-12s  %-12s  %9.4f%n", t.longColumn("seed").get(r),
          t.stringColumn("metric").get(r), t.stringColumn("task_a").get(r),
          t.stringColumn("task_b").get(r), t.doubleColumn("value").get(r));
    }
  }
}
