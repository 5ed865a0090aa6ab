package org.cpift.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.data.Batch;
import org.cpift.data.Batcher;
import org.cpift.data.EncodedExample;
import org.cpift.data.Tokenizer;
import org.cpift.optim.LrSchedule;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.AtomicFiles;
import org.cpift.util.ContainedPath;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import org.cpift.util.PhaseClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: batch → step → progress line → periodic evaluation → checkpoint.
 *
 * <p>Batches depend only on (seed, step), so a run resumed from a checkpoint continues exactly
 * where the killed one stopped and ends with the same weights. Checkpoints live in
 * {@code <dir>/step-N/}; {@code <dir>/latest.json} (written last, atomically) points at the newest
 * complete one, so a kill at any moment leaves a usable checkpoint.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private Trainer() {}

  /**
   * What a training run produced.
   *
   * @param initialLoss loss of the first step's batch before any update
   * @param finalLoss mean loss over the last {@code min(10, steps)} steps
   * @param losses loss of every step
   * @param tokens tokens processed (padded batch size × length, summed), over every process of a
   *     resumed run (the checkpoint carries the count)
   * @param wallSeconds training time over every process of a resumed run (the checkpoint carries
   *     it; the work lost with a killed process after its last checkpoint is not counted)
   * @param eval last evaluation, or null when no validation set was given
   * @param resumedFromStep the checkpoint step this run resumed from (0 = fresh)
   */
  public record Result(float initialLoss, float finalLoss, float[] losses, long tokens,
      double wallSeconds, Evaluator.Result eval, long resumedFromStep) {}

  /**
   * Trains {@code model} on {@code train}. {@code checkpointDir} (nullable) receives checkpoints
   * every {@code cfg.checkpointEvery()} steps; {@code runKey} identifies everything that determines
   * the run, so a checkpoint of a different run is never resumed.
   */
  public static Result train(ModelSession model, Tokenizer tok, List<EncodedExample> train,
      List<EncodedExample> val, TrainConfig cfg, Path checkpointDir, String runKey) {
    return train(model, tok, train, val, cfg, checkpointDir, runKey, cfg.steps());
  }

  /** As above, but returns after {@code stopAfter} steps, as a killed run would (for tests). */
  static Result train(ModelSession model, Tokenizer tok, List<EncodedExample> train,
      List<EncodedExample> val, TrainConfig cfg, Path checkpointDir, String runKey, long stopAfter) {
    long t0 = System.nanoTime();
    Batcher batcher = new Batcher(train, cfg.batchSize(), cfg.seed());
    LrSchedule schedule = cfg.schedule();
    float[] losses = new float[cfg.steps()];
    Resumed from;
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.STORAGE)) {
      from = checkpointDir == null ? Resumed.FRESH : resume(model, checkpointDir, runKey, losses);
    }
    long start = from.step();
    if (start > 0) {
      LOG.info("resumed from checkpoint at step {}/{}", start, cfg.steps());
    }
    long tokens = from.tokens();
    long windowTokens = 0;
    long windowStart = System.nanoTime();
    Evaluator.Result eval = null;
    for (long s = start; s < cfg.steps(); s++) {
      if (s >= stopAfter) {
        return new Result(losses[0], Float.NaN, Arrays.copyOf(losses, (int) s), tokens,
            from.wallSeconds() + (System.nanoTime() - t0) / 1e9, null, start);
      }
      Batch batch = batcher.batch(s);
      float lr = schedule.lr(s);
      ModelSession.StepResult r = model.trainStep(batch, lr);
      if (!Float.isFinite(r.loss())) {
        throw new CpiftException("training diverged: the loss is " + r.loss() + " at step "
            + (s + 1) + " (learning rate " + lr + "); lower the learning rate or check the data");
      }
      losses[(int) s] = r.loss();
      tokens += batch.tokens();
      windowTokens += batch.tokens();
      long done = s + 1;
      if (done % cfg.logEvery() == 0 || done == cfg.steps()) {
        double secs = (System.nanoTime() - windowStart) / 1e9;
        double perStep = (System.nanoTime() - t0) / 1e9 / (done - start);
        LOG.info(String.format("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  ETA %s",
            done, cfg.steps(), r.loss(), lr, r.gradNorm(), windowTokens / Math.max(secs, 1e-9),
            formatDuration(perStep * (cfg.steps() - done))));
        windowTokens = 0;
        windowStart = System.nanoTime();
      }
      boolean last = done == cfg.steps();
      if (val != null && !val.isEmpty()
          && (last || (cfg.evalEvery() > 0 && done % cfg.evalEvery() == 0))) {
        eval = evaluate(model, tok, val, cfg);
        LOG.info(String.format("eval at step %d: answer loss %.4f  exact match %.3f (%d examples)",
            done, eval.answerLoss(), eval.exactMatch(), eval.examples()));
      }
      if (checkpointDir != null && cfg.checkpointEvery() > 0
          && (done % cfg.checkpointEvery() == 0 || last)) {
        try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.STORAGE)) {
          saveCheckpoint(model, checkpointDir, runKey, done, Arrays.copyOf(losses, (int) done),
              tokens, from.wallSeconds() + (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    int tail = Math.min(10, cfg.steps());
    double sum = 0;
    for (int i = cfg.steps() - tail; i < cfg.steps(); i++) {
      sum += losses[i];
    }
    if (eval == null && val != null && !val.isEmpty()) {
      eval = evaluate(model, tok, val, cfg);
    }
    return new Result(losses[0], (float) (sum / tail), losses, tokens,
        from.wallSeconds() + (System.nanoTime() - t0) / 1e9, eval, start);
  }

  private static Evaluator.Result evaluate(ModelSession model, Tokenizer tok,
      List<EncodedExample> val, TrainConfig cfg) {
    List<EncodedExample> sample = val.subList(0, Math.min(val.size(), cfg.evalExamples()));
    return Evaluator.evaluate(model, tok, sample, cfg.maxAnswerTokens(), Math.max(cfg.batchSize(), 32));
  }

  /** Writes {@code dir/step-N/} then points {@code dir/latest.json} at it. */
  static void saveCheckpoint(ModelSession model, Path dir, String runKey, long step, float[] losses,
      long tokens, double wallSeconds) {
    Path stepDir = dir.resolve(String.format("step-%08d", step));
    Safetensors.write(stepDir.resolve("model.safetensors"), model.parameters(), Map.of());
    Safetensors.write(stepDir.resolve("optimizer.safetensors"), model.optimizerState(), Map.of());
    Map<String, Object> latest = new LinkedHashMap<>();
    latest.put("step", step);
    latest.put("dir", stepDir.getFileName().toString());
    latest.put("run_key", runKey);
    latest.put("losses", losses);
    latest.put("tokens", tokens);
    latest.put("wall_seconds", wallSeconds);
    Json.writeFile(dir.resolve("latest.json"), latest);
    try (var old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.getFileName().toString().startsWith("step-")
          && !p.equals(stepDir)).toList()) {
        AtomicFiles.deleteTree(p);
      }
    } catch (IOException e) {
      LOG.warn("could not remove old checkpoints in {}: {}", dir, e.getMessage());
    }
  }

  /** Where a run starts: the checkpoint's step and the tokens and time spent reaching it. */
  private record Resumed(long step, long tokens, double wallSeconds) {
    static final Resumed FRESH = new Resumed(0, 0, 0);
  }

  private static Resumed resume(ModelSession model, Path dir, String runKey, float[] losses) {
    Path latest = dir.resolve("latest.json");
    if (!Files.isRegularFile(latest)) {
      return Resumed.FRESH;
    }
    JsonNode n;
    try {
      n = Json.STRICT.readTree(latest.toFile());
    } catch (IOException e) {
      throw new CpiftException(latest + " is unreadable (" + e.getMessage()
          + "); delete the checkpoint directory to start over");
    }
    if (!runKey.equals(n.path("run_key").asText())) {
      throw new CpiftException("checkpoint " + latest + " belongs to a run with other settings; "
          + "use a new output directory or delete " + dir + " to start over");
    }
    long step = n.path("step").asLong();
    if (step > losses.length) {
      throw new CpiftException("checkpoint " + latest + " is at step " + step
          + ", beyond this run's " + losses.length + " steps");
    }
    ParamSnapshot params;
    ParamSnapshot opt;
    try {
      Path stepDir = ContainedPath.resolve(dir, n.path("dir").asText(), latest + " field \"dir\"");
      params = Safetensors.read(stepDir.resolve("model.safetensors")).params();
      opt = Safetensors.read(stepDir.resolve("optimizer.safetensors")).params();
    } catch (CpiftException e) {
      // a damaged checkpoint costs the steps since the run began, not the run: set it aside
      Path aside = dir.resolveSibling(dir.getFileName() + ".damaged-" + System.currentTimeMillis());
      try {
        Files.move(dir, aside);
      } catch (IOException io) {
        throw new CpiftException("the checkpoint in " + dir + " is damaged (" + e.getMessage()
            + ") and cannot be moved aside (" + io.getMessage() + "); delete it and run again");
      }
      LOG.warn("the checkpoint in {} is damaged ({}); moved it to {} and training from step 0",
          dir, e.getMessage(), aside);
      return Resumed.FRESH;
    }
    model.loadParameters(params);
    model.loadOptimizerState(opt, step);
    JsonNode l = n.path("losses");
    for (int i = 0; i < l.size() && i < losses.length; i++) {
      losses[i] = (float) l.get(i).asDouble();
    }
    // checkpoints written before these were recorded count from the resume
    return new Resumed(step, n.path("tokens").asLong(0), n.path("wall_seconds").asDouble(0));
  }

  static String formatDuration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}
