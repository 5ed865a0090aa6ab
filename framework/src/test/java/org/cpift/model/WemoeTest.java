package org.cpift.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.Batch;
import org.cpift.data.CharTokenizer;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.ModelSession;
import org.junit.jupiter.api.Test;

/**
 * WEMoE against independent computations: a router with a constant output c makes the model the
 * plain model whose MLPs are W0 + Σ c_i·τ_i (so a one-hot router reproduces an expert's MLPs
 * exactly, up to float rounding); zero task vectors give the base's MLPs whatever the router
 * says; the upscaled parameters are task arithmetic outside the MLPs; the entropy objective
 * equals −Σ p·log p computed from the logits in Java; router training moves the routers alone,
 * everything else bit-identical, and lowers the entropy.
 */
class WemoeTest {
  static final int[] INPUTS = {5, 9, 14, 3, 77, 21, 8, 40, 12, 33, 60, 2};

  static ParamSnapshot base(ModelConfig c) {
    try (ModelSession m = ModelSession.create(c, null, 7)) {
      return m.parameters();
    }
  }

  /** base + U(−0.05, 0.05) on every tensor (or on MLP tensors only). */
  static ParamSnapshot expert(ParamSnapshot base, long seed, boolean mlpOnly) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      float[] v = p.data().clone();
      if (!mlpOnly || Wemoe.isMlp(p.name())) {
        for (int j = 0; j < v.length; j++) {
          v[j] += (float) rnd.nextDouble(-0.05, 0.05);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  static float[] plainLogits(ModelConfig c, ParamSnapshot p) {
    try (ModelSession m = ModelSession.create(c, null, 0)) {
      m.loadParameters(p);
      return m.logits(INPUTS, 2, 6);
    }
  }

  /** The upscaled model with every router's output fixed at {@code c} (matrices zero). */
  static float[] wemoeLogits(ModelConfig c, Wemoe spec, ParamSnapshot base,
      List<ParamSnapshot> experts, float[] gate) {
    try (ModelSession m = ModelSession.createWemoe(c, null, 0, spec)) {
      ParamSnapshot p = spec.upscale(base, experts, m.parameters());
      ParamSnapshot fixed = new ParamSnapshot();
      for (Param q : p.params()) {
        if (Wemoe.isRouter(q.name())) {
          float[] v = new float[q.data().length];
          if (q.name().endsWith("/b2")) {
            v = gate.clone();
          }
          fixed.put(q.withData(v));
        } else {
          fixed.put(q);
        }
      }
      m.loadParameters(fixed);
      return m.logits(INPUTS, 2, 6);
    }
  }

  /** Non-MLP tensors θ0 + λ·Σ τ_i, MLP tensors θ0 + Σ c_i·τ_i: the plain model to compare with. */
  static ParamSnapshot mixed(ParamSnapshot base, List<ParamSnapshot> experts, double lambda,
      float[] c) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      float[] v = new float[p.data().length];
      for (int j = 0; j < v.length; j++) {
        double s = p.data()[j];
        for (int i = 0; i < experts.size(); i++) {
          double tau = experts.get(i).get(p.name()).data()[j] - p.data()[j];
          s += (Wemoe.isMlp(p.name()) ? c[i] : lambda) * tau;
        }
        v[j] = (float) s;
      }
      out.put(p.withData(v));
    }
    return out;
  }

  static void assertClose(float[] want, float[] got, double tol) {
    assertEquals(want.length, got.length);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    assertTrue(worst < tol, "max |difference| " + worst + " >= " + tol);
  }

  @Test
  void aConstantRouterGivesThePlainModelWithThoseMlpWeights() {
    for (ModelConfig c : List.of(ModelConfig.tiny(101).withContextLength(32),
        ModelConfig.tiny(101).withContextLength(32).inFamily(ModelConfig.Family.LLAMA))) {
      ParamSnapshot base = base(c);
      List<ParamSnapshot> experts = List.of(expert(base, 1, false), expert(base, 2, false),
          expert(base, 3, false));
      Wemoe spec = new Wemoe(3, 0.3);
      float[] gate = {0.7f, -0.2f, 0.45f};
      assertClose(plainLogits(c, mixed(base, experts, 0.3, gate)),
          wemoeLogits(c, spec, base, experts, gate), 2e-5);
    }
  }

  @Test
  void aOneHotRouterReproducesEachExpert() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    ParamSnapshot base = base(c);
    // experts that differ from the base in their MLPs only: task arithmetic leaves the rest
    List<ParamSnapshot> experts = List.of(expert(base, 4, true), expert(base, 5, true));
    Wemoe spec = new Wemoe(2, 0.3);
    for (int i = 0; i < 2; i++) {
      float[] oneHot = new float[2];
      oneHot[i] = 1;
      float[] want = plainLogits(c, experts.get(i));
      assertClose(want, wemoeLogits(c, spec, base, experts, oneHot), 2e-5);
      assertNotEquals(0, maxDiff(want, plainLogits(c, experts.get(1 - i))), 1e-3);
    }
  }

  @Test
  void zeroTaskVectorsGiveTheBaseWhateverTheRouter() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    ParamSnapshot base = base(c);
    Wemoe spec = new Wemoe(2, 0.3);
    try (ModelSession m = ModelSession.createWemoe(c, null, 9, spec)) {
      // the seeded router (random matrices, bias λ) on experts equal to the base
      m.loadParameters(spec.upscale(base, List.of(base, base), m.parameters()));
      assertArrayEquals(plainLogits(c, base), m.logits(INPUTS, 2, 6));
    }
  }

  @Test
  void upscalingIsTaskArithmeticOutsideTheMlpsAndTaskVectorsInside() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    ParamSnapshot base = base(c);
    List<ParamSnapshot> experts = List.of(expert(base, 1, false), expert(base, 2, false));
    Wemoe spec = new Wemoe(2, 0.3);
    try (ModelSession m = ModelSession.createWemoe(c, null, 9, spec)) {
      ParamSnapshot routerStart = m.parameters();
      ParamSnapshot p = spec.upscale(base, experts, routerStart);
      assertEquals(routerStart.names(), p.names());
      String attn = "h0/attn/wq";
      String mlp = "h1/mlp/w2";
      for (int j = 0; j < 50; j++) {
        double ta = base.get(attn).data()[j] + 0.3 * (experts.get(0).get(attn).data()[j]
            + experts.get(1).get(attn).data()[j] - 2 * base.get(attn).data()[j]);
        assertEquals(ta, p.get(attn).data()[j], 1e-6);
        assertEquals(base.get(mlp).data()[j], p.get(mlp).data()[j]);
        assertEquals(experts.get(1).get(mlp).data()[j] - base.get(mlp).data()[j],
            p.get(Wemoe.taskVector(mlp, 1)).data()[j]);
      }
      // the router starts as the paper's: output bias λ, first bias zero
      assertArrayEquals(new float[] {0.3f, 0.3f}, p.get("h0/router/b2").data());
      assertArrayEquals(new float[c.dModel()], p.get("h1/router/b1").data());
      assertEquals(ParamKind.ROUTER, ParamKind.ofName("h0/router/w1"));
      assertEquals(ParamKind.TASK_VECTOR, ParamKind.ofName(Wemoe.taskVector(mlp, 0)));
      long added = p.params().stream().mapToLong(q -> q.data().length).sum()
          - base.params().stream().mapToLong(q -> q.data().length).sum();
      assertEquals(spec.taskVectorParameters(c) + spec.routerParameters(c), added);
    }
    assertThrows(IllegalArgumentException.class, () -> spec2().upscale(base, List.of(base), base));
  }

  private static Wemoe spec2() {
    return new Wemoe(2, 0.3);
  }

  @Test
  void entropyIsMinusSumPLogPOverTheWeightedPositions() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    CharTokenizer tok = CharTokenizer.standard();
    List<EncodedExample> ex = List.of(
        EncodedExample.encode(new SftRecord("Add 2 and 3.", "5"), tok, 32, "t"),
        EncodedExample.encode(new SftRecord("Say hi.", "hi there"), tok, 32, "t"));
    Batch b = Batch.of(ex);
    Wemoe spec = new Wemoe(2, 0.3);
    ParamSnapshot base = base(c);
    try (ModelSession m = ModelSession.createWemoe(c, OptimizerConfig.adamW(), 9, spec)) {
      m.loadParameters(spec.upscale(base, List.of(expert(base, 1, false),
          expert(base, 2, false)), m.parameters()));
      float[] logits = m.logits(b.inputs(), b.batchSize(), b.length());
      int v = c.vocabSize();
      double sum = 0;
      double weights = 0;
      for (int r = 0; r < b.batchSize() * b.length(); r++) {
        double w = b.weights()[r];
        if (w == 0) {
          continue;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          max = Math.max(max, logits[r * v + k]);
        }
        double z = 0;
        for (int k = 0; k < v; k++) {
          z += Math.exp(logits[r * v + k] - max);
        }
        double h = 0;
        for (int k = 0; k < v; k++) {
          double lp = logits[r * v + k] - max - Math.log(z);
          h -= Math.exp(lp) * lp;
        }
        sum += w * h;
        weights += w;
      }
      // the first step reports the objective before its update
      assertEquals(sum / weights, m.trainStep(b, 0f).loss(), 1e-4);
    }
  }

  @Test
  void routerTrainingMovesOnlyTheRoutersAndLowersTheEntropy() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    CharTokenizer tok = CharTokenizer.standard();
    List<EncodedExample> ex = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ex.add(EncodedExample.encode(new SftRecord("Count to " + i + ".", "0 1 2 " + i), tok, 32,
          "t"));
    }
    Batch b = Batch.of(ex);
    Wemoe spec = new Wemoe(2, 0.3);
    ParamSnapshot base = base(c);
    try (ModelSession m = ModelSession.createWemoe(c,
        OptimizerConfig.adamW().withWeightDecay(0f), 9, spec)) {
      m.loadParameters(spec.upscale(base, List.of(expert(base, 1, false),
          expert(base, 2, false)), m.parameters()));
      ParamSnapshot before = m.parameters();
      float first = m.trainStep(b, 3e-3f).loss();
      float last = first;
      for (int s = 0; s < 30; s++) {
        last = m.trainStep(b, 3e-3f).loss();
      }
      assertTrue(last < first, "entropy " + first + " -> " + last);
      ParamSnapshot after = m.parameters();
      int routersMoved = 0;
      for (Param p : before.params()) {
        boolean same = java.util.Arrays.equals(p.data(), after.get(p.name()).data());
        if (Wemoe.isRouter(p.name())) {
          routersMoved += same ? 0 : 1;
        } else {
          assertTrue(same, p.name() + " changed");
        }
      }
      assertEquals(4 * c.nLayers(), routersMoved);
    }
    assertFalse(Wemoe.isMlp(Wemoe.taskVector("h0/mlp/w1", 0)));
  }

  @Test
  void cachedDecodingOfARoutedModelAnswersAsTheFullForwardDoes() {
    for (ModelConfig c : List.of(ModelConfig.tiny(101).withContextLength(32),
        ModelConfig.tiny(101).withContextLength(32).inFamily(ModelConfig.Family.LLAMA))) {
      ParamSnapshot base = base(c);
      Wemoe spec = new Wemoe(2, 0.3);
      try (ModelSession m = ModelSession.createWemoe(c, null, 4, spec)) {
        // a router that actually routes: its seeded matrices scaled up
        ParamSnapshot p = spec.upscale(base, List.of(expert(base, 1, false),
            expert(base, 2, false)), m.parameters());
        ParamSnapshot routed = new ParamSnapshot();
        for (Param q : p.params()) {
          float[] v = q.data().clone();
          if (Wemoe.isRouter(q.name()) && q.name().endsWith("w2")) {
            for (int j = 0; j < v.length; j++) {
              v[j] *= 300;
            }
          }
          routed.put(q.withData(v));
        }
        m.loadParameters(routed);
        List<int[]> prompts = List.of(new int[] {1, 5, 9, 14, 3}, new int[] {1, 77, 21},
            new int[] {1, 8, 40, 12, 33, 60, 2, 9});
        List<int[]> cached = org.cpift.train.GreedyGenerator.generate(m, prompts, 12, 2, -1);
        List<int[]> full = org.cpift.train.GreedyGenerator.generateByRecompute(m, prompts, 12, 2,
            -1);
        for (int i = 0; i < prompts.size(); i++) {
          assertArrayEquals(full.get(i), cached.get(i), c.family() + " prompt " + i);
        }
      }
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
