package org.cpift.method;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cpift.cluster.StageOrdering;
import org.cpift.model.ModelConfig;
import org.cpift.task.Suite;
import org.cpift.task.Task;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.ModelCheckpoint;
import org.cpift.train.RunManifest;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one method on a suite from a base model and writes its files and manifest: the engine of
 * {@code ./cpift run-method}.
 */
public final class MethodRunner {
  private static final Logger LOG = LoggerFactory.getLogger(MethodRunner.class);

  private MethodRunner() {}

  /**
   * Where to run.
   *
   * @param base base model directory
   * @param suite suite directory
   * @param tasks the tasks to use (empty: all of the suite)
   * @param cache artifact cache directory
   */
  public record Inputs(Path base, Path suite, List<String> tasks, Path cache) {}

  public static MethodContext context(Inputs in, MethodConfig config) {
    ModelCheckpoint base = ModelCheckpoint.load(in.base());
    if (base.config().family() == ModelConfig.Family.CPIFT_GPT) {
      // the project's own bases are made per preset; a pretrained model brings its own shape
      checkShape(base.config(), config.preset().model(base.config().vocabSize()), in.base(),
          config.preset().id());
    }
    String baseHash = ModelCheckpoint.digest(in.base());
    Suite suite = Suite.load(in.suite());
    List<Task> tasks = in.tasks() == null || in.tasks().isEmpty() ? suite.tasks()
        : in.tasks().stream().map(suite::task).toList();
    if (tasks.stream().map(Task::name).distinct().count() != tasks.size()) {
      throw new CpiftException("the task list names a task twice: " + in.tasks());
    }
    // options that depend on the tasks are checked here, before any expert is trained
    StageOrdering.check(config.staging().order(), config.staging().explicitOrder(),
        tasks.stream().map(Task::name).toList());
    CacheInputsGuard.check(in.cache(), in.base(), baseHash, tasks);
    checkEncodable(base.tokenizer(), tasks);
    return new MethodContext(base, baseHash, in.base(), tasks, config,
        new ArtifactCache(in.cache()));
  }

  /** Tasks whose every split the character tokenizer was seen to encode (by checksums). */
  private static final java.util.Set<String> ENCODABLE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * With the project's character tokenizer, which refuses characters outside its vocabulary:
   * every record of every split must encode, so that a bad character in a test split stops the
   * run before training rather than after it. (Byte-level tokenizers encode any text.)
   */
  static void checkEncodable(org.cpift.data.Tokenizer tok, List<Task> tasks) {
    if (!(tok instanceof org.cpift.data.CharTokenizer)) {
      return;
    }
    for (Task t : tasks) {
      String key = tok.vocabSize() + " " + t.name() + " " + t.checksums();
      if (ENCODABLE.contains(key)) {
        continue;
      }
      for (var split : java.util.Map.of("train", t.train(), "val", t.val(), "test", t.test())
          .entrySet()) {
        for (org.cpift.data.SftRecord r : split.getValue()) {
          String where = "task " + t.name() + ", " + split.getKey() + " split, record " + r.id();
          tok.encode(r.prompt(), where + " (prompt)");
          tok.encode(r.answer(), where + " (answer)");
        }
      }
      ENCODABLE.add(key);
    }
  }

  /**
   * Refuses a base whose shape is not the preset's: the run would train one model under a manifest
   * and cache keys that name another.
   */
  static void checkShape(ModelConfig have, ModelConfig want, Path baseDir, String preset) {
    if (have.dModel() != want.dModel() || have.nLayers() != want.nLayers()
        || have.nHeads() != want.nHeads() || have.mlpRatio() != want.mlpRatio()
        || have.norm() != want.norm() || have.contextLength() != want.contextLength()) {
      throw new CpiftException("the base " + baseDir + " is a " + describe(have)
          + " model, but preset " + preset + " builds " + describe(want) + " models; use the "
          + "base made for this preset (benchmarks-data/base/" + preset + ") or the preset that "
          + "made this base");
    }
  }

  private static String describe(ModelConfig c) {
    return "d=" + c.dModel() + ", " + c.nLayers() + "-layer, " + c.nHeads() + "-head, context "
        + c.contextLength() + ", mlp ×" + c.mlpRatio() + ", " + c.norm().name().toLowerCase();
  }

  /**
   * A finished run: its result, the tasks in order, its manifest (not yet written), and when the
   * model was kept, the model and, for a LoRA model scored as such, its unmerged adapters (base
   * and factors; null otherwise).
   */
  public record Run(MethodResult result, List<String> tasks, RunManifest manifest,
      ModelCheckpoint model, ParamSnapshot adapters) {}

  /** Runs {@code method}; the caller writes the files (the report package's {@code ResultFiles}). */
  public static Run run(String method, Inputs in, MethodConfig config, String command) {
    return run(method, in, config, command, false);
  }

  /**
   * Runs {@code method}; with {@code keepModel}, {@link Run#model} is the final model it scored
   * (the base's configuration and tokenizer with the method's parameters; null for a method
   * without one model, such as single-task).
   */
  public static Run run(String method, Inputs in, MethodConfig config, String command,
      boolean keepModel) {
    RunManifest manifest = new RunManifest(command);
    Method m = Methods.create(method);
    MethodContext ctx = context(in, config);
    if (keepModel) {
      ctx.keepFinalModel();
    }
    manifest.put("method", method).put("seed", config.seed()).put("config", config)
        .put("base", Map.of("path", in.base().toString(), "sha256", ctx.baseHash()))
        .put("tasks", ctx.taskNames());
    manifest.put("task_data_sha256", ctx.dataChecksums());
    LOG.info("running {} on {} (seed {}, preset {})", method, ctx.taskNames(), config.seed(),
        config.preset().id());
    MethodResult r = m.run(ctx);
    manifest.put("cost", r.cost()).put("scores", r.scores()).put("details", r.details());
    if (r.groups() != null) {
      manifest.put("stages", r.groups());
    }
    r.scores().forEach((t, v) -> LOG.info(String.format("%-14s %-13s score %.3f  answer loss %.3f",
        method, t, v.get("score"), v.get("answer_loss"))));
    ModelCheckpoint model = ctx.finalParams() == null ? null : new ModelCheckpoint(
        ctx.base().config(), ctx.finalParams(), ctx.base().tokenizer());
    return new Run(r, ctx.taskNames(), manifest, model, ctx.finalAdapters());
  }
}
