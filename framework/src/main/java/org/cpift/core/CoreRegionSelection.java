package org.cpift.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.cpift.model.ParamKind;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.CpiftException;

/**
 * Step 2 of CPI-FT: the core region of task i is the top p% of entries by importance score,
 * <pre>  C_i = TopK_{k = ⌊p·D⌋}( s_ij ),  s_ij = |θi_j − θ0_j|  </pre>
 * ranked over the whole flattened model (global scope, the paper's formula), per tensor or per
 * layer. Exactly ⌊p·D⌋ entries are chosen per ranking group; ties are broken by position (the
 * variable's order in the model, then the entry's index), so the choice is deterministic.
 */
public final class CoreRegionSelection {
  private CoreRegionSelection() {}

  /** Selects the core region of {@code task} from its scores. */
  public static CoreRegion select(String task, ParamSnapshot scores, CoreConfig cfg, long seed) {
    Map<String, List<Param>> groups = new LinkedHashMap<>();
    long eligible = 0;
    for (Param p : scores.params()) {
      ParamKind kind = ParamKind.ofName(p.name());
      if (cfg.excludeEmbeddingsAndNorms() && (kind.isEmbedding() || kind == ParamKind.NORM)) {
        continue;
      }
      String key = switch (cfg.scope()) {
        case GLOBAL -> "";
        case PER_TENSOR -> p.name();
        case PER_LAYER -> p.name().contains("/") ? p.name().substring(0, p.name().indexOf('/'))
            : p.name();
      };
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
      eligible += p.size();
    }
    ParamMask mask = new ParamMask();
    SplittableRandom rnd = new SplittableRandom(seed);
    long unchanged = 0;
    for (List<Param> group : groups.values()) {
      long d = 0;
      for (Param p : group) {
        d += p.size();
      }
      int k = (int) Math.floor(cfg.topPercent() / 100.0 * d);
      if (cfg.random()) {
        randomRegion(group, k, d, rnd, mask);
      } else {
        unchanged += topK(group, k, mask);
      }
    }
    warnUnchanged(task, unchanged, mask.cardinality(), cfg);
    return new CoreRegion(task, mask, eligible);
  }

  /**
   * Says when a core had to take entries of score 0 to fill its p%: an expert that changed fewer
   * entries than that in a ranking group (a LoRA expert's untargeted tensors, a diff-pruned
   * expert's pruned entries, in the per-tensor or per-layer scope) gets those entries by
   * position, the same for every task, which inflates the overlap between tasks' cores.
   */
  private static void warnUnchanged(String task, long unchanged, long total, CoreConfig cfg) {
    if (unchanged > 0) {
      org.slf4j.LoggerFactory.getLogger(CoreRegionSelection.class).warn(
          "the core of {}: {} of its {} entries score 0 (under |Δ|: entries the expert did "
              + "not change), taken by position to fill {}% of a ranking group (scope {}), the "
              + "same for every task, which inflates the cores' overlap; an expert that changed "
              + "fewer entries than that (a LoRA expert's untargeted tensors, a diff-pruned "
              + "expert keeping less than --top-p) needs a smaller --top-p, the global scope, "
              + "or more kept entries", task, unchanged, total, cfg.topPercent(),
          cfg.scope().toString().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }
  }

  /**
   * As {@link #select} with |θi − θ0| scores, for models read tensor by tensor from files (a model
   * larger than the heap): the same region bit for bit, in the global scope by three passes over
   * the files (the two halves of the radix select's histogram, then the marking, ties to the
   * earlier position), in the per-tensor scope one tensor at a time. Only the mask is held.
   *
   * @throws IllegalArgumentException for the per-layer scope or random regions
   */
  public static CoreRegion selectStreaming(String task, Safetensors.Lazy base,
      Safetensors.Lazy expert, CoreConfig cfg) {
    if (cfg.random() || cfg.scope() == CoreConfig.Scope.PER_LAYER
        || cfg.score() != ImportanceScore.ABS_DELTA && cfg.score() != ImportanceScore.DIFF_PRUNING) {
      throw new IllegalArgumentException("selection from files supports the global and "
          + "per-tensor scopes of |delta| top-p regions; got " + cfg);
    }
    if (!expert.names().equals(base.names())) {
      throw new CpiftException("the expert's tensors " + expert.names() + " are not the base's "
          + base.names() + " in the same order");
    }
    List<String> names = new ArrayList<>();
    long d = 0;
    for (String n : base.names()) {
      ParamKind kind = ParamKind.ofName(n);
      if (cfg.excludeEmbeddingsAndNorms() && (kind.isEmbedding() || kind == ParamKind.NORM)) {
        continue;
      }
      names.add(n);
      d += Param.numElements(base.shape(n));
    }
    ParamMask mask = new ParamMask();
    if (cfg.scope() == CoreConfig.Scope.PER_TENSOR) {
      long unchanged = 0;
      for (String n : names) {
        Param sc = absDelta(base, expert, n);
        unchanged += topK(List.of(sc), (int) Math.floor(cfg.topPercent() / 100.0 * sc.size()),
            mask);
      }
      warnUnchanged(task, unchanged, mask.cardinality(), cfg);
      return new CoreRegion(task, mask, d);
    }
    long k = (long) Math.floor(cfg.topPercent() / 100.0 * d);
    names.forEach(n -> mask.put(n, new BitSet()));
    if (k == 0) {
      return new CoreRegion(task, mask, d);
    }
    Threshold t = threshold(() -> names.stream().map(n -> absDelta(base, expert, n).data())
        .iterator(), k);
    long[] tiesToTake = {k - t.above()};
    for (String n : names) {
      mask.put(n, mark(absDelta(base, expert, n).data(), t.value(), tiesToTake));
    }
    warnUnchanged(task, t.zeroFilled(k), k, cfg);
    return new CoreRegion(task, mask, d);
  }

  /** |θi − θ0| of one tensor read from the files (as {@link ImportanceScore#ABS_DELTA}). */
  private static Param absDelta(Safetensors.Lazy base, Safetensors.Lazy expert, String name) {
    Param b = base.tensor(name);
    Param e = expert.tensor(name);
    if (!Arrays.equals(b.shape(), e.shape())) {
      throw new CpiftException("tensor " + name + " has shape " + Arrays.toString(e.shape())
          + " in the expert but " + Arrays.toString(b.shape()) + " in the base");
    }
    float[] th0 = b.data();
    float[] th = e.data();
    float[] s = new float[th.length];
    for (int j = 0; j < s.length; j++) {
      s[j] = Math.abs(th[j] - th0[j]);
      if (Float.isNaN(s[j])) {
        throw new CpiftException("importance score of " + name + " is NaN; the expert or base "
            + "is not finite");
      }
    }
    return new Param(name, b.shape(), s);
  }

  /**
   * Marks the k largest scores of {@code group}; ties go to the earlier position. Returns how
   * many of the marked scores are 0 (scores are ≥ 0: entries marked only to fill k).
   */
  static long topK(List<Param> group, long k, ParamMask mask) {
    for (Param p : group) {
      mask.put(p.name(), new BitSet());
    }
    if (k == 0) {
      return 0;
    }
    for (Param p : group) {
      for (float v : p.data()) {
        if (Float.isNaN(v)) {
          throw new CpiftException("importance score of " + p.name() + " is NaN; the expert or "
              + "its gradients are not finite");
        }
      }
    }
    // the tensors are ranked where they lie: no concatenated copy of the group (at 100 M
    // parameters that copy was 400 MB per model, and the garbage collector's work grew with it)
    Threshold t = threshold(() -> group.stream().map(Param::data).iterator(), k);
    long[] tiesToTake = {k - t.above()};
    for (Param p : group) {
      mask.put(p.name(), mark(p.data(), t.value(), tiesToTake));
    }
    return t.zeroFilled(k);
  }

  /**
   * The entries of {@code s} above {@code threshold}, and those equal to it while
   * {@code tiesToTake[0]} lasts (decremented for each one taken: ties go to the earlier position).
   */
  private static BitSet mark(float[] s, float threshold, long[] tiesToTake) {
    BitSet b = new BitSet(s.length);
    for (int j = 0; j < s.length; j++) {
      if (s[j] > threshold) {
        b.set(j);
      } else if (s[j] == threshold && tiesToTake[0] > 0) {
        b.set(j);
        tiesToTake[0]--;
      }
    }
    return b;
  }

  /**
   * The k-th largest value of a group of arrays in the order of {@link Float#compare}, and how
   * many values are {@code >} it as floats compare (so -0 does not count above +0 there).
   */
  record Threshold(float value, long above) {
    /** Of the k entries marked at this threshold, how many score 0 (taken only to fill k). */
    long zeroFilled(long k) {
      return value == 0 ? k - above : 0;
    }
  }

  /**
   * The k-th largest value (1 ≤ k ≤ the total length) of arrays supplied anew for each of two
   * passes (tensors in memory, or computed from files tensor by tensor), found by a radix select
   * on the values' 16-bit halves: linear time, no sorted copy.
   */
  static Threshold threshold(Supplier<Iterator<float[]>> parts, long k) {
    long[] hist = new long[1 << 16];
    long total = 0;
    for (Iterator<float[]> it = parts.get(); it.hasNext(); ) {
      float[] part = it.next();
      total += part.length;
      for (float x : part) {
        hist[key(x) >>> 16]++;
      }
    }
    if (k < 1 || k > total) {
      throw new IllegalArgumentException("k = " + k + " outside 1.." + total);
    }
    int high = 0xffff;
    long need = k;
    long above = 0;
    while (hist[high] < need) {
      need -= hist[high];
      above += hist[high--];
    }
    Arrays.fill(hist, 0);
    // a threshold of -0 has every +0 above it in the radix order but not as floats compare
    boolean countPlusZeros = high == key(-0f) >>> 16;
    long plusZeros = 0;
    for (Iterator<float[]> it = parts.get(); it.hasNext(); ) {
      for (float x : it.next()) {
        int u = key(x);
        if (u >>> 16 == high) {
          hist[u & 0xffff]++;
        } else if (countPlusZeros && u == key(0f)) {
          plusZeros++;
        }
      }
    }
    int low = 0xffff;
    while (hist[low] < need) {
      need -= hist[low];
      above += hist[low--];
    }
    float value = fromKey((high << 16) | low);
    return new Threshold(value, Float.floatToRawIntBits(value) == Float.floatToRawIntBits(-0f)
        ? above - plusZeros : above);
  }

  /** The float whose {@link #key} is {@code u}. */
  private static float fromKey(int u) {
    int bits = u ^ 0x80000000; // back to the signed key
    return Float.intBitsToFloat(bits ^ ((bits >> 31) & 0x7fffffff));
  }

  /** A key whose unsigned order is the order of {@link Float#compare} (NaN excluded). */
  private static int key(float x) {
    int b = Float.floatToIntBits(x);
    return (b ^ ((b >> 31) & 0x7fffffff)) ^ 0x80000000;
  }

  /** Ablation: k entries of the group drawn uniformly without replacement. */
  static void randomRegion(List<Param> group, int k, long d, SplittableRandom rnd, ParamMask mask) {
    BitSet chosen = new BitSet((int) d);
    // Floyd's algorithm: k distinct positions in [0, d)
    for (long j = d - k; j < d; j++) {
      int t = rnd.nextInt((int) j + 1);
      chosen.set(chosen.get(t) ? (int) j : t);
    }
    int offset = 0;
    for (Param p : group) {
      mask.put(p.name(), chosen.get(offset, offset + p.size()));
      offset += p.size();
    }
  }
}
