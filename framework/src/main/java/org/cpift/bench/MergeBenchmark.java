package org.cpift.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.core.CoreConfig;
import org.cpift.core.CoreOverlap;
import org.cpift.core.CoreRegion;
import org.cpift.core.CoreRegionSelection;
import org.cpift.core.ImportanceScore;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.merge.FoldKernels;
import org.cpift.model.ModelConfig;
import org.cpift.model.ParameterLayout;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;

/**
 * Times CPI-FT's host-side steps on {@code k} task models of a given layout: top-p core selection
 * (|Δθ| scores and the global top-p of each model), the Jaccard matrix of the k regions, and the
 * fusion (core transplant plus SLERP of the rest folded over the k models, the paper's defaults).
 * Weights are random (base ~ U(−0.05, 0.05), task models = base + U(−0.001, 0.001)); the work does
 * not depend on the values. Fusion throughput counts the minimum memory traffic, k models read and
 * one written: {@code (k + 1)·4·N} bytes.
 */
public final class MergeBenchmark {
  private MergeBenchmark() {}

  /** Median seconds of each step and the fusion throughput. */
  /**
   * Median seconds of each step and the fusion throughput; {@code fuseFirstSeconds} is the first
   * (cold) fusion of the process, {@code fuseScalarSeconds} the fusion with the SLERP fold's scalar
   * loops timed in turn with it (NaN when the Vector API loops are off, and then
   * {@code fuseSeconds} is the scalar fusion).
   */
  public record Result(long params, int models, double topPercent, double selectSeconds,
      double jaccardSeconds, double fuseSeconds, double fuseGbPerSecond, double fuseFirstSeconds,
      double fuseScalarSeconds, double floorSeconds) {}

  /**
   * The fusion's traffic floor: the k models summed into a new model, tensors in parallel as the
   * fusion runs them, so k models are read and one is written once, with no other work; timed in
   * turn with the fusion, it is the peer a fusion time is read against on a shared machine.
   */
  static ParamSnapshot sum(ParamSnapshot base, List<ParamSnapshot> models) {
    List<Param> params = new ArrayList<>(base.params());
    Param[] out = new Param[params.size()];
    java.util.stream.IntStream.range(0, params.size()).parallel().forEach(i -> {
      Param p = params.get(i);
      float[][] x = new float[models.size()][];
      for (int m = 0; m < x.length; m++) {
        x[m] = models.get(m).get(p.name()).data();
      }
      float[] acc = new float[p.size()];
      // block by block, the block of the sum staying in cache: each model read once, acc written once
      for (int from = 0; from < acc.length; from += 2048) {
        int to = Math.min(acc.length, from + 2048);
        System.arraycopy(x[0], from, acc, from, to - from);
        for (int m = 1; m < x.length; m++) {
          float[] xm = x[m];
          for (int j = from; j < to; j++) {
            acc[j] += xm[j];
          }
        }
      }
      out[i] = p.withData(acc);
    });
    ParamSnapshot s = new ParamSnapshot();
    for (Param p : out) {
      s.put(p);
    }
    return s;
  }

  public static Result run(ModelConfig layout, int models, double topPercent, int warmup,
      int repeats, long seed) {
    if (models < 2) {
      throw new IllegalArgumentException("need at least 2 models to merge");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    ParamSnapshot base = new ParamSnapshot();
    for (Map.Entry<String, long[]> e : ParameterLayout.of(layout).entrySet()) {
      float[] v = new float[Math.toIntExact(Param.numElements(e.getValue()))];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) rnd.nextDouble(-0.05, 0.05);
      }
      base.put(new Param(e.getKey(), e.getValue(), v));
    }
    List<ParamSnapshot> experts = new ArrayList<>();
    for (int i = 0; i < models; i++) {
      ParamSnapshot x = new ParamSnapshot();
      for (Param p : base.params()) {
        float[] v = p.data().clone();
        for (int j = 0; j < v.length; j++) {
          v[j] += (float) rnd.nextDouble(-0.001, 0.001);
        }
        x.put(p.withData(v));
      }
      experts.add(x);
    }
    CoreConfig cfg = CoreConfig.paper().withTopPercent(topPercent);
    List<CoreRegion> regions = new ArrayList<>();
    double select = Timing.medianSeconds(warmup, repeats, () -> {
      regions.clear();
      for (int i = 0; i < models; i++) {
        ParamSnapshot scores = ImportanceScore.ABS_DELTA.compute(base, experts.get(i), null, 0f);
        regions.add(CoreRegionSelection.select("t" + i, scores, cfg, seed));
      }
    });
    double[][][] jaccard = new double[1][][];
    double overlap = Timing.medianSeconds(warmup, repeats,
        () -> jaccard[0] = CoreOverlap.matrix(regions));
    if (jaccard[0].length != models) {
      throw new IllegalStateException("Jaccard matrix has the wrong size");
    }
    List<ParamMask> cores = new ArrayList<>();
    regions.forEach(r -> cores.add(r.mask()));
    CoreParameterFusion.Config paper = CoreParameterFusion.Config.paper();
    ParamSnapshot[] fused = new ParamSnapshot[2];
    Timing.Body vector = () -> fused[0] = CoreParameterFusion.fuse(base, experts, cores, paper);
    Timing.Body scalar = () -> {
      boolean was = FoldKernels.vector();
      FoldKernels.useVector(false);
      try {
        fused[1] = CoreParameterFusion.fuse(base, experts, cores, paper);
      } finally {
        FoldKernels.useVector(was);
      }
    };
    Timing.Body floor = () -> sum(base, experts);
    double fuse;
    double fuseFirst;
    double fuseScalar = Double.NaN;
    double floorSeconds;
    if (FoldKernels.vector()) {
      // the Vector API loops, the scalar ones and the floor in turn, so all see the same machine;
      // two warm-up rounds: the first switch between the loops deoptimizes code the JIT compiled
      // for one of them, and the recompiled code is only timed from the second round on
      Timing.Interleaved both = Timing.interleaved(Math.max(2, warmup), repeats, vector, scalar,
          floor);
      fuse = both.median()[0];
      fuseFirst = both.first()[0];
      fuseScalar = both.median()[1];
      floorSeconds = both.median()[2];
      if (!sameBits(fused[0], fused[1])) {
        throw new IllegalStateException("the Vector API fold and the scalar fold disagree");
      }
    } else {
      Timing.Interleaved one = Timing.interleaved(Math.max(1, warmup), repeats, vector, floor);
      fuse = one.median()[0];
      fuseFirst = one.first()[0];
      floorSeconds = one.median()[1];
    }
    long n = base.numElements();
    if (fused[0].numElements() != n) {
      throw new IllegalStateException("fused model has the wrong size");
    }
    return new Result(n, models, topPercent, select, overlap, fuse,
        (models + 1) * 4.0 * n / fuse / 1e9, fuseFirst, fuseScalar, floorSeconds);
  }

  /** Seconds of each step from files, the bytes on disk, and the process's peak memory after. */
  public record FileResult(long params, int models, double writeSeconds, double selectSeconds,
      double jaccardSeconds, double fuseSeconds, long fileBytes, double peakMb) {}

  /**
   * CPI-FT's host steps on {@code models} task models of {@code layout} kept in safetensors files
   * under {@code dir} (written here tensor by tensor, random as in {@link #run}), each step reading
   * them tensor by tensor: selection ({@link CoreRegionSelection#selectStreaming}), the Jaccard
   * matrix of the masks, and fusion ({@link CoreParameterFusion#fuseStreaming}) into a file. One
   * timing per step (a model this size is not re-run). The files are deleted afterwards.
   */
  public static FileResult runFromFiles(ModelConfig layout, int models, double topPercent,
      Path dir, long seed) {
    Map<String, long[]> shapes = ParameterLayout.of(layout);
    long n = 0;
    for (long[] sh : shapes.values()) {
      n += Param.numElements(sh);
    }
    List<Path> files = new ArrayList<>();
    try {
      long t0 = System.nanoTime();
      Path base = dir.resolve("base.safetensors");
      files.add(base);
      writeRandom(base, shapes, null, seed);
      List<Path> experts = new ArrayList<>();
      for (int i = 0; i < models; i++) {
        Path e = dir.resolve("expert" + i + ".safetensors");
        files.add(e);
        writeRandom(e, shapes, base, seed + 1 + i);
        experts.add(e);
      }
      double write = (System.nanoTime() - t0) / 1e9;
      CoreConfig cfg = CoreConfig.paper().withTopPercent(topPercent);
      List<CoreRegion> regions = new ArrayList<>();
      t0 = System.nanoTime();
      try (Safetensors.Lazy b = Safetensors.open(base)) {
        for (int i = 0; i < models; i++) {
          try (Safetensors.Lazy e = Safetensors.open(experts.get(i))) {
            regions.add(CoreRegionSelection.selectStreaming("t" + i, b, e, cfg));
          }
        }
      }
      double select = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      double[][] jaccard = CoreOverlap.matrix(regions);
      double overlap = (System.nanoTime() - t0) / 1e9;
      if (jaccard.length != models) {
        throw new IllegalStateException("Jaccard matrix has the wrong size");
      }
      List<ParamMask> cores = new ArrayList<>();
      regions.forEach(r -> cores.add(r.mask()));
      Path out = dir.resolve("fused.safetensors");
      files.add(out);
      t0 = System.nanoTime();
      List<Safetensors.Lazy> open = new ArrayList<>();
      try (Safetensors.Lazy b = Safetensors.open(base)) {
        experts.forEach(e -> open.add(Safetensors.open(e)));
        CoreParameterFusion.fuseStreaming(b, open, cores, CoreParameterFusion.Config.paper(), out);
      } finally {
        open.forEach(Safetensors.Lazy::close);
      }
      double fuse = (System.nanoTime() - t0) / 1e9;
      long bytes = 0;
      for (Path f : files) {
        bytes += java.nio.file.Files.size(f);
      }
      return new FileResult(n, models, write, select, overlap, fuse, bytes,
          ProcessMemory.peakMb());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      for (Path f : files) {
        try {
          java.nio.file.Files.deleteIfExists(f);
        } catch (java.io.IOException ignored) {
          // a benchmark's scratch file; the directory is the caller's
        }
      }
    }
  }

  /** A file of random tensors: U(−0.05, 0.05), or {@code around}'s + U(−0.001, 0.001). */
  private static void writeRandom(Path file, Map<String, long[]> shapes, Path around, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    try (Safetensors.Writer w = Safetensors.create(file, shapes, Map.of());
        Safetensors.Lazy a = around == null ? null : Safetensors.open(around)) {
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        float[] v = a == null ? new float[Math.toIntExact(Param.numElements(e.getValue()))]
            : a.tensor(e.getKey()).data();
        for (int j = 0; j < v.length; j++) {
          v[j] = a == null ? (float) rnd.nextDouble(-0.05, 0.05)
              : v[j] + (float) rnd.nextDouble(-0.001, 0.001);
        }
        w.write(new Param(e.getKey(), e.getValue(), v));
      }
      w.commit();
    }
  }

  private static boolean sameBits(ParamSnapshot a, ParamSnapshot b) {
    for (Param p : a.params()) {
      if (!java.util.Arrays.equals(p.data(), b.get(p.name()).data())) {
        return false;
      }
    }
    return true;
  }
}
