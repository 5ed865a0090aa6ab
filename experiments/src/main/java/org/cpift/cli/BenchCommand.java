package org.cpift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.cpift.bench.BenchTable;
import org.cpift.bench.CopyBandwidth;
import org.cpift.bench.GenerationBenchmark;
import org.cpift.bench.MatMulPeak;
import org.cpift.bench.MergeBenchmark;
import org.cpift.bench.PrecisionBenchmark;
import org.cpift.experiments.ExperimentRun;
import org.cpift.experiments.Experiments;
import org.cpift.model.ModelConfig;
import org.cpift.task.Suite;
import org.cpift.train.ModelCheckpoint;
import org.cpift.train.Preset;
import org.cpift.train.StepBenchmark;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cpift bench}: performance figures against a peer measured in the same run (PyTorch for
 * the training step, numpy for merging) and against this machine's own limits (a large MatMul
 * through TensorFlow, a memory copy). Prints one table; {@code --csv} writes it. Nothing is
 * asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Performance benchmarks: MatMul peak, training step (S1, S2) vs a PyTorch peer, "
        + "greedy generation, merging (selection, Jaccard, SLERP fusion) vs copy bandwidth and a "
        + "numpy peer, end-to-end main-results cold and warm. Prints a table; --csv writes it. "
        + "Nothing is asserted.",
    subcommands = {BenchCommand.Step.class})
final class BenchCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);
  static final List<String> SECTIONS = List.of("matmul", "step", "generate", "merge",
      "merge-files", "e2e");

  @Option(names = "--only", split = ",", description = "sections to run, of "
      + "matmul, step, generate, merge, merge-files, e2e (default: all)")
  List<String> only;

  @Option(names = "--lora-rank", defaultValue = "8", description = "the step section also times "
      + "LoRA training (adapters on wq and wv, and on every matrix) at this rank; 0: not "
      + "(default: ${DEFAULT-VALUE})")
  int loraRank;

  @Option(names = "--step-shapes", split = ",", defaultValue = "S1,S2", description = "shapes "
      + "of the step section: S1, S2, tiny, small (the presets' models, batch 32, T 128), 20m, "
      + "100m (for the scaling curve; give them in increasing size: peak memory is the "
      + "process's so far) "
      + "(default: ${DEFAULT-VALUE})")
  List<String> stepShapes;

  @Option(names = "--csv", description = "also write the table to this CSV file")
  Path csv;

  @Option(names = "--repeats", defaultValue = "10", description = "timed repeats per figure "
      + "(median reported; default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--no-peer", description = "skip the PyTorch and numpy peers")
  boolean noPeer;

  @Option(names = "--matmul-size", defaultValue = "2048", description = "(default: ${DEFAULT-VALUE})")
  int matmulSize;

  @Option(names = "--merge-file-sizes", split = ",", defaultValue = "small,20m,100m",
      description = "model sizes of the merge-files section (selection, Jaccard and fusion read "
          + "from files tensor by tensor): small, 20m, 100m, 1b (1b writes 24 GB of files)")
  List<String> mergeFileSizes;

  @Option(names = "--merge-dir", description = "where merge-files writes its scratch models "
      + "(default: the system's temporary directory)")
  Path mergeDir;

  @Option(names = "--merge-sizes", split = ",", defaultValue = "small,100m",
      description = "model sizes for the merging benchmark (in memory): small (the preset, 1.8 M), "
          + "20m (d=512, 6 layers), 100m (d=1024, 8 layers, 101 M parameters; needs about 6 GB of "
          + "heap), 1b (needs far more than 24 GB: use merge-files) (default: ${DEFAULT-VALUE})")
  List<String> mergeSizes;

  @Option(names = "--generate-preset", defaultValue = "small", description = "base model used for "
      + "generation (default: ${DEFAULT-VALUE})")
  String generatePreset;

  @Option(names = "--generate-answers", defaultValue = "200", description = "(default: ${DEFAULT-VALUE})")
  int generateAnswers;

  @Option(names = "--e2e-presets", split = ",", defaultValue = "tiny", description = "presets for the "
      + "end-to-end main-results benchmark (small takes hours cold) (default: ${DEFAULT-VALUE})")
  List<String> e2ePresets;

  @Option(names = "--e2e-seeds", split = ",", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
  List<Long> e2eSeeds;

  @Option(names = "--suite", description = "suite directory (default: the preset's, benchmarks-data/suite-v1 for tiny, suite-v2 for small and paper)")
  Path suite;

  /** The step benchmark's two shapes of the issue. */
  static ModelConfig shape(String name) {
    return switch (name.toUpperCase()) {
      case "S1" -> new ModelConfig(96, 128, 4, 4, 64, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      case "S2" -> new ModelConfig(96, 256, 4, 4, 128, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      // the presets' models at their fine-tuning batch, on sequences of 128 tokens, and two
      // larger ones for the scaling curve
      case "TINY" -> ModelConfig.tiny(101).withContextLength(128);
      case "SMALL" -> ModelConfig.small(101).withContextLength(128);
      case "20M" -> new ModelConfig(101, 512, 6, 8, 128, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      case "100M" -> new ModelConfig(101, 1024, 8, 16, 128, 4, ModelConfig.Norm.LAYER, 1e-5f,
          0.02f);
      default -> throw new IllegalArgumentException("--step-shapes takes S1, S2, tiny, small, "
          + "20m, 100m; got " + name);
    };
  }

  static int shapeBatch(String name) {
    return switch (name.toUpperCase()) {
      case "S1", "TINY", "SMALL" -> 32;
      case "100M" -> 8;
      default -> 16;
    };
  }

  /** The model layouts of the merging benchmark. */
  static ModelConfig mergeLayout(String size) {
    return switch (size.toLowerCase()) {
      case "small" -> ModelConfig.small(101);
      case "20m" -> new ModelConfig(101, 512, 6, 8, 256, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      case "100m" -> new ModelConfig(101, 1024, 8, 16, 256, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      case "1b" -> new ModelConfig(101, 2048, 20, 16, 256, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
      default -> throw new IllegalArgumentException("--merge-sizes and --merge-file-sizes take "
          + "small, 20m, 100m or 1b; got " + size);
    };
  }

  @Override
  public Integer call() {
    if (loraRank < 0) {
      throw new IllegalArgumentException("--lora-rank must be >= 0 (0: no LoRA timing), got "
          + loraRank);
    }
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be >= 1");
    }
    Set<String> run = Set.copyOf(only == null ? SECTIONS : only);
    for (String s : run) {
      if (!SECTIONS.contains(s)) {
        throw new IllegalArgumentException("--only: unknown section '" + s + "'; use " + SECTIONS);
      }
    }
    mergeSizes.forEach(BenchCommand::mergeLayout);
    mergeFileSizes.forEach(BenchCommand::mergeLayout);
    stepShapes.forEach(BenchCommand::shape);
    e2ePresets.forEach(Preset::parse);
    BenchTable t = new BenchTable();
    int cores = Runtime.getRuntime().availableProcessors();
    String machine = cores + " cores, " + System.getProperty("os.arch");
    double peak = Double.NaN;
    if (run.contains("matmul") || run.contains("step")) {
      LOG.info("bench: MatMul peak ({}x{} float32)", matmulSize, matmulSize);
      MatMulPeak.Result m = MatMulPeak.run(matmulSize, 2, repeats);
      peak = m.gflops();
      t.add("matmul", matmulSize + "x" + matmulSize, "ms", m.medianSeconds() * 1e3, "ms", machine);
      t.add("matmul", matmulSize + "x" + matmulSize, "gflops", m.gflops(), "GFLOP/s",
          "2n^3 FLOPs; TensorFlow, same thread pool as the model");
    }
    if (run.contains("matmul")) {
      // mixed precision, measured not used: bfloat16 products (casts included) against float32
      // at the square size and at the small model's step shapes (B·T = 4096 rows, d 192, MLP
      // 768), float32's repeats timed before bfloat16's
      int n = matmulSize;
      for (int[] mkn : List.of(new int[] {n, n, n}, new int[] {4096, 192, 768},
          new int[] {4096, 768, 192}, new int[] {4096, 192, 192})) {
        String c = mkn[0] + "x" + mkn[1] + "x" + mkn[2];
        LOG.info("bench: MatMul {} float32 and bfloat16", c);
        double f32 = MatMulPeak.product(mkn[0], mkn[1], mkn[2], false, 2, repeats);
        double bf16 = MatMulPeak.product(mkn[0], mkn[1], mkn[2], true, 2, repeats);
        t.add("matmul-bf16", c, "f32_ms", f32 * 1e3, "ms", "");
        t.add("matmul-bf16", c, "bf16_ms", bf16 * 1e3, "ms", "inputs cast to bfloat16 and the "
            + "product back to float32 in the graph, the casts timed");
        t.add("matmul-bf16", c, "f32_over_bf16", f32 / bf16, "ratio", "> 1: bfloat16 faster");
      }
      // and the whole forward and backward pass of the small model built in bfloat16 (no casts
      // at all: the most a lower precision could buy), in alternating rounds against float32
      ModelConfig small = shape("small");
      for (int round = 1; round <= 3; round++) {
        LOG.info("bench: forward and backward of the small model, float32 and bfloat16, round {}",
            round);
        double f32 = PrecisionBenchmark.forwardBackward(small, TFloat32.class, 32, 128, 2,
            repeats);
        double bf16 = PrecisionBenchmark.forwardBackward(small, TBfloat16.class, 32, 128, 2,
            repeats);
        String c = "small B32 T128 round " + round;
        t.add("fwd-bwd-bf16", c, "f32_ms", f32 * 1e3, "ms", "loss and every gradient, no update");
        t.add("fwd-bwd-bf16", c, "bf16_ms", bf16 * 1e3, "ms", "the whole graph in bfloat16");
        t.add("fwd-bwd-bf16", c, "f32_over_bf16", f32 / bf16, "ratio", "> 1: bfloat16 faster");
      }
    }
    if (run.contains("step")) {
      for (String s : stepShapes) {
        ModelConfig mc = shape(s);
        int b = shapeBatch(s);
        LOG.info("bench: training step {}", s);
        StepBenchmark.Result r = StepBenchmark.run(mc, b, mc.contextLength(), 3, repeats, 1);
        String c = s + " d" + mc.dModel() + " T" + mc.contextLength() + " B" + b;
        t.add("step", c, "ms_per_step", r.medianMs(), "ms", "masked AdamW, median of " + repeats);
        t.add("step", c, "tokens_per_s", r.tokensPerSecond(), "tok/s", "");
        t.add("step", c, "gflops", r.gflops(), "GFLOP/s", "6N + 12LTd per token");
        t.add("step", c, "share_of_matmul_peak", r.gflops() / peak, "ratio", "");
        t.add("step", c, "params", (double) mc.numParams(), "params", "");
        t.add("step", c, "peak_rss_mb", org.cpift.bench.ProcessMemory.peakMb(), "MB",
            "the process's peak resident memory so far (JVM and TensorFlow)");
        if (loraRank > 0) {
          // LoRA against full fine-tuning of the same shape, in the same run
          for (List<String> targets : List.of(List.of("wq", "wv"),
              List.of("wq", "wk", "wv", "wo", "w1", "w2"))) {
            org.cpift.model.Lora lora = new org.cpift.model.Lora(loraRank, 2.0 * loraRank,
                targets);
            StepBenchmark.Result lr = StepBenchmark.run(mc, b, mc.contextLength(), 3, repeats, 1,
                lora);
            String what = "lora r" + loraRank + " " + String.join(",", lora.targets());
            t.add("step", c, what + " ms_per_step", lr.medianMs(), "ms", "adapters only");
            t.add("step", c, what + " full_over_lora", r.medianMs() / lr.medianMs(), "ratio",
                "full fine-tuning's step ÷ LoRA's, same run");
            long trainable = lora.parameters(org.cpift.model.ParameterLayout.of(mc));
            t.add("step", c, what + " trainable_params", (double) trainable, "params", "of "
                + mc.numParams());
            t.add("step", c, what + " adam_state_mb", trainable * 8 / 1e6, "MB",
                "2 floats per trainable parameter; full fine-tuning: "
                + String.format(java.util.Locale.ROOT, "%.1f MB", mc.numParams() * 8 / 1e6));
          }
        }
        if (!noPeer) {
          Double peer = Peer.step(mc, b, mc.contextLength(), 3, repeats);
          if (peer != null) {
            t.add("step", c, "peer_ms_per_step", peer, "ms", "PyTorch, same shape and threads");
            t.add("step", c, "peer_over_ours", peer / r.medianMs(), "ratio", "goal >= 3");
          }
        }
      }
    }
    if (run.contains("generate")) {
      Path dir = Preset.parse(generatePreset).baseDir(Preset.DATA_ROOT);
      LOG.info("bench: greedy generation with {}", dir);
      ModelCheckpoint ckpt = ModelCheckpoint.load(dir);
      var task = Suite.load(suite != null ? suite : Preset.parse(generatePreset).suiteDir(Preset.DATA_ROOT)).task("math");
      GenerationBenchmark.Result g = GenerationBenchmark.run(ckpt, task, generateAnswers, 64);
      String c = generatePreset + " base, math test, batch 64";
      t.add("generate", c, "answers_per_s", g.answersPerSecond(), "1/s", g.answers() + " answers");
      t.add("generate", c, "tokens_per_s", g.tokensPerSecond(), "tok/s", g.generatedTokens()
          + " tokens generated");
      t.add("generate", c, "recompute_s", g.recomputeSeconds(), "s",
          "no cache: every token recomputes its prefix");
      t.add("generate", c, "recompute_over_cached", g.recomputeSeconds() / g.seconds(), "ratio",
          g.disagreements() + " answers differ");
    }
    if (run.contains("merge")) {
      CopyBandwidth.Result one = CopyBandwidth.run(64 << 20, 2, repeats, 1);
      CopyBandwidth.Result all = CopyBandwidth.run(64 << 20, 2, repeats, cores);
      t.add("merge", "copy 256 MB", "gb_per_s_1_thread", one.gbPerSecond(), "GB/s", "arraycopy, read+write");
      t.add("merge", "copy 256 MB", "gb_per_s_all_cores", all.gbPerSecond(), "GB/s", cores + " threads");
      for (String size : mergeSizes) {
        ModelConfig layout = mergeLayout(size);
        LOG.info("bench: merging 5 models of {} parameters", layout.numParams());
        int reps = size.equals("100m") ? Math.min(repeats, 3) : repeats;
        MergeBenchmark.Result r = MergeBenchmark.run(layout, 5, 1.0, 1, reps, 1);
        String c = size + " (" + r.params() + " params), 5 models, top 1%";
        t.add("merge", c, "select_s", r.selectSeconds(), "s", "|delta| + global top-p, 5 models");
        t.add("merge", c, "jaccard_s", r.jaccardSeconds(), "s", "5x5 matrix");
        t.add("merge", c, "fuse_s", r.fuseSeconds(), "s", "transplant + SLERP fold");
        t.add("merge", c, "fuse_gb_per_s", r.fuseGbPerSecond(), "GB/s", "(k+1)*4N bytes");
        t.add("merge", c, "fuse_share_of_copy", r.fuseGbPerSecond() / all.gbPerSecond(), "ratio",
            "goal >= 0.25");
        t.add("merge", c, "fuse_floor_s", r.floorSeconds(), "s", "the k models summed into a "
            + "new one (k read, 1 written, nothing else), timed in turn with the fusion");
        t.add("merge", c, "fuse_floor_over_fuse", r.floorSeconds() / r.fuseSeconds(), "ratio",
            "the fusion's speed as a share of its traffic floor, same run");
        t.add("merge", c, "fuse_first_s", r.fuseFirstSeconds(), "s",
            "the process's first fusion (JIT compilation included)");
        if (!Double.isNaN(r.fuseScalarSeconds())) {
          t.add("merge", c, "fuse_scalar_s", r.fuseScalarSeconds(), "s",
              "the fold's scalar loops, timed in turn (same bits)");
          t.add("merge", c, "fuse_scalar_over_vector", r.fuseScalarSeconds() / r.fuseSeconds(),
              "ratio", "Vector API speed-up, same run");
        }
        double peakMb = org.cpift.bench.ProcessMemory.peakMb();
        t.add("merge", c, "process_peak_mb", peakMb, "MB", "VmHWM after this size (in memory; "
            + "sizes run in the order given)");
        t.add("merge", c, "peak_bytes_per_param", peakMb * 1e6 / r.params(), "B",
            "process peak / parameters");
        if (!noPeer) {
          JsonNode p = Peer.merge(layout, 5, 1.0, 1, reps);
          if (p != null) {
            double[] oursByStep = {r.selectSeconds(), r.jaccardSeconds(), r.fuseSeconds()};
            List<String> steps = List.of("select", "jaccard", "fuse");
            for (int k = 0; k < steps.size(); k++) {
              String step = steps.get(k);
              double ps = p.get(step + "_s").asDouble();
              double ours = oursByStep[k];
              t.add("merge", c, "peer_" + step + "_s", ps, "s", "numpy");
              t.add("merge", c, "peer_over_ours_" + step, ps / ours, "ratio",
                  step.equals("fuse") ? "goal >= 2" : "");
            }
          }
        }
      }
    }
    if (run.contains("merge-files")) {
      Path scratch = mergeDir != null ? mergeDir : Path.of(System.getProperty("java.io.tmpdir"));
      for (String size : mergeFileSizes) {
        ModelConfig layout = mergeLayout(size);
        LOG.info("bench: merging 5 models of {} parameters from files in {}", layout.numParams(),
            scratch);
        Path d;
        try {
          java.nio.file.Files.createDirectories(scratch);
          d = java.nio.file.Files.createTempDirectory(scratch, "cpift-merge-");
        } catch (java.io.IOException e) {
          throw new IllegalArgumentException("--merge-dir " + scratch + ": " + e.getMessage());
        }
        MergeBenchmark.FileResult r = MergeBenchmark.runFromFiles(layout, 5, 1.0, d, 1);
        d.toFile().delete();
        String c = size + " (" + r.params() + " params), 5 models from files, top 1%";
        t.add("merge-files", c, "write_s", r.writeSeconds(), "s", "base + 5 models written");
        t.add("merge-files", c, "select_s", r.selectSeconds(), "s", "3 passes per model");
        t.add("merge-files", c, "jaccard_s", r.jaccardSeconds(), "s", "5x5 matrix");
        t.add("merge-files", c, "fuse_s", r.fuseSeconds(), "s", "read 6, write 1, tensor by tensor");
        t.add("merge-files", c, "fuse_gb_per_s", (r.models() + 1) * 4.0 * r.params()
            / r.fuseSeconds() / 1e9, "GB/s", "(k+1)*4N bytes");
        t.add("merge-files", c, "file_gb", r.fileBytes() / 1e9, "GB", "on disk");
        t.add("merge-files", c, "process_peak_mb", r.peakMb(), "MB", "VmHWM after this size "
            + "(sizes run in the order given)");
        t.add("merge-files", c, "peak_bytes_per_param", r.peakMb() * 1e6 / r.params(), "B",
            "process peak / parameters");
      }
    }
    if (run.contains("e2e")) {
      for (String preset : e2ePresets) {
        endToEnd(t, Preset.parse(preset));
      }
    }
    System.out.println();
    t.print(System.out);
    if (csv != null) {
      t.writeCsv(csv);
      System.out.println("wrote " + csv);
    }
    return 0;
  }

  /** main-results twice into a fresh run directory: cold (nothing cached), then warm. */
  private void endToEnd(BenchTable t, Preset p) {
    Path tmp;
    try {
      tmp = Files.createTempDirectory("cpift-bench-e2e");
    } catch (java.io.IOException e) {
      throw new CpiftException("cannot create a temporary run directory: " + e.getMessage());
    }
    var paths = new ExperimentRun.Paths(p.baseDir(Preset.DATA_ROOT), suite != null ? suite : p.suiteDir(Preset.DATA_ROOT),
        tmp.resolve("run"), tmp.resolve("report"));
    String c = "main-results " + p.id() + " seeds " + e2eSeeds;
    double[] sec = new double[2];
    for (int i = 0; i < 2; i++) {
      LOG.info("bench: end to end, {} ({})", c, i == 0 ? "cold" : "warm");
      long t0 = System.nanoTime();
      ExperimentRun.run(Experiments.get("main-results"), p, e2eSeeds, paths, "cpift bench e2e");
      sec[i] = (System.nanoTime() - t0) / 1e9;
    }
    t.add("e2e", c, "cold_s", sec[0], "s", "empty run directory");
    t.add("e2e", c, "warm_s", sec[1], "s", "every cell cached");
    t.add("e2e", c, "cold_over_warm", sec[0] / sec[1], "ratio", "goal >= 10");
    deleteQuietly(tmp);
  }

  private static void deleteQuietly(Path dir) {
    try {
      AtomicFiles.deleteTree(dir);
    } catch (java.io.IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }

  /** {@code cpift bench step}: the full training step alone. */
  @Command(name = "step", mixinStandardHelpOptions = true,
      description = "Time the full training step (forward, backward, masked AdamW) and print "
          + "ms/step, tokens/s and GFLOP/s.")
  static final class Step implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "tiny", description = "tiny, small or paper (paper: for a GPU, no base shipped) (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--batch-size", description = "(default: 32, or the shape's)")
    Integer batch;

    @Option(names = "--length", description = "sequence length (default: the preset's context)")
    Integer length;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--repeats", defaultValue = "20", description = "timed steps (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--shape", description = "instead of a preset: S1 (d=128, 4 layers, 4 heads, "
        + "T=64, B=32, V=96) or S2 (d=256, 4 layers, 4 heads, T=128, B=16, V=96)")
    String shape;

    @Option(names = "--profile", defaultValue = "0", description = "also trace this many steps "
        + "and print where the step's time goes, per op type, with the matmuls' own GFLOP/s "
        + "against this machine's MatMul peak measured in the same run (default: off)")
    int profile;

    @Option(names = "--peer", description = "also time the same step in PyTorch "
        + "(benchmarks/peer/gpt_step.py with /usr/bin/python3) and print the ratio")
    boolean peer;

    @Override
    public Integer call() {
      ModelConfig mc = Preset.parse(preset).model(101);
      if (shape != null) {
        mc = shape(shape);
      }
      int batch = this.batch != null ? this.batch : shape != null ? shapeBatch(shape) : 32;
      if (batch < 1 || warmup < 0 || repeats < 1 || profile < 0) {
        throw new IllegalArgumentException("--batch-size and --repeats must be >= 1, --warmup "
            + "and --profile >= 0");
      }
      int t = length != null ? length : mc.contextLength();
      if (t < 1 || t > mc.contextLength()) {
        throw new IllegalArgumentException("--length must be in 1.." + mc.contextLength());
      }
      StepBenchmark.Result r = StepBenchmark.run(mc, batch, t, warmup, repeats, 1);
      System.out.printf("%-8s %10s %6s %6s %10s %10s %12s %9s%n", "model", "params", "batch",
          "length", "ms/step", "min ms", "tokens/s", "GFLOP/s");
      System.out.printf("%-8s %10d %6d %6d %10.2f %10.2f %12.0f %9.1f%n", shape != null ? shape : preset, r.params(),
          r.batch(), r.length(), r.medianMs(), r.minMs(), r.tokensPerSecond(), r.gflops());
      System.out.printf("(median of %d steps after %d warm-up; %d cores; FLOPs = 6·N + 12·L·T·d per token)%n",
          repeats, warmup, Runtime.getRuntime().availableProcessors());
      if (profile > 0) {
        MatMulPeak.Result peak = MatMulPeak.run(2048, 2, 5);
        StepBenchmark.Profile p = StepBenchmark.profile(mc, batch, t, warmup, profile, 1);
        System.out.printf("%nWhere the step's time goes (%d traced steps; op time per step, summed "
            + "over ops that may overlap: %.1f ms; traced wall time %.1f ms):%n", profile,
            p.opMsPerStep(), p.wallMsPerStep());
        System.out.printf("%-28s %10s %7s%n", "op type", "ms/step", "share");
        for (StepBenchmark.OpTime o : p.ops()) {
          if (o.share() >= 0.005) {
            System.out.printf("%-28s %10.2f %6.1f%%%n", o.type(), o.msPerStep(), 100 * o.share());
          }
        }
        System.out.printf("%n%-28s %10s %7s%n", "name scope", "ms/step", "share");
        for (StepBenchmark.OpTime o : p.scopes()) {
          if (o.share() >= 0.005) {
            System.out.printf("%-28s %10.2f %6.1f%%%n", o.type(), o.msPerStep(), 100 * o.share());
          }
        }
        if (p.matmulShare() == 0) {
          System.out.println("matmul ops: none visible (compiled into XLA clusters?)");
        } else {
          System.out.printf("matmul ops: %.1f%% of op time; the model's FLOPs over their time: %.1f "
              + "GFLOP/s = %.2f of this run's MatMul peak (%.1f GFLOP/s, 2048², TensorFlow)%n",
              100 * p.matmulShare(), p.matmulGflops(), p.matmulGflops() / peak.gflops(),
              peak.gflops());
        }
      }
      if (peer) {
        Double peerMs = Peer.step(mc, batch, t, warmup, repeats);
        if (peerMs != null) {
          System.out.printf("PyTorch peer: %.2f ms/step; peer time / our time = %.2f%n", peerMs,
              peerMs / r.medianMs());
        }
      }
      return 0;
    }
  }
}
