package org.cpift.merge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;

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
 * The ablation "no transplant" interpolates every entry, cores included. {@link Granularity} sets
 * what one interpolated vector is: a tensor (default), a row, or the whole model. {@link Anchor}
 * sets what is interpolated: the task models with one another (default), or, as the paper's
 * formula reads, each task model with the base, θ0 + Σ_i (SLERP(θ0, θi; ω) − θ0), the angle over
 * the tensor's non-core entries.
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

  /** Over which entries the interpolation measures its angle (docs/method.md, "SLERP granularity"). */
  public enum Granularity {
    /** each tensor's non-core entries are one vector (default) */
    PER_TENSOR,
    /**
     * each row (slice along the first axis) of a tensor is its own vector; 1-D tensors whole. The
     * weights here are stored [in, out], so a row is one input feature's fan-out (for the token
     * embedding, one token's vector)
     */
    PER_ROW,
    /** all non-core entries of the model are one vector: one angle, one set of weights */
    WHOLE_MODEL
  }

  /** What the non-core entries are interpolated between. */
  public enum Anchor {
    /** the task models with one another ({@link Interpolation}, equal weights; default) */
    EXPERTS,
    /**
     * each task model with the base at ω, the displacements summed: θ0 + Σ_i (SLERP(θ0, θi; ω) −
     * θ0) (the paper's SLERP(θ_base, θ_i, ω); how the tasks combine is not given)
     */
    BASE
  }

  /**
   * Fusion options.
   *
   * @param transplant copy core entries from their owners (false: the "no transplant" ablation)
   * @param interpolation how non-core entries are combined
   * @param overlap policy for entries in several cores
   * @param colinear |cos| above which SLERP falls back to linear interpolation
   * @param granularity the vectors the interpolation works on (null: {@code PER_TENSOR})
   * @param skip the "no fusion" ablation: CPI-FT's pipeline starts from the base model θ0 with
   *     its own budget (unlike DPI, which also takes the training baselines' budget)
   * @param anchor interpolate the task models with one another or each with the base
   * @param omega with {@code BASE}: the interpolation weight ω toward each task model
   * @param omegaGrid with {@code BASE}: the values of ω CPI-FT tries, each fused and trained
   *     through the pipeline, keeping the final model that scores best on the validation split
   *     (empty: ω as given; added after results were cached, keyed out while empty); with a
   *     grid, {@code omega} is set to 1 (unused)
   */
  public record Config(boolean transplant, Interpolation interpolation, OverlapPolicy overlap,
      double colinear, Granularity granularity, boolean skip, Anchor anchor, double omega,
      List<Double> omegaGrid) implements org.cpift.util.CacheKey.Evolving {
    public Config {
      omegaGrid = omegaGrid == null ? List.of() : List.copyOf(omegaGrid);
      granularity = granularity == null ? Granularity.PER_TENSOR : granularity;
      anchor = anchor == null ? Anchor.EXPERTS : anchor;
      if (!(colinear > 0 && colinear <= 1)) {
        throw new IllegalArgumentException("CoreParameterFusion: colinear must be in (0, 1]; got " + colinear);
      }
      if (!(omega > 0 && omega <= 1)) {
        throw new IllegalArgumentException("CoreParameterFusion: omega must be in (0, 1]; got " + omega);
      }
      if (anchor == Anchor.BASE && granularity != Granularity.PER_TENSOR) {
        throw new IllegalArgumentException("CoreParameterFusion: anchor base interpolates per tensor; "
            + "the SLERP granularity must be per-tensor, not " + granularity.name().toLowerCase()
                .replace('_', '-'));
      }
      if (!omegaGrid.isEmpty()) {
        if (anchor != Anchor.BASE) {
          throw new IllegalArgumentException("CoreParameterFusion: omegaGrid is tried only with "
              + "the base anchor; add --fusion-anchor base or drop the grid");
        }
        if (skip) {
          throw new IllegalArgumentException("CoreParameterFusion: omegaGrid chooses a fusion, "
              + "and --no-fusion has none; drop one of the two");
        }
        if (omegaGrid.size() < 2) {
          throw new IllegalArgumentException("CoreParameterFusion: omegaGrid needs at least two "
              + "values to choose from; got " + omegaGrid + " (for one ω, give --omega)");
        }
        for (double w : omegaGrid) {
          if (!(w > 0 && w <= 1)) {
            throw new IllegalArgumentException("CoreParameterFusion: omegaGrid values must be "
                + "in (0, 1]; got " + w);
          }
        }
        if (omegaGrid.stream().distinct().count() != omegaGrid.size()) {
          throw new IllegalArgumentException("CoreParameterFusion: omegaGrid repeats a value: "
              + omegaGrid);
        }
        // ω itself is not used when a grid chooses it: one value in the key
        omega = 1.0;
      }
    }

    @Override
    public java.util.Map<String, Object> addedWithDefaults() {
      return java.util.Map.of("omegaGrid", List.of());
    }

    /** Whether ω is chosen on validation from {@link #omegaGrid}. */
    public boolean omegaOnValidation() {
      return !omegaGrid.isEmpty();
    }

    /** With the base anchor: try every ω of {@code grid}, keep the best on validation. */
    public Config withOmegaGrid(List<Double> grid) {
      return new Config(transplant, interpolation, overlap, colinear, granularity, skip, anchor,
          omega, grid);
    }

    public static Config paper() {
      return new Config(true, Interpolation.SLERP, OverlapPolicy.LARGER_DELTA, Slerp.COLINEAR,
          Granularity.PER_TENSOR, false, Anchor.EXPERTS, 1.0, List.of());
    }

    public Config withAnchor(Anchor a, double w) {
      return new Config(transplant, interpolation, overlap, colinear, granularity, skip, a, w, omegaGrid);
    }

    public Config withColinear(double eps) {
      return new Config(transplant, interpolation, overlap, eps, granularity, skip, anchor, omega, omegaGrid);
    }

    public Config withTransplant(boolean t) {
      return new Config(t, interpolation, overlap, colinear, granularity, skip, anchor, omega, omegaGrid);
    }

    public Config withInterpolation(Interpolation i) {
      return new Config(transplant, i, overlap, colinear, granularity, skip, anchor, omega, omegaGrid);
    }

    public Config withOverlap(OverlapPolicy o) {
      return new Config(transplant, interpolation, o, colinear, granularity, skip, anchor, omega, omegaGrid);
    }

    public Config withGranularity(Granularity g) {
      return new Config(transplant, interpolation, overlap, colinear, g, skip, anchor, omega, omegaGrid);
    }

    public Config withSkip(boolean s) {
      return new Config(transplant, interpolation, overlap, colinear, granularity, s, anchor, omega, omegaGrid);
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
    List<Param> params = new ArrayList<>(base.params());
    Param[] fused = new Param[params.size()];
    if (cfg.granularity() == Granularity.WHOLE_MODEL) {
      fuseWholeModel(params, experts, cores, cfg, fused);
    } else {
      // tensors are independent: fuse them in parallel, keep the base's order
      IntStream.range(0, params.size()).parallel()
          .forEach(i -> fused[i] = fuseTensor(params.get(i), experts, cores, cfg));
    }
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : fused) {
      out.put(p);
    }
    return out;
  }

  /**
   * As {@link #fuse}, for models read tensor by tensor from files and a result written tensor by
   * tensor to {@code out} (atomically): the same tensors bit for bit, with only one tensor of each
   * model in memory at a time, so models larger than the heap fuse.
   *
   * @throws IllegalArgumentException for whole-model granularity (one vector of the whole model)
   */
  public static void fuseStreaming(Safetensors.Lazy base, List<Safetensors.Lazy> experts,
      List<ParamMask> cores, Config cfg, Path out) {
    if (experts.size() != cores.size() || experts.isEmpty()) {
      throw new IllegalArgumentException("need one core region per expert");
    }
    if (cfg.granularity() == Granularity.WHOLE_MODEL) {
      throw new IllegalArgumentException("fusion from files interpolates per tensor or per row; "
          + "whole-model granularity needs the whole model in memory");
    }
    try (Safetensors.Writer w = Safetensors.create(out, shapes(base), base.metadata())) {
      for (String n : base.names()) {
        Param p = base.tensor(n);
        List<ParamSnapshot> one = new ArrayList<>();
        for (Safetensors.Lazy e : experts) {
          Param x = e.tensor(n);
          if (!java.util.Arrays.equals(x.shape(), p.shape())) {
            throw new org.cpift.util.CpiftException("tensor " + n + " has shape "
                + java.util.Arrays.toString(x.shape()) + " in an expert but "
                + java.util.Arrays.toString(p.shape()) + " in the base");
          }
          one.add(new ParamSnapshot().put(x));
        }
        w.write(fuseTensor(p, one, cores, cfg));
      }
      w.commit();
    }
  }

  /** The file's tensor names and shapes, in order: a writer's layout. */
  private static java.util.Map<String, long[]> shapes(Safetensors.Lazy file) {
    java.util.Map<String, long[]> out = new java.util.LinkedHashMap<>();
    for (String n : file.names()) {
      out.put(n, file.shape(n));
    }
    return out;
  }

  /** The non-core entries of every tensor interpolated as one vector, then cores transplanted. */
  private static void fuseWholeModel(List<Param> params, List<ParamSnapshot> experts,
      List<ParamMask> cores, Config cfg, Param[] fused) {
    long total = 0;
    for (Param p : params) {
      total += p.size();
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("whole-model interpolation needs one array of " + total
          + " entries; use per-tensor or per-row granularity for a model this large");
    }
    int n = (int) total;
    List<float[]> xs = new ArrayList<>();
    for (ParamSnapshot e : experts) {
      float[] flat = new float[n];
      int at = 0;
      for (Param p : params) {
        System.arraycopy(e.get(p.name()).data(), 0, flat, at, p.size());
        at += p.size();
      }
      xs.add(flat);
    }
    Owners[] owners = new Owners[params.size()];
    BitSet rest = null;
    if (cfg.transplant()) {
      rest = new BitSet(n);
      int at = 0;
      for (int i = 0; i < params.size(); i++) {
        Param p = params.get(i);
        owners[i] = Owners.of(p, cores);
        BitSet any = owners[i].any();
        for (int j = any.nextClearBit(0); j < p.size(); j = any.nextClearBit(j + 1)) {
          rest.set(at + j);
        }
        at += p.size();
      }
    }
    float[] out = cfg.interpolation().combine(xs, rest, cfg.colinear());
    int at = 0;
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      float[] mine = java.util.Arrays.copyOfRange(out, at, at + p.size());
      at += p.size();
      if (cfg.transplant()) {
        transplant(p, mine, tensors(p, experts), owners[i], cfg.overlap());
      }
      fused[i] = p.withData(mine);
    }
  }

  /** Which expert owns which entry of one tensor, and the union of their cores. */
  private record Owners(BitSet[] owned, BitSet any) {
    static Owners of(Param p, List<ParamMask> cores) {
      BitSet[] owned = new BitSet[cores.size()];
      BitSet any = new BitSet(p.size());
      for (int i = 0; i < owned.length; i++) {
        owned[i] = cores.get(i).get(p.name());
        any.or(owned[i]);
      }
      return new Owners(owned, any);
    }
  }

  private static List<float[]> tensors(Param p, List<ParamSnapshot> experts) {
    List<float[]> xs = new ArrayList<>();
    experts.forEach(e -> xs.add(e.get(p.name()).data()));
    return xs;
  }

  private static Param fuseTensor(Param p, List<ParamSnapshot> experts, List<ParamMask> cores,
      Config cfg) {
    List<float[]> xs = tensors(p, experts);
    Owners owners = cfg.transplant() ? Owners.of(p, cores) : null;
    BitSet rest = null;
    if (owners != null) {
      rest = new BitSet(p.size());
      rest.set(0, p.size());
      rest.andNot(owners.any());
    }
    long[] shape = p.shape();
    float[] out;
    if (cfg.anchor() == Anchor.BASE) {
      out = baseAnchored(p.data(), xs, rest, cfg);
    } else if (cfg.granularity() == Granularity.PER_ROW && shape.length >= 2 && shape[0] > 1) {
      out = perRow(xs, rest, (int) shape[0], cfg);
    } else {
      // the core entries are transplanted in the interpolation's own pass
      Interpolation.Fill fill = owners == null ? null
          : transplanted(p, xs, owners, cfg.overlap());
      return p.withData(cfg.interpolation().combine(xs, rest, cfg.colinear(), fill));
    }
    if (owners != null) {
      transplant(p, out, xs, owners, cfg.overlap());
    }
    return p.withData(out);
  }

  /**
   * θ0 + Σ_i (SLERP(θ0, θi; ω) − θ0) over the entries of {@code rest} (all when null); the other
   * entries keep θ0 (they are transplanted afterwards).
   */
  static float[] baseAnchored(float[] base, List<float[]> xs, BitSet rest, Config cfg) {
    double[] acc = new double[base.length];
    for (int j = 0; j < base.length; j++) {
      acc[j] = base[j];
    }
    for (float[] x : xs) {
      float[] s = Slerp.slerp(base, x, cfg.omega(), rest, cfg.colinear());
      for (int j = 0; j < base.length; j++) {
        acc[j] += (double) s[j] - base[j];
      }
    }
    float[] out = new float[base.length];
    for (int j = 0; j < base.length; j++) {
      out[j] = (float) acc[j];
    }
    return out;
  }

  /** Each row (a slice along the first axis) interpolated as its own vector. */
  private static float[] perRow(List<float[]> xs, BitSet rest, int rows, Config cfg) {
    int n = xs.get(0).length;
    int len = n / rows;
    float[] out = new float[n];
    for (int r = 0; r < rows; r++) {
      int from = r * len;
      List<float[]> slices = new ArrayList<>();
      for (float[] x : xs) {
        slices.add(java.util.Arrays.copyOfRange(x, from, from + len));
      }
      BitSet sub = rest == null ? null : rest.get(from, from + len);
      System.arraycopy(cfg.interpolation().combine(slices, sub, cfg.colinear()), 0, out, from, len);
    }
    return out;
  }

  /** Writes the core entries of {@code out} from their owners. */
  private static void transplant(Param p, float[] out, List<float[]> xs, Owners owners,
      OverlapPolicy policy) {
    Interpolation.Fill fill = transplanted(p, xs, owners, policy);
    BitSet any = owners.any();
    for (int j = any.nextSetBit(0); j >= 0; j = any.nextSetBit(j + 1)) {
      out[j] = fill.value(j);
    }
  }

  /**
   * Each core entry's transplanted value: its owners' values combined by {@code policy} (the bit
   * sets read word by word; a BitSet.get per model per entry was most of the fusion's time once
   * the SLERP passes were vectorized).
   */
  private static Interpolation.Fill transplanted(Param p, List<float[]> xs, Owners owners,
      OverlapPolicy policy) {
    float[] th0 = p.data();
    float[][] x = xs.toArray(new float[0][]);
    // every owner's words to the tensor's last entry (a BitSet's array stops at its last set bit)
    long[][] owned = new long[x.length][];
    for (int i = 0; i < x.length; i++) {
      owned[i] = java.util.Arrays.copyOf(owners.owned()[i].toLongArray(), (p.size() + 63) >>> 6);
    }
    return switch (policy) {
      case LARGER_DELTA -> j -> largerDelta(j, x, owned, th0[j]);
      case LATER_STAGE -> j -> laterStage(j, x, owned);
      case AVERAGE -> j -> average(j, x, owned);
    };
  }

  /** Entry j's owner whose value is farthest from θ0 (the first of equals). */
  private static float largerDelta(int j, float[][] xs, long[][] owned, float theta0) {
    int word = j >>> 6;
    float value = 0;
    double best = -1;
    for (int i = 0; i < xs.length; i++) {
      if ((owned[i][word] >>> j & 1) != 0) {
        float v = xs[i][j];
        double d = Math.abs((double) v - theta0);
        if (d > best) {
          best = d;
          value = v;
        }
      }
    }
    return value;
  }

  /** Entry j's last owner's value (stage order). */
  private static float laterStage(int j, float[][] xs, long[][] owned) {
    int word = j >>> 6;
    for (int i = xs.length - 1; i >= 0; i--) {
      if ((owned[i][word] >>> j & 1) != 0) {
        return xs[i][j];
      }
    }
    return 0;
  }

  /** The mean of entry j's owners' values. */
  private static float average(int j, float[][] xs, long[][] owned) {
    int word = j >>> 6;
    double sum = 0;
    int owners = 0;
    for (int i = 0; i < xs.length; i++) {
      if ((owned[i][word] >>> j & 1) != 0) {
        sum += xs[i][j];
        owners++;
      }
    }
    return (float) (sum / owners);
  }
}
