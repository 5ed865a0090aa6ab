package org.cpift.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreRegionTest {
  static ParamSnapshot scores() {
    return new ParamSnapshot(List.of(
        new Param("wte", new long[] {4}, new float[] {9, 0, 0, 0}),
        new Param("h0/attn/wq", new long[] {2, 3}, new float[] {1, 5, 5, 2, 5, 0}),
        new Param("h0/ln1/g", new long[] {2}, new float[] {8, 0}),
        new Param("h1/mlp/w1", new long[] {8}, new float[] {3, 3, 3, 3, 0, 0, 0, 7})));
  }

  @Test
  void topKCountsTheUnchangedEntriesItTakesToFillK() {
    // two changed entries and a tensor the expert never touched (a LoRA expert's untargeted
    // tensor): k = 4 takes both changed entries and two unchanged ones by position
    List<Param> group = List.of(new Param("a", new long[] {3}, new float[] {0.5f, 0f, 0.25f}),
        new Param("b", new long[] {3}, new float[3]));
    ParamMask got = new ParamMask();
    assertEquals(2, CoreRegionSelection.topK(group, 4, got));
    assertEquals(BitSet.valueOf(new long[] {0b111}), got.get("a"));
    assertEquals(BitSet.valueOf(new long[] {0b1}), got.get("b"));
    assertEquals(0, CoreRegionSelection.topK(group, 2, new ParamMask()), "nothing to fill");
  }

  @Test
  void globalTopKCountAndTieOrder() {
    // D = 20, p = 25% → k = 5: 9, 8, 7 and two of the three 5s — the earliest two by position
    CoreRegion r = CoreRegionSelection.select("t", scores(), CoreConfig.paper().withTopPercent(25), 0);
    assertEquals(5, r.size());
    assertEquals(20, r.eligible());
    assertEquals(bits(0), r.mask().get("wte"));
    assertEquals(bits(1, 2), r.mask().get("h0/attn/wq"));
    assertEquals(bits(0), r.mask().get("h0/ln1/g"));
    assertEquals(bits(7), r.mask().get("h1/mlp/w1"));
    // k = floor(p·D): 12% of 20 = 2.4 → 2
    assertEquals(2, CoreRegionSelection.select("t", scores(), CoreConfig.paper().withTopPercent(12), 0).size());
  }

  @Test
  void perTensorPerLayerAndExclusions() {
    CoreConfig half = CoreConfig.paper().withTopPercent(50);
    CoreRegion perTensor = CoreRegionSelection.select("t", scores(),
        half.withScope(CoreConfig.Scope.PER_TENSOR), 0);
    assertEquals(2 + 3 + 1 + 4, perTensor.size());
    assertEquals(bits(1, 2, 4), perTensor.mask().get("h0/attn/wq"));
    assertEquals(bits(0, 1, 2, 7), perTensor.mask().get("h1/mlp/w1"));
    CoreRegion perLayer = CoreRegionSelection.select("t", scores(),
        half.withScope(CoreConfig.Scope.PER_LAYER), 0);
    // layers: wte (4 → 2), h0 (8 → 4), h1 (8 → 4)
    assertEquals(bits(0, 1), perLayer.mask().get("wte")); // 9, then the first of the tied zeros
    assertEquals(bits(1, 2, 4), perLayer.mask().get("h0/attn/wq"));
    assertEquals(bits(0), perLayer.mask().get("h0/ln1/g"));
    CoreRegion noEmb = CoreRegionSelection.select("t", scores(),
        CoreConfig.paper().withTopPercent(25).withExcludeEmbeddingsAndNorms(true), 0);
    assertEquals(14, noEmb.eligible());
    assertEquals(3, noEmb.size()); // floor(0.25·14)
    assertTrue(noEmb.mask().get("wte").isEmpty() && noEmb.mask().get("h0/ln1/g").isEmpty());
  }

  @Test
  void randomRegionHasTheSameSizeAndIsSeeded() {
    CoreConfig cfg = CoreConfig.paper().withTopPercent(25).withRandom(true);
    CoreRegion a = CoreRegionSelection.select("t", scores(), cfg, 3);
    assertEquals(5, a.size());
    assertEquals(a.mask(), CoreRegionSelection.select("t", scores(), cfg, 3).mask());
  }

  @Test
  void scoresAndJaccard() {
    ParamSnapshot base = new ParamSnapshot(List.of(new Param("h0/mlp/w1", new long[] {3},
        new float[] {1, -2, 0})));
    ParamSnapshot expert = new ParamSnapshot(List.of(new Param("h0/mlp/w1", new long[] {3},
        new float[] {1.5f, -1, 0.25f})));
    assertEquals(List.of(0.5f, 1f, 0.25f), floats(ImportanceScore.ABS_DELTA.compute(base, expert, null, 1e-3f)));
    List<Float> rel = floats(ImportanceScore.RELATIVE_DELTA.compute(base, expert, null, 1e-3f));
    assertEquals(0.5 / 1.001, rel.get(0), 1e-6);
    assertEquals(0.25 / 1e-3, rel.get(2), 1e-3);
    ParamSnapshot g1 = new ParamSnapshot(List.of(new Param("h0/mlp/w1", new long[] {3}, new float[] {1, 2, -2})));
    ParamSnapshot g2 = new ParamSnapshot(List.of(new Param("h0/mlp/w1", new long[] {3}, new float[] {3, 0, 2})));
    assertEquals(List.of(3f, 1f, 0f), floats(ImportanceScore.GRAD_TIMES_WEIGHT.compute(base, expert,
        List.of(g1, g2), 1e-3f))); // |mean g · θi| = |2·1.5|, |1·−1|, |0·0.25|
    assertEquals(List.of(5f, 2f, 4f), floats(ImportanceScore.FISHER.compute(base, expert,
        List.of(g1, g2), 1e-3f)));

    ParamMask a = new ParamMask().set("x", 0, 1, 2, 3).set("y", 0);
    ParamMask b = new ParamMask().set("x", 2, 3, 4).set("y", 0, 1);
    assertEquals(3.0 / 7.0, CoreOverlap.jaccard(a, b), 1e-12); // ∩ = {x2, x3, y0}, ∪ = 7
    assertEquals(1.0, CoreOverlap.jaccard(a, a));
    assertEquals(0.0, CoreOverlap.jaccard(a, new ParamMask().set("z", 1)));
  }

  @Test
  void regionRoundTripAndSummary(@TempDir Path dir) {
    CoreRegion r = CoreRegionSelection.select("math", scores(), CoreConfig.paper().withTopPercent(25), 0);
    r.save(dir.resolve("core.json"));
    CoreRegion back = CoreRegion.load(dir.resolve("core.json"));
    assertEquals(r.mask(), back.mask());
    assertEquals(0.2, r.shareByLayer().get("wte"), 1e-12);
    assertEquals(0.6, r.shareByLayer().get("h0"), 1e-12);
    assertEquals(0.2, r.shareByKind().get("norm"), 1e-12);
  }

  static BitSet bits(int... i) {
    BitSet b = new BitSet();
    for (int x : i) {
      b.set(x);
    }
    return b;
  }

  static List<Float> floats(ParamSnapshot s) {
    List<Float> out = new java.util.ArrayList<>();
    for (float f : s.params().iterator().next().data()) {
      out.add(f);
    }
    return out;
  }

  /**
   * Top-k over a group of tensors equals a plain re-computation (threshold by sorting, entries
   * above it, then ties at it by position), with ±0, ties and negative scores.
   */
  @Test
  void topKOverAGroupAgreesWithAPlainRecomputation() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    for (int trial = 0; trial < 300; trial++) {
      List<Param> group = new java.util.ArrayList<>();
      int tensors = 1 + rnd.nextInt(4);
      for (int t = 0; t < tensors; t++) {
        float[] v = new float[1 + rnd.nextInt(40)];
        for (int j = 0; j < v.length; j++) {
          v[j] = switch (rnd.nextInt(6)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) rnd.nextInt(-2, 3);
            default -> (float) rnd.nextGaussian();
          };
        }
        group.add(new Param("t" + t, new long[] {v.length}, v));
      }
      int total = group.stream().mapToInt(Param::size).sum();
      int k = rnd.nextInt(total + 1);
      ParamMask got = new ParamMask();
      CoreRegionSelection.topK(group, k, got);
      // the reference
      float[] all = new float[total];
      int at = 0;
      for (Param p : group) {
        System.arraycopy(p.data(), 0, all, at, p.size());
        at += p.size();
      }
      float[] sorted = all.clone();
      java.util.Arrays.sort(sorted);
      int taken = 0;
      for (Param p : group) {
        BitSet want = new BitSet();
        if (k > 0) {
          float th = sorted[total - k];
          long above = 0;
          for (float x : all) {
            above += x > th ? 1 : 0;
          }
          for (int j = 0; j < p.size(); j++) {
            if (p.data()[j] > th || p.data()[j] == th && taken < k - above) {
              taken += p.data()[j] > th ? 0 : 1;
              want.set(j);
            }
          }
        }
        assertEquals(want, got.get(p.name()), "trial " + trial + " k=" + k + " " + p.name());
      }
    }
  }

  /** The radix select finds what sorting finds: negatives, ±0, ties, subnormals, infinities. */
  @Test
  void kthLargestAgreesWithSorting() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(300);
      float[] v = new float[n];
      for (int j = 0; j < n; j++) {
        v[j] = switch (rnd.nextInt(8)) {
          case 0 -> 0f;
          case 1 -> -0f;
          case 2 -> (float) rnd.nextInt(4);
          case 3 -> Float.MIN_VALUE * rnd.nextInt(3);
          case 4 -> rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
          default -> (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-20, 20)));
        };
      }
      float[] sorted = v.clone();
      java.util.Arrays.sort(sorted);
      for (int k = 1; k <= n; k += 1 + rnd.nextInt(7)) {
        assertEquals(Float.floatToIntBits(sorted[n - k]),
            Float.floatToIntBits(kthLargest(v, k)), "trial " + trial + " k=" + k);
      }
    }
    float[] three = {1, 2, 3};
    assertThrows(IllegalArgumentException.class, () -> kthLargest(three, 0));
    assertThrows(IllegalArgumentException.class, () -> kthLargest(three, 4));
  }

  private static float kthLargest(float[] v, int k) {
    return CoreRegionSelection.threshold(() -> List.of(v).iterator(), k).value();
  }
}
