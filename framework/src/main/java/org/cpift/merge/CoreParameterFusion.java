package org.cpift.merge;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;

/**
 * Step 5 of CPI-FT: fuse the task models into one.
 * <ol>
 *   <li><b>Core transplant</b>: for j ∈ C_i, θfused_j = θi_j. An entry in several cores takes the
 *       value chosen by the {@link OverlapPolicy} (default: the owner whose |θi_j − θ0_j| is
 *       largest).</li>
 *   <li><b>SLERP of the rest</b>: the non-core entries of each tensor are combined across the task
 *       models with {@link Interpolation} (default: pairwise SLERP folded in stage order with equal
 *       weights), the angle measured over those entries only.</li>
 * </ol>
 * The ablation "no transplant" interpolates every entry, cores included.
 */
public final class CoreParameterFusion {
  /** Who decides the value of an entry that is core for several tasks. */
  public enum OverlapPolicy {
    /** the owner with the largest |θi − θ0| (ties: the earlier stage) */
    LARGER_DELTA,
    /** the owner in the latest stage */
    LATER_STAGE,
    /** the mean of the owners' values */
    AVERAGE
  }

  /**
   * Fusion options.
   *
   * @param transplant copy core entries from their owners (false: the "no transplant" ablation)
   * @param interpolation how non-core entries are combined
   * @param overlap policy for entries in several cores
   * @param colinear |cos| above which SLERP falls back to linear interpolation
   */
  public record Config(boolean transplant, Interpolation interpolation, OverlapPolicy overlap,
      double colinear) {
    public static Config paper() {
      return new Config(true, Interpolation.SLERP, OverlapPolicy.LARGER_DELTA, Slerp.COLINEAR);
    }

    public Config withTransplant(boolean t) {
      return new Config(t, interpolation, overlap, colinear);
    }

    public Config withInterpolation(Interpolation i) {
      return new Config(transplant, i, overlap, colinear);
    }

    public Config withOverlap(OverlapPolicy o) {
      return new Config(transplant, interpolation, o, colinear);
    }
  }

  private CoreParameterFusion() {}

  /**
   * Fuses {@code experts} (in stage order) whose core regions are {@code cores}; {@code base}
   * (θ0) decides overlaps under {@code LARGER_DELTA}.
   */
  public static ParamSnapshot fuse(ParamSnapshot base, List<ParamSnapshot> experts,
      List<ParamMask> cores, Config cfg) {
    if (experts.size() != cores.size() || experts.isEmpty()) {
      throw new IllegalArgumentException("need one core region per expert");
    }
    // tensors are independent: fuse them in parallel, keep the base's order
    List<Param> params = new ArrayList<>(base.params());
    Param[] fused = new Param[params.size()];
    IntStream.range(0, params.size()).parallel()
        .forEach(i -> fused[i] = fuseTensor(params.get(i), experts, cores, cfg));
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : fused) {
      out.put(p);
    }
    return out;
  }

  private static Param fuseTensor(Param p, List<ParamSnapshot> experts, List<ParamMask> cores,
      Config cfg) {
    List<float[]> xs = new ArrayList<>();
    experts.forEach(e -> xs.add(e.get(p.name()).data()));
    BitSet[] owned = new BitSet[cores.size()];
    BitSet anyCore = new BitSet(p.size());
    for (int i = 0; i < owned.length; i++) {
      owned[i] = cores.get(i).get(p.name());
      anyCore.or(owned[i]);
    }
    BitSet rest = null;
    if (cfg.transplant()) {
      rest = new BitSet(p.size());
      rest.set(0, p.size());
      rest.andNot(anyCore);
    }
    float[] out = cfg.interpolation().combine(xs, rest, cfg.colinear());
    if (cfg.transplant()) {
      float[] th0 = p.data();
      for (int j = anyCore.nextSetBit(0); j >= 0; j = anyCore.nextSetBit(j + 1)) {
        out[j] = transplanted(j, xs, owned, th0[j], cfg.overlap());
      }
    }
    return p.withData(out);
  }

  private static float transplanted(int j, List<float[]> xs, BitSet[] owned, float theta0,
      OverlapPolicy policy) {
    float value = 0;
    double best = -1;
    double sum = 0;
    int owners = 0;
    for (int i = 0; i < xs.size(); i++) {
      if (!owned[i].get(j)) {
        continue;
      }
      float v = xs.get(i)[j];
      owners++;
      sum += v;
      switch (policy) {
        case LARGER_DELTA -> {
          double d = Math.abs((double) v - theta0);
          if (d > best) {
            best = d;
            value = v;
          }
        }
        case LATER_STAGE -> value = v;
        case AVERAGE -> { }
        default -> throw new IllegalStateException();
      }
    }
    return policy == OverlapPolicy.AVERAGE ? (float) (sum / owners) : value;
  }
}
