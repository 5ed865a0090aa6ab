package org.cpift.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;

/** LiNeS against hand-computed layer factors and scaled deltas. */
class LinesTest {
  /** A model of 4 blocks with one 2-entry matrix each, plus an embedding and a final norm. */
  static ParamSnapshot model(float... v) {
    ParamSnapshot s = new ParamSnapshot();
    s.put(new Param("wte", new long[] {2}, new float[] {v[0], v[1]}));
    for (int l = 0; l < 4; l++) {
      s.put(new Param("h" + l + "/attn/wq", new long[] {2},
          new float[] {v[2 + 2 * l], v[3 + 2 * l]}));
    }
    s.put(new Param("ln_f/g", new long[] {2}, new float[] {v[10], v[11]}));
    return s;
  }

  static float[] constant(float c) {
    float[] v = new float[12];
    java.util.Arrays.fill(v, c);
    return v;
  }

  @Test
  void layerFactorsGrowLinearlyWithDepthAndAlphaOutsideTheBlocks() {
    ParamSnapshot m = model(constant(0));
    assertEquals(4, Lines.blocks(m));
    // α = 0.2, β = 0.6, L = 4: 0.2 + 0.6·l/3 = 0.2, 0.4, 0.6, 0.8
    double[] want = {0.2, 0.4, 0.6, 0.8};
    for (int l = 0; l < 4; l++) {
      assertEquals(want[l], Lines.factor("h" + l + "/attn/wq", 4, 0.2, 0.6), 1e-12);
    }
    assertEquals(0.2, Lines.factor("wte", 4, 0.2, 0.6), 1e-12);
    assertEquals(0.2, Lines.factor("ln_f/g", 4, 0.2, 0.6), 1e-12);
    assertEquals(0.2, Lines.factor("lm_head", 4, 0.2, 0.6), 1e-12);
    assertEquals(12, Lines.blockOf("h12/mlp/w1"));
    assertEquals(-1, Lines.blockOf("wpe"));
  }

  @Test
  void mergeOverTaskArithmeticScalesTheSummedVectorPerBlock() {
    // base 1 everywhere; expert 1 adds 1 everywhere, expert 2 adds 3 everywhere: Σδ = 4
    MergeContext c = new MergeContext(model(constant(1)),
        List.of(model(constant(2)), model(constant(4))), List.of("a", "b"), null);
    // α = ‖Σδ‖₁/(N‖Σδ‖₁) = 1/2; β = 0.3: λ = 0.5, 0.6, 0.7, 0.8 per block, 0.5 outside
    ParamSnapshot out = new Lines(Lines.Over.TASK_ARITHMETIC, 0.3, 20).merge(c);
    assertArrayEquals(new float[] {3, 3}, out.get("wte").data(), 1e-6f);
    assertArrayEquals(new float[] {3, 3}, out.get("h0/attn/wq").data(), 1e-6f);
    assertArrayEquals(new float[] {3.4f, 3.4f}, out.get("h1/attn/wq").data(), 1e-6f);
    assertArrayEquals(new float[] {3.8f, 3.8f}, out.get("h2/attn/wq").data(), 1e-6f);
    assertArrayEquals(new float[] {4.2f, 4.2f}, out.get("h3/attn/wq").data(), 1e-6f);
    assertArrayEquals(new float[] {3, 3}, out.get("ln_f/g").data(), 1e-6f);
    Lines l = new Lines(Lines.Over.TASK_ARITHMETIC, 0.3, 20);
    l.merge(c);
    assertEquals(0.5, (double) l.parameters().get("alpha"), 1e-12);
  }

  @Test
  void withBetaZeroEachMergeIsItsBaseMethodAtTheNormRulesScale() {
    SplittableRandom r = new SplittableRandom(3);
    ParamSnapshot base = model(random(r));
    List<ParamSnapshot> experts = List.of(model(random(r)), model(random(r)), model(random(r)));
    MergeContext c = new MergeContext(base, experts, List.of("a", "b", "c"), null);
    // task arithmetic: α = 1/N
    assertSame(new TaskArithmetic(1.0 / 3).merge(c),
        new Lines(Lines.Over.TASK_ARITHMETIC, 0, 20).merge(c));
    // TIES: α = ‖Σδ‖₁ / (N‖τ_TIES‖₁), computed here from TIES's own merge at λ = 1
    ParamSnapshot ties1 = new Ties(40, 1.0).merge(c);
    double sumL1 = 0;
    double tiesL1 = 0;
    for (Param p : base.params()) {
      for (int j = 0; j < p.size(); j++) {
        double s = 0;
        for (int i = 0; i < 3; i++) {
          s += experts.get(i).get(p.name()).data()[j] - p.data()[j];
        }
        sumL1 += Math.abs(s);
        tiesL1 += Math.abs(ties1.get(p.name()).data()[j] - p.data()[j]);
      }
    }
    double alpha = sumL1 / (3 * tiesL1);
    Lines lt = new Lines(Lines.Over.TIES, 0, 40);
    ParamSnapshot got = lt.merge(c);
    assertEquals(alpha, (double) lt.parameters().get("alpha"), 1e-5);
    assertSame(new Ties(40, alpha).merge(c), got);
  }

  @Test
  void posthocKeepsTheModelAtAlphaOneAndTheBaseFirstBlockAtZero() {
    SplittableRandom r = new SplittableRandom(5);
    ParamSnapshot base = model(random(r));
    ParamSnapshot tuned = model(random(r));
    assertSame(tuned, Lines.posthoc(base, tuned, 1.0));
    ParamSnapshot zero = Lines.posthoc(base, tuned, 0.0);
    assertArrayEquals(base.get("h0/attn/wq").data(), zero.get("h0/attn/wq").data(), 0f);
    assertArrayEquals(base.get("wte").data(), zero.get("wte").data(), 0f);
    assertArrayEquals(tuned.get("h3/attn/wq").data(), zero.get("h3/attn/wq").data(), 1e-6f);
    // block 1 of 4 at α = 0: a third of the way from the base to the model
    for (int j = 0; j < 2; j++) {
      float b = base.get("h1/attn/wq").data()[j];
      float t = tuned.get("h1/attn/wq").data()[j];
      assertEquals(b + (t - b) / 3.0, zero.get("h1/attn/wq").data()[j], 1e-6);
    }
    assertThrows(IllegalArgumentException.class, () -> Lines.posthoc(base, tuned, 1.5));
  }

  @Test
  void aModelWithoutDepthIsRefusedWithTheReason() {
    ParamSnapshot one = new ParamSnapshot(List.of(new Param("h0/w", new long[] {1},
        new float[] {1})));
    MergeContext c = new MergeContext(one, List.of(one, one), List.of("a", "b"), null);
    CpiftException e = assertThrows(CpiftException.class,
        () -> new Lines(Lines.Over.TASK_ARITHMETIC, 0.5, 20).merge(c));
    assertTrue(e.getMessage().contains("at least 2 residual blocks"), e.getMessage());
  }

  @Test
  void registeredWithBetaGridsAndKeyedOutAtItsDefault() {
    MergeOptions o = MergeOptions.defaults();
    assertEquals(15, MergeRegistry.grid("lines", o).size());
    assertEquals(2.0, MergeRegistry.grid("lines", o).get(14).linesBeta(), 0);
    assertEquals(20, MergeRegistry.grid("lines-ties", o).size());
    assertEquals(2.5, MergeRegistry.grid("lines-ties", o).get(19).linesBeta(), 0);
    assertEquals(0.3, MergeRegistry.grid("lines", o).get(2).linesBeta(), 0);
    assertEquals("lines-ties", MergeRegistry.create("lines-ties", o).name());
    // options at LiNeS's default β key as they did before LiNeS existed
    assertTrue(!org.cpift.util.CacheKey.tree(o).has("linesBeta"));
    assertTrue(org.cpift.util.CacheKey.tree(o.withLinesBeta(0.7)).has("linesBeta"));
    assertThrows(IllegalArgumentException.class, () -> o.withLinesBeta(-0.1));
  }

  static float[] random(SplittableRandom r) {
    float[] v = new float[12];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  static void assertSame(ParamSnapshot want, ParamSnapshot got) {
    for (Param p : want.params()) {
      assertArrayEquals(p.data(), got.get(p.name()).data(), 1e-6f, p.name());
    }
  }
}
