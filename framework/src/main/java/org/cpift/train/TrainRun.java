package org.cpift.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.data.CharTokenizer;
import org.cpift.data.Tokenizer;
import org.cpift.data.EncodedExample;
import org.cpift.data.JsonlReader;
import org.cpift.data.SftRecord;
import org.cpift.model.ModelConfig;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One supervised training run from files to files: reads a JSONL training set (and optionally a
 * validation set), builds or loads the model, trains it, and writes {@code model.safetensors},
 * {@code tokenizer.json}, {@code losses.csv} and {@code manifest.json} into the output directory.
 * A run killed part-way resumes from {@code <out>/checkpoints/} when started again with the same
 * settings.
 */
public final class TrainRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

  private TrainRun() {}

  /**
   * What to run.
   *
   * @param model model shape (ignored when {@code init} is given: the checkpoint's shape is used)
   * @param training training hyperparameters (its seed is replaced by one split from {@code seed})
   * @param data training JSONL file
   * @param validation validation JSONL file, or null to evaluate on a sample of the training data
   * @param init directory of a model to start from, or null to initialize from {@code seed}
   * @param out output directory
   * @param seed the run's seed: model initialization and data order are split from it
   * @param pack pretraining: the records' answers are documents, packed into context-sized
   *     chunks with loss on every token ({@link org.cpift.data.Packing})
   * @param mixIn with {@code pack}: a prompt/answer JSONL file whose records join the packed
   *     chunks as supervised examples (loss on the answer), or null
   * @param tokenizer without {@code init}: a Hugging Face {@code tokenizer.json} (or its
   *     directory) the new model reads and writes text with; null: the character tokenizer
   */
  public record Spec(ModelConfig model, TrainConfig training, Path data, Path validation, Path init,
      Path out, long seed, boolean pack, Path mixIn, Path tokenizer) {
    public Spec {
      if (data == null || out == null || training == null || (model == null && init == null)) {
        throw new IllegalArgumentException("TrainRun.Spec: data, out, training and a model or init "
            + "are required");
      }
      if (mixIn != null && !pack) {
        throw new IllegalArgumentException("TrainRun.Spec: a mixed-in supervised set needs packed "
            + "documents");
      }
      if (tokenizer != null && init != null) {
        throw new IllegalArgumentException("TrainRun.Spec: a model started from init keeps its "
            + "own tokenizer; give a tokenizer only for a model made from the seed");
      }
    }

    public Spec(ModelConfig model, TrainConfig training, Path data, Path validation, Path init,
        Path out, long seed, boolean pack, Path mixIn) {
      this(model, training, data, validation, init, out, seed, pack, mixIn, null);
    }

    public Spec(ModelConfig model, TrainConfig training, Path data, Path validation, Path init,
        Path out, long seed, boolean pack) {
      this(model, training, data, validation, init, out, seed, pack, null, null);
    }
  }

  /** Runs {@code spec}; returns the training result (the manifest is on disk). */
  public static Trainer.Result run(Spec spec, String command) {
    RunManifest manifest = new RunManifest(command);
    SplittableRandom root = new SplittableRandom(spec.seed());
    long initSeed = root.split().nextLong();
    long dataSeed = root.split().nextLong();
    TrainConfig tc = spec.training().withSeed(dataSeed);

    ModelCheckpoint base = spec.init() == null ? null : ModelCheckpoint.load(spec.init());
    Tokenizer tok = base != null ? base.tokenizer() : spec.tokenizer() != null
        ? org.cpift.data.HfTokenizer.load(spec.tokenizer()) : CharTokenizer.standard();
    ModelConfig mc = base != null ? base.config() : spec.model().withVocabSize(tok.vocabSize());
    if (base == null) {
      // a model made here: its context is the user's option, checked before anything is read
      org.cpift.model.MemoryEstimate.check(mc, tc.batchSize(), "the context length or the batch size");
    }

    if (spec.data().getParent() != null) {
      org.cpift.util.Checksums.verify(spec.data().getParent());
    }
    List<SftRecord> trainRecords = JsonlReader.read(spec.data());
    if (spec.pack()) {
      trainRecords = org.cpift.data.Packing.pack(
          trainRecords.stream().map(SftRecord::answer).toList(), mc.contextLength() - 2);
      manifest.put("packed_chunks", trainRecords.size());
      if (spec.mixIn() != null) {
        if (spec.mixIn().getParent() != null) {
          org.cpift.util.Checksums.verify(spec.mixIn().getParent());
        }
        List<SftRecord> mixed = JsonlReader.read(spec.mixIn());
        manifest.addData("mixed_in", spec.mixIn(), mixed.size());
        List<SftRecord> all = new java.util.ArrayList<>(trainRecords);
        all.addAll(mixed);
        trainRecords = all;
      }
    }
    List<EncodedExample> train = EncodedExample.encodeAll(trainRecords, tok, mc.contextLength(),
        spec.data().toString());
    manifest.addData("train", spec.data(), trainRecords.size());
    manifest.put("objective", spec.pack() ? "language modelling on packed documents (pretraining)"
        + (spec.mixIn() != null ? ", mixed with supervised examples (loss on their answers)" : "")
        : "SFT: cross-entropy on answer tokens");
    List<EncodedExample> val;
    if (spec.pack()) {
      val = List.of(); // pretraining: the training loss is the figure; no answer to match
      manifest.put("eval_on", "none (pretraining)");
    } else if (spec.validation() != null) {
      List<SftRecord> v = JsonlReader.read(spec.validation());
      val = EncodedExample.encodeAll(v, tok, mc.contextLength(), spec.validation().toString());
      manifest.addData("validation", spec.validation(), v.size());
      manifest.put("eval_on", "validation");
    } else {
      val = train.subList(0, Math.min(train.size(), tc.evalExamples()));
      manifest.put("eval_on", "training sample (no validation data given)");
    }
    if (base != null) {
      // a base's context can be far longer than any example (32,768 positions for a Qwen2
      // config); batches are padded to their longest example, so that bounds a step
      int longest = 1;
      for (EncodedExample e : train) {
        longest = Math.max(longest, e.tokens().length - 1);
      }
      org.cpift.model.MemoryEstimate.check(mc.withContextLength(Math.max(2, Math.min(
          mc.contextLength(), longest))), tc.batchSize(), "the batch size or the examples' length");
    }
    long truncated = train.stream().filter(EncodedExample::promptTruncated).count();
    if (truncated > 0) {
      LOG.warn("{} of {} training prompts were cut from the left to fit the context of {} tokens",
          truncated, train.size(), mc.contextLength());
    }
    String initHash = spec.init() == null ? "none"
        : ModelCheckpoint.digest(spec.init());
    Map<String, Object> keyParts = new LinkedHashMap<>();
    keyParts.put("model", mc);
    keyParts.put("training", tc);
    keyParts.put("data", Hashing.sha256(spec.data()));
    keyParts.put("init", initHash);
    keyParts.put("seed", spec.seed());
    keyParts.put("pack", spec.pack());
    if (spec.mixIn() != null) {
      keyParts.put("mix_in", Hashing.sha256(spec.mixIn()));
    }
    String runKey = Hashing.sha256(Json.write(keyParts));

    manifest.put("seed", spec.seed()).put("init_seed", initSeed).put("data_seed", dataSeed)
        .put("model_config", mc).put("train_config", tc).put("parameters", mc.numParams())
        .put("init", spec.init() == null ? null : Map.of("path", spec.init().toString(),
            "sha256", initHash)).put("run_key", runKey);
    LOG.info("training {} parameters ({} layers, d={}) on {} examples for {} steps",
        mc.numParams(), mc.nLayers(), mc.dModel(), train.size(), tc.steps());

    try {
      Files.createDirectories(spec.out());
    } catch (IOException e) {
      throw new CpiftException("cannot create output directory " + spec.out() + ": " + e.getMessage());
    }
    Trainer.Result result;
    try (ModelSession m = ModelSession.create(mc, tc.optimizer(), initSeed)) {
      if (base != null) {
        m.loadParameters(base.params());
      }
      result = Trainer.train(m, tok, train, val, tc, spec.out().resolve("checkpoints"), runKey);
      new ModelCheckpoint(mc, m.parameters(), tok).save(spec.out());
    }
    StringBuilder csv = new StringBuilder("step,loss\n");
    for (int i = 0; i < result.losses().length; i++) {
      csv.append(i + 1).append(',').append(result.losses()[i]).append('\n');
    }
    AtomicFiles.writeString(spec.out().resolve("losses.csv"), csv.toString());
    manifest.put("initial_loss", result.initialLoss()).put("final_loss", result.finalLoss())
        .put("steps", tc.steps()).put("tokens", result.tokens())
        .put("train_wall_seconds", result.wallSeconds())
        .put("resumed_from_step", result.resumedFromStep());
    if (result.eval() != null) {
      manifest.put("eval", Map.of("answer_loss", result.eval().answerLoss(),
          "exact_match", result.eval().exactMatch(), "examples", result.eval().examples()));
    }
    manifest.write(spec.out().resolve("manifest.json"));
    LOG.info(String.format("done: loss %.4f -> %.4f in %.1f s; wrote %s", result.initialLoss(),
        result.finalLoss(), result.wallSeconds(), spec.out()));
    return result;
  }
}
