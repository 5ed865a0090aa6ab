package org.cpift.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.model.ParamKind;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
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
    for (List<Param> group : groups.values()) {
      long d = 0;
      for (Param p : group) {
        d += p.size();
      }
      int k = (int) Math.floor(cfg.topPercent() / 100.0 * d);
      if (cfg.random()) {
        randomRegion(group, k, d, rnd, mask);
      } else {
        topK(group, k, mask);
      }
    }
    return new CoreRegion(task, mask, eligible);
  }

  /** Marks the k largest scores of {@code group}; ties go to the earlier position. */
  static void topK(List<Param> group, int k, ParamMask mask) {
    for (Param p : group) {
      mask.put(p.name(), new BitSet());
    }
    if (k == 0) {
      return;
    }
    int total = group.stream().mapToInt(Param::size).sum();
    float[] all = new float[total];
    int at = 0;
    for (Param p : group) {
      for (float v : p.data()) {
        if (Float.isNaN(v)) {
          throw new CpiftException("importance score of " + p.name() + " is NaN; the expert or "
              + "its gradients are not finite");
        }
      }
      System.arraycopy(p.data(), 0, all, at, p.size());
      at += p.size();
    }
    float[] sorted = all.clone();
    Arrays.sort(sorted);
    float threshold = sorted[total - k];
    int above = 0;
    for (float v : all) {
      if (v > threshold) {
        above++;
      }
    }
    int tiesToTake = k - above;
    for (Param p : group) {
      BitSet b = new BitSet(p.size());
      float[] s = p.data();
      for (int j = 0; j < s.length; j++) {
        if (s[j] > threshold) {
          b.set(j);
        } else if (s[j] == threshold && tiesToTake > 0) {
          b.set(j);
          tiesToTake--;
        }
      }
      mask.put(p.name(), b);
    }
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
