package org.cpift.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodRunner;
import org.cpift.report.ResultFiles;
import org.cpift.method.Methods;
import org.cpift.train.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cpift run-method}: one method, one seed, every suite task. */
@Command(name = "run-method", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run one method (CPI-FT, DPI, or a baseline) from the preset's base model, score "
        + "it on every suite task's test split, and write DIR/scores.csv "
        + "(method,task,seed,metric,value), DIR/manifest.json, and for cpi-ft and dpi "
        + "DIR/jaccard.csv and DIR/groups.json. Experts are cached in --cache and shared.")
final class RunMethodCommand implements Callable<Integer> {
  @Option(names = "--method", required = true,
      description = "base, single-task, multi-task, multi-stage-random, multi-stage-heuristic, dpi, "
          + "cpi-ft, sequential, wemoe, lines-posthoc, lines-posthoc-multi-task, "
          + "lines-posthoc-cpi-ft, and the merges task-arithmetic, ties, dare-ta, dare-ties, "
          + "lines, lines-ties, copa (LoRA experts), slerp, linear, localize-stitch, osrm (LoRA "
          + "experts from orthogonal subspaces) "
          + "(`cpift methods` lists them with their options)")
  String method;

  @Mixin
  PresetOption presetOption = new PresetOption("tiny");

  @Option(names = "--seed", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Mixin
  ModelAndSuite inputs;

  @Option(names = "--tasks", split = ",", description = "only these tasks (default: all of the suite)")
  List<String> tasks;

  @Option(names = "--cache", defaultValue = "runs/cache", description = "artifact cache (default: ${DEFAULT-VALUE})")
  Path cache;

  @Mixin
  MethodOptions options;

  @Option(names = "--save-model", description = "also write the method's final model (with LoRA, "
      + "the adapters also as PEFT files in OUT/adapter, in the base's family's layout) to "
      + "<out>/model (a model directory: a base for further runs, generate and export-hf)")
  boolean saveModel;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Preset p = presetOption.get();
    Methods.create(method); // fail fast on an unknown name
    for (String o : unread(method, CliChecks.typedOptions(spec))) {
      spec.commandLine().getErr().println("warning: " + method + " does not read " + o
          + " (`./cpift methods` lists what each method reads); it is recorded in the "
          + "manifest but changes nothing");
    }
    MethodConfig cfg = options.apply(MethodConfig.defaults(p), method).withSeed(seed);
    Path basePath = inputs.base(p);
    CliChecks.writableDirectory(out, "--out");
    if (method.equals(org.cpift.method.OsrmMerge.NAME) && "random".equals(options.loraInit)) {
      throw new IllegalArgumentException("--method osrm starts the experts by OSRM, so "
          + "--lora-init random contradicts it; give osrm or osrm-matched, or leave it out");
    }
    refuseThinDiffCores(method, cfg);
    if (saveModel && method.equals("single-task")) {
      throw new IllegalArgumentException("--save-model: single-task makes one expert per task, "
          + "not one model; save a multi-task, staged, merged or cpi-ft model");
    }
    if (saveModel && method.equals("lines-posthoc")) {
      throw new IllegalArgumentException("--save-model: lines-posthoc edits each expert "
          + "separately, not one model; save a multi-task, staged, merged or cpi-ft model");
    }
    if (saveModel && method.equals("wemoe")) {
      throw new IllegalArgumentException("--save-model: a wemoe model is the base with N task "
          + "vectors beside each MLP tensor and a router per block, not a model of the base's "
          + "layout, so it is not saved; its scores and sizes are in the results");
    }
    MethodRunner.Run run = MethodRunner.run(method, new MethodRunner.Inputs(basePath, inputs.suite(p), tasks, cache), cfg,
        "cpift run-method --method " + method + " --preset " + p.id() + " --seed " + seed,
        saveModel);
    ResultFiles.write(out, run.result(), run.tasks());
    if (saveModel) {
      run.model().save(out.resolve("model"));
      run.manifest().put("model", out.resolve("model").toString());
      if (run.adapters() != null) {
        org.cpift.train.PeftAdapter.save(out.resolve("adapter"), run.model().config(),
            cfg.training().lora(), run.adapters(), basePath.toString());
        run.manifest().put("adapter", out.resolve("adapter").toString());
      }
    }
    run.manifest().write(out.resolve("manifest.json"));
    return 0;
  }

  /** The settings {@code method} declares (a merge: {@link org.cpift.method.Setting#merge}). */
  private static Set<org.cpift.method.Setting> settingsRead(String method) {
    Methods.Entry e = Methods.registered().get(method);
    return e != null ? e.settings() : org.cpift.method.Setting.merge(method);
  }

  /**
   * Refuses cores that would be padded: diff-pruned experts that keep fewer entries than the
   * core's top p% leave the rest of every |Δ|-ranked core to unchanged entries, taken by position
   * and the same for every task, which inflates their overlap.
   */
  static void refuseThinDiffCores(String method, MethodConfig cfg) {
    org.cpift.model.DiffPruning d = cfg.training().diffPruning();
    Set<org.cpift.method.Setting> settings = settingsRead(method);
    org.cpift.core.CoreConfig core = cfg.core();
    if (d != null && settings.contains(org.cpift.method.Setting.TOP_PERCENT) && !core.random()
        && (core.score() == org.cpift.core.ImportanceScore.ABS_DELTA
            || core.score() == org.cpift.core.ImportanceScore.RELATIVE_DELTA)
        && d.keepPercent() < core.topPercent()) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "--finetune diff-pruning keeps %s%% of the entries (--diff-sparsity), fewer than the "
              + "core's %s%% (--top-p): the rest of every core would be entries the expert did "
              + "not change, taken by position and the same for every task; give --diff-sparsity "
              + "at least --top-p, or a smaller --top-p", d.keepPercent(), core.topPercent()));
    }
  }

  /**
   * The options in {@code typed} that {@code method} does not read: the settings' options it
   * does not declare ({@link Methods.Entry#settings}; a merge those of
   * {@link org.cpift.method.Setting#merge}), and the merges' hyperparameters other than its own
   * ({@link MethodOptions#mergeOptionsRead}).
   */
  static List<String> unread(String method, Set<String> typed) {
    List<String> out = new ArrayList<>();
    Set<org.cpift.method.Setting> settings = settingsRead(method);
    MethodOptions.OPTION.forEach((setting, option) -> {
      if (typed.contains(option) && !settings.contains(setting)) {
        out.add(option);
      }
    });
    Set<String> reads = MethodOptions.mergeOptionsRead(method);
    for (String name : org.cpift.merge.MergeRegistry.names()) {
      for (org.cpift.merge.MergeParam m : org.cpift.merge.MergeRegistry.params(name)) {
        if (typed.contains(m.option()) && !reads.contains(m.option())
            && !out.contains(m.option())) {
          out.add(m.option());
        }
      }
    }
    return out;
  }

}
