package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.cpift.train.Preset;
import org.cpift.train.TrainConfig;
import org.cpift.train.TrainRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpift train}: trains (or fine-tunes) a model on a JSONL file. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model from scratch (or fine-tune one with --init) on a JSONL file of "
        + "{\"prompt\", \"answer\"} records. Writes model.safetensors, tokenizer.json, losses.csv "
        + "and manifest.json into --out; a killed run resumes from --out/checkpoints.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  PresetOption presetOption = new PresetOption("tiny");

  @Option(names = "--data", required = true, description = "training JSONL file")
  Path data;

  @Option(names = "--val", description = "validation JSONL file (default: a sample of the training data)")
  Path val;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--init", description = "model directory to fine-tune from (default: fresh weights)")
  Path init;

  @Option(names = "--seed", defaultValue = "0", description = "seed of initialization and data order (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--steps", description = "optimizer steps (default: the preset's)")
  Integer steps;

  @Option(names = "--batch-size", description = "examples per step (default: the preset's)")
  Integer batchSize;

  @Option(names = "--lr", description = "peak learning rate (default: the preset's)")
  Float lr;

  @Option(names = "--warmup", description = "warm-up steps (default: the preset's)")
  Integer warmup;

  @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw or sgd (default: ${DEFAULT-VALUE})")
  String optimizer;

  @Option(names = "--weight-decay", description = "weight decay (default: 0.01 for adamw, 0 for sgd)")
  Float weightDecay;

  @Option(names = "--clip-norm", description = "global gradient-norm clip, 0 = off (default: 1)")
  Float clipNorm;

  @Option(names = "--norm", defaultValue = "layer", description = "layer or rms (default: ${DEFAULT-VALUE})")
  String norm;

  @Option(names = "--context", description = "context length in tokens (default: the preset's)")
  Integer context;

  @Option(names = "--eval-every", description = "evaluate every N steps (default: only at the end)")
  Integer evalEvery;

  @Option(names = "--checkpoint-every", description = "checkpoint every N steps (default: the preset's; 0 = no checkpoints: a killed run starts over)")
  Integer checkpointEvery;

  @Override
  public Integer call() {
    Preset p = presetOption.get();
    TrainConfig tc = p.training();
    OptimizerConfig oc = switch (optimizer.toLowerCase()) {
      case "adamw" -> OptimizerConfig.adamW();
      case "sgd" -> OptimizerConfig.sgd();
      default -> throw new IllegalArgumentException("--optimizer must be adamw or sgd, got " + optimizer);
    };
    if (weightDecay != null) {
      oc = oc.withWeightDecay(weightDecay);
    }
    if (clipNorm != null) {
      oc = oc.withClipNorm(clipNorm);
    }
    tc = tc.withOptimizer(oc);
    if (steps != null) {
      tc = tc.withSteps(steps);
    }
    if (batchSize != null) {
      tc = tc.withBatchSize(batchSize);
    }
    if (lr != null) {
      tc = tc.withLr(lr);
    }
    tc = CliChecks.warmup(tc, warmup, "--warmup");
    if (evalEvery != null) {
      tc = tc.withEvalEvery(evalEvery);
    }
    tc = tc.withCheckpointEvery(checkpointEvery != null ? checkpointEvery
        : tc.checkpointEvery() > 0 ? tc.checkpointEvery() : Math.max(1, tc.steps() / 4));
    ModelConfig mc = p.model(101).withNorm(switch (norm.toLowerCase()) {
      case "layer" -> ModelConfig.Norm.LAYER;
      case "rms" -> ModelConfig.Norm.RMS;
      default -> throw new IllegalArgumentException("--norm must be layer or rms, got " + norm);
    });
    if (context != null) {
      mc = mc.withContextLength(context);
    }
    TrainRun.run(new TrainRun.Spec(mc, tc, data, val, init, out, seed, false), "cpift train");
    return 0;
  }
}
