package org.cpift.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.cpift.model.Lora;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;

/**
 * CoPA against independent computations: a hand-worked 3×2 rank-2 case (pruning, scales,
 * normalization and the product written out); with nothing pruned and one expert it is λ times
 * that expert's LoRA update (as {@link Lora#merge} computes it); tensors without adapters are
 * the experts' average; experts without adapters are refused.
 */
class CopaMergeTest {
  private static final String W = "h0/attn/wq";

  private static ParamSnapshot snapshot(Object... nameShapeData) {
    ParamSnapshot s = new ParamSnapshot();
    for (int i = 0; i < nameShapeData.length; i += 3) {
      s.put(new Param((String) nameShapeData[i], (long[]) nameShapeData[i + 1],
          (float[]) nameShapeData[i + 2]));
    }
    return s;
  }

  @Test
  void aHandWorkedCase() {
    // W [3, 2] = 0; two experts' A [3, 2] and B [2, 2]; keep 50% of each factor's entries
    ParamSnapshot base = snapshot(W, new long[] {3, 2}, new float[6], "h0/ln1/g",
        new long[] {2}, new float[] {1, 1});
    float[] a1 = {4, 1, -2, 0.5f, 1, -3};   // |.| sorted: 0.5 1 1 2 3 4 → keep ≥ 2: 4, -2, -3
    float[] b1 = {1, -1, 2, 0.25f};         // keep top 2: 2, and -1 or 1 (ties ≥ 1 kept: 1, -1, 2)
    float[] a2 = {0, 2, 1, 0, 0, 1};        // keep ≥ 1: 2, 1, 1
    float[] b2 = {3, 0, 0, -1};             // keep ≥ 1 (sorted 0 0 1 3): 3, -1
    ParamSnapshot ad1 = snapshot(W + ".lora_A", new long[] {3, 2}, a1, W + ".lora_B",
        new long[] {2, 2}, b1);
    ParamSnapshot ad2 = snapshot(W + ".lora_A", new long[] {3, 2}, a2, W + ".lora_B",
        new long[] {2, 2}, b2);
    ParamSnapshot e1 = snapshot(W, new long[] {3, 2}, new float[6], "h0/ln1/g", new long[] {2},
        new float[] {1, 3});
    ParamSnapshot e2 = snapshot(W, new long[] {3, 2}, new float[6], "h0/ln1/g", new long[] {2},
        new float[] {1, 5});
    MergeContext ctx = new MergeContext(base, List.of(e1, e2), List.of("t1", "t2"), null,
        List.of(ad1, ad2), 0.5);
    ParamSnapshot merged = new CopaMerge(50, 2).merge(ctx);
    // pruned factors, by hand
    double[][] pa1 = {{4, 0}, {-2, 0}, {0, -3}};
    double[][] pb1 = {{1, -1}, {2, 0}};
    double[][] pa2 = {{0, 2}, {1, 0}, {0, 1}};
    double[][] pb2 = {{3, 0}, {0, -1}};
    // s_n[c] = column L1 before / after pruning
    double[] s1 = {(4 + 2 + 1) / 6.0, (1 + 0.5 + 3) / 3.0};
    double[] s2 = {1 / 1.0, (2 + 1) / 3.0};
    double[] expected = new double[6];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        double acc = 0;
        for (int c = 0; c < 2; c++) {
          double aSum = pa1[i][c] + pa2[i][c];
          double bSum = s1[c] / (s1[c] + s2[c]) * pb1[c][j] + s2[c] / (s1[c] + s2[c]) * pb2[c][j];
          acc += aSum * bSum;
        }
        expected[i * 2 + j] = 2 * 0.5 * acc;
      }
    }
    for (int j = 0; j < 6; j++) {
      assertEquals(expected[j], merged.get(W).data()[j], 1e-6, "entry " + j);
    }
    // a tensor without adapters: the experts' average
    assertArrayEquals(new float[] {1, 4}, merged.get("h0/ln1/g").data());
  }

  @Test
  void nothingPrunedAndOneExpertIsLambdaTimesItsUpdate() {
    SplittableRandom rnd = new SplittableRandom(3);
    int in = 6;
    int out = 5;
    int r = 3;
    float[] w = random(rnd, in * out);
    float[] a = random(rnd, in * r);
    float[] b = random(rnd, r * out);
    ParamSnapshot base = snapshot(W, new long[] {in, out}, w);
    ParamSnapshot withAdapters = snapshot(W, new long[] {in, out}, w, W + ".lora_A",
        new long[] {in, r}, a, W + ".lora_B", new long[] {r, out}, b);
    Lora lora = new Lora(r, 6, List.of("wq"));
    ParamSnapshot expert = lora.merge(withAdapters);
    ParamSnapshot adapters = snapshot(W + ".lora_A", new long[] {in, r}, a, W + ".lora_B",
        new long[] {r, out}, b);
    double lambda = 1.5;
    ParamSnapshot merged = new CopaMerge(100, lambda).merge(new MergeContext(base,
        List.of(expert), List.of("t"), null, List.of(adapters), lora.scale()));
    for (int j = 0; j < w.length; j++) {
      assertEquals(w[j] + lambda * (expert.get(W).data()[j] - w[j]), merged.get(W).data()[j],
          1e-5, "entry " + j);
    }
  }

  @Test
  void pruningKeepsTheLargestEntries() {
    float[] v = {0.1f, -5, 3, -0.2f, 4, 0};
    assertArrayEquals(new float[] {0, -5, 3, 0, 4, 0}, CopaMerge.keepTop(v, 50));
    assertArrayEquals(new float[] {0, -5, 0, 0, 0, 0}, CopaMerge.keepTop(v, 1));
  }

  @Test
  void expertsWithoutAdaptersAreRefused() {
    ParamSnapshot base = snapshot(W, new long[] {2, 2}, new float[4]);
    CpiftException ex = assertThrows(CpiftException.class, () -> new CopaMerge(20, 2).merge(
        new MergeContext(base, List.of(base), List.of("t"), null)));
    assertTrue(ex.getMessage().contains("--finetune lora"), ex.getMessage());
    assertTrue(MergeRegistry.create("copa", MergeOptions.defaults()).mergesAdapters());
    assertEquals(4, MergeRegistry.grid("copa", MergeOptions.defaults()).size());
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
