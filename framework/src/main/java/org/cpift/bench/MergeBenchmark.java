package org.cpift.bench;

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
import org.cpift.model.ModelConfig;
import org.cpift.model.ParameterLayout;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;

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
  public record Result(long params, int models, double topPercent, double selectSeconds,
      double jaccardSeconds, double fuseSeconds, double fuseGbPerSecond) {}

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
    ParamSnapshot[] fused = new ParamSnapshot[1];
    double fuse = Timing.medianSeconds(warmup, repeats,
        () -> fused[0] = CoreParameterFusion.fuse(base, experts, cores,
            CoreParameterFusion.Config.paper()));
    long n = base.numElements();
    if (fused[0].numElements() != n) {
      throw new IllegalStateException("fused model has the wrong size");
    }
    return new Result(n, models, topPercent, select, overlap, fuse,
        (models + 1) * 4.0 * n / fuse / 1e9);
  }
}
