package org.cpift.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
 * Diff pruning against independent computations: a fresh diff leaves every logit bit-identical,
 * and a trained one scores in its session as the plain model with the pruned weights;
 * the objective is the loss plus λ·Σ sigmoid(log α) computed in Java; training moves only the
 * diff and gate tensors, the base bit-identical, the same seed giving the same gates' noise;
 * the projection keeps exactly the target number of entries, the largest |z·w| by hand.
 */
class DiffPruningTest {
  static final ModelConfig TINY = ModelConfig.tiny(101).withContextLength(32);
  static final int[] INPUTS = {5, 9, 14, 3, 77, 21, 8, 40, 12, 33, 60, 2};

  static ParamSnapshot base() {
    try (ModelSession m = ModelSession.create(TINY, null, 7)) {
      return m.parameters();
    }
  }

  static Batch batch() {
    CharTokenizer tok = CharTokenizer.standard();
    return Batch.of(List.of(
        EncodedExample.encode(new SftRecord("12+3", "15"), tok, 32, "t"),
        EncodedExample.encode(new SftRecord("7+7", "14"), tok, 32, "t")));
  }

  @Test
  void aFreshDiffLeavesEveryLogitBitIdentical() {
    ParamSnapshot base = base();
    DiffPruning dp = new DiffPruning(1.0);
    ParamSnapshot start = dp.initialize(base);
    assertEquals(3 * base.names().size(), start.names().size());
    assertEquals(ParamKind.DIFF, ParamKind.ofName("wte.diff_gate"));
    float[] plain;
    try (ModelSession m = ModelSession.create(TINY, null, 0)) {
      m.loadParameters(base);
      plain = m.logits(INPUTS, 2, 6);
    }
    try (ModelSession m = ModelSession.createDiffPruning(TINY, null, 0, dp)) {
      m.loadParameters(start);
      assertArrayEquals(plain, m.logits(INPUTS, 2, 6));
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void theSessionScoresTheMergedModelWithDeterministicGates(boolean structured) {
    // 40 steps under a penalty take log α from 5 to about 1: gates partly open (z ≈ 0.7), so a
    // session that scored with sampled gates, or merge() with another gate, would differ by far
    // more than float rounding; the session with the projected diff and the plain model with
    // merge()'s weights must give the same logits
    // (structured: the tensor gates, pushed by their tensors' whole penalty, close first; the
    // partly open entry gates are what this checks, with the tensor gates as they end)
    DiffPruning dp = new DiffPruning(30, 1e-2, structured);
    ParamSnapshot trained = trained(dp.initialize(base()), dp, 3, 40);
    double gateSum = 0;
    int gates = 0;
    for (Param p : trained.params()) {
      if (DiffPruning.isGate(p.name())) {
        for (float a : p.data()) {
          gateSum += DiffPruning.deterministicGate(a);
          gates++;
        }
      }
    }
    double meanGate = gateSum / gates;
    assertTrue(meanGate > 0.2 && meanGate < 0.95, "gates partly open: " + meanGate);
    float[] session;
    try (ModelSession m = ModelSession.createDiffPruning(TINY, null, 0, dp)) {
      m.loadParameters(dp.project(trained));
      session = m.logits(INPUTS, 2, 6);
      assertArrayEquals(session, m.logits(INPUTS, 2, 6), "scoring draws no noise");
    }
    float[] merged;
    float[] base;
    try (ModelSession m = ModelSession.create(TINY, null, 0)) {
      m.loadParameters(dp.merge(trained));
      merged = m.logits(INPUTS, 2, 6);
      m.loadParameters(base());
      base = m.logits(INPUTS, 2, 6);
    }
    double moved = 0;
    for (int i = 0; i < merged.length; i++) {
      assertEquals(merged[i], session[i], 1e-4 * Math.max(1, Math.abs(merged[i])), "logit " + i);
      moved = Math.max(moved, Math.abs(merged[i] - base[i]));
    }
    assertTrue(moved > 1e-2, "the diff changed the model: " + moved);
  }

  /** The plain model's answer loss on {@link #batch}. */
  static double loss(ParamSnapshot params) {
    try (ModelSession m = ModelSession.create(TINY, null, 0)) {
      m.loadParameters(params);
      var sums = m.evaluate(batch());
      return sums.lossSum() / sums.weightSum();
    }
  }

  /**
   * The objective of a first training step (at rate 0) from {@code start}: w = 0 there, so the
   * sampled gates do not change the loss yet, and the objective is the loss plus the penalty.
   */
  static double firstObjective(DiffPruning dp, ParamSnapshot start) {
    try (ModelSession m = ModelSession.createDiffPruning(TINY, OptimizerConfig.adamW(), 0, dp)) {
      m.loadParameters(start);
      return m.trainStep(batch(), 0f).loss();
    }
  }

  @Test
  void theObjectiveIsTheLossPlusTheExpectedOpenGates() {
    ParamSnapshot base = base();
    DiffPruning dp = new DiffPruning(1.0, 1e-6);
    long n = base.params().stream().mapToLong(Param::size).sum();
    double penalty = 1e-6 * n * DiffPruning.openProbability(DiffPruning.LOG_ALPHA_INIT);
    assertEquals(loss(base) + penalty, firstObjective(dp, dp.initialize(base)), 1e-4);
    assertEquals(0.5, DiffPruning.openProbability(DiffPruning.logRatio()), 1e-12);
    assertEquals(1.0, DiffPruning.deterministicGate(5));
    assertEquals(0.0, DiffPruning.deterministicGate(-5));
    assertEquals(0.0, DiffPruning.deterministicGate(0), 1e-12); // sigmoid(0)·3 − 1.5
  }

  static ParamSnapshot trained(ParamSnapshot start, DiffPruning dp, long seed, int steps) {
    return trained(start, dp, seed, steps, 1e-2f);
  }

  static ParamSnapshot trained(ParamSnapshot start, DiffPruning dp, long seed, int steps,
      float lr) {
    try (ModelSession m = ModelSession.createDiffPruning(TINY, OptimizerConfig.adamW(), seed,
        dp)) {
      m.loadParameters(start);
      for (int i = 0; i < steps; i++) {
        m.trainStep(batch(), lr);
      }
      return m.parameters();
    }
  }

  @Test
  void theGatesStepAtTheirOwnRateWhateverTheRunsRate() {
    // Adam's first step is lr·g/(|g| + ε): ±lr wherever the gradient is not tiny. The penalty
    // gives every log α a gradient (w = 0 at the start, so the loss gives none), so every gate
    // moves down by the gates' own 0.1 (the authors' constant rate), at a run rate of 1e-6 as
    // at 1e-2, while the diff moves by the run's rate
    DiffPruning dp = new DiffPruning(0.5, 1e-2);
    ParamSnapshot start = dp.initialize(base());
    for (float lr : new float[] {1e-6f, 1e-2f}) {
      ParamSnapshot one = trained(start, dp, 3, 1, lr);
      double maxDiff = 0;
      for (Param p : one.params()) {
        float[] before = start.get(p.name()).data();
        if (DiffPruning.isGate(p.name())) {
          for (int j = 0; j < before.length; j++) {
            assertEquals(DiffPruning.LOG_ALPHA_INIT - DiffPruning.GATE_LR, p.data()[j], 1e-4,
                p.name() + "[" + j + "] at run lr " + lr);
          }
        } else if (DiffPruning.isDiff(p.name())) {
          for (int j = 0; j < before.length; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(p.data()[j] - before[j]));
          }
        }
      }
      assertEquals(lr, maxDiff, lr * 1e-3, "the diff's largest step is the run's rate");
    }
  }

  @Test
  void theL0PenaltyClosesGatesWhichStayOpenWithoutIt() {
    // the gated phase's training, not the projection: with λ = 0 the gates barely move (w starts
    // at 0, so the loss reaches a gate only once its diff has moved); with a penalty that
    // dominates the loss, Adam moves every log α down by about the gates' rate (0.1) per step,
    // from 5 to below 0 in 80 steps
    ParamSnapshot start = new DiffPruning(0.5, 0).initialize(base());
    double before = openShare(start);
    double free = openShare(trained(start, new DiffPruning(0.5, 0), 3, 80));
    double penalized = openShare(trained(start, new DiffPruning(0.5, 1e-2), 3, 80));
    assertEquals(DiffPruning.openProbability(DiffPruning.LOG_ALPHA_INIT), before, 1e-6);
    assertTrue(free > 0.9, "without the penalty the gates stay open: " + free);
    assertTrue(penalized < 0.2, "the penalty closes them: expected open share " + penalized
        + " (from " + before + ")");
    assertTrue(DiffPruning.gateSummary(start).endsWith("gates: mean P(open) "
        + String.format(java.util.Locale.ROOT, "%.4f", before) + ", 0.00% shut"),
        DiffPruning.gateSummary(start));
  }

  /** The mean of P(z != 0) over every gate of {@code s}. */
  private static double openShare(ParamSnapshot s) {
    double sum = 0;
    long n = 0;
    for (Param p : s.params()) {
      if (p.name().endsWith(DiffPruning.gate(""))) {
        for (float rho : p.data()) {
          sum += DiffPruning.openProbability(rho);
          n++;
        }
      }
    }
    assertTrue(n > 0, "no gate tensors");
    return sum / n;
  }

  @Test
  void theGatesSampledInTheGraphAreOpenAsOftenAsTheClosedFormSays() {
    // the graph's sampler, run on 200,000 gates of one log α, against the analytic P(z != 0):
    // the authors' symmetric stretch, and Louizos et al.'s (-0.1, 1.1), where the shift
    // log(-l/r) = -2.40 matters (a dropped or sign-flipped shift moves P by 0.4 at log α = 0)
    int n = 200_000;
    for (double[] stretch : new double[][] {{DiffPruning.LOWER, DiffPruning.UPPER}, {-0.1, 1.1}}) {
      for (double logAlpha : new double[] {-2, 0, 1.5}) {
        String what = "stretch " + java.util.Arrays.toString(stretch) + ", log α " + logAlpha;
        float[] z = new float[n];
        float[] half = new float[n];
        float[] expected = new float[1];
        try (org.tensorflow.Graph g = new org.tensorflow.Graph();
            org.tensorflow.Session s = new org.tensorflow.Session(g)) {
          org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
          var la = tf.fill(tf.constant(new long[] {n}), tf.constant((float) logAlpha));
          var u = tf.math.minimum(tf.math.maximum(tf.random.statelessRandomUniform(
              tf.constant(new long[] {n}), tf.constant(new long[] {7, 11}),
              org.tensorflow.types.TFloat32.class), tf.constant(1e-6f)), tf.constant(1 - 1e-6f));
          var sampled = DiffPruning.hardConcrete(tf, u, la, stretch[0], stretch[1],
              org.tensorflow.types.TFloat32.class);
          var deterministic = DiffPruning.hardConcrete(tf, tf.constant(0.5f), la, stretch[0],
              stretch[1], org.tensorflow.types.TFloat32.class);
          var open = DiffPruning.expectedOpen(tf, la, stretch[0], stretch[1],
              org.tensorflow.types.TFloat32.class);
          try (org.tensorflow.Result r = s.runner().fetch(sampled).fetch(deterministic)
              .fetch(open).run()) {
            float[][] out = {z, half, expected};
            for (int i = 0; i < 3; i++) {
              ((org.tensorflow.types.TFloat32) r.get(i)).copyTo(
                  org.tensorflow.ndarray.buffer.DataBuffers.of(out[i], false, false));
            }
          }
        }
        double p = DiffPruning.openProbability(logAlpha, stretch[0], stretch[1]);
        long openGates = 0;
        for (float v : z) {
          assertTrue(v >= 0 && v <= 1, what + ": gate " + v);
          openGates += v > 0 ? 1 : 0;
        }
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertEquals(p, (double) openGates / n, 5 * sigma, what + ": share of open gates");
        assertEquals(n * p, expected[0], 1e-4 * n * p, what + ": the expected-L0 term");
        // u = ½: the deterministic gate, clamp(sigmoid(log α)·(r − l) + l, 0, 1), by hand
        double s = 1 / (1 + Math.exp(-logAlpha));
        double gate = Math.min(1, Math.max(0, s * (stretch[1] - stretch[0]) + stretch[0]));
        assertEquals(gate, half[0], 1e-6, what + ": deterministic gate");
        if (stretch[0] == DiffPruning.LOWER && stretch[1] == DiffPruning.UPPER) {
          assertEquals(DiffPruning.deterministicGate(logAlpha), half[0], 1e-6, what);
        }
      }
    }
  }

  @Test
  void trainingMovesOnlyTheDiffAndThePrunedModelKeepsTheTarget() {
    ParamSnapshot base = base();
    DiffPruning dp = new DiffPruning(0.5);
    ParamSnapshot start = dp.initialize(base);
    ParamSnapshot a = trained(start, dp, 3, 4);
    ParamSnapshot again = trained(start, dp, 3, 4);
    ParamSnapshot other = trained(start, dp, 4, 4);
    for (Param p : a.params()) {
      assertArrayEquals(p.data(), again.get(p.name()).data(), p.name());
      if (!DiffPruning.isDiff(p.name())) {
        assertArrayEquals(start.get(p.name()).data(), p.data(), p.name() + " moved");
      }
    }
    assertFalse(java.util.Arrays.equals(a.get("h0/attn/wq.diff").data(),
        start.get("h0/attn/wq.diff").data()));
    assertFalse(java.util.Arrays.equals(a.get("h0/attn/wq.diff").data(),
        other.get("h0/attn/wq.diff").data()), "another seed, other gate noise");
    ParamSnapshot pruned = dp.merge(a);
    assertEquals(base.names(), pruned.names());
    long n = base.params().stream().mapToLong(Param::size).sum();
    long k = Math.round(n * 0.5 / 100);
    long changed = DiffPruning.changedEntries(base, pruned);
    assertTrue(changed <= k && changed >= 0.95 * k, changed + " changed entries, target " + k);
  }

  @Test
  void structuredTensorGatesScaleTheirTensorsDiffAndPenalty() {
    // the objective at the start: every gate at log α = 5, so the paper's structured expected
    // L0 is Σ_t P(z_t ≠ 0)·Σ_i P(z_i ≠ 0) = N·P², against N·P unstructured
    ParamSnapshot base = base();
    DiffPruning dp = new DiffPruning(1.0, 1e-6, true);
    ParamSnapshot start = dp.initialize(base);
    assertEquals(4 * base.names().size(), start.names().size());
    assertArrayEquals(new long[] {1}, start.get(DiffPruning.tensorGate("wte")).shape());
    assertTrue(DiffPruning.isGate(DiffPruning.tensorGate("wte"))
        && ParamKind.ofName(DiffPruning.tensorGate("wte")) == ParamKind.DIFF);
    long n = base.params().stream().mapToLong(Param::size).sum();
    double p = DiffPruning.openProbability(DiffPruning.LOG_ALPHA_INIT);
    assertEquals(loss(base) + 1e-6 * n * p * p, firstObjective(dp, start), 1e-4);
    // the projection ranks z_t·z·w: tensor b's gate is shut (log α = −5), so none of its
    // entries is kept, and a's at log α = 0.5 (z_t = 3·sigmoid(0.5) − 1.5 = 0.3676) scales a's
    ParamSnapshot s = new ParamSnapshot();
    s.put(new Param("a", new long[] {4}, new float[] {1, 2, 3, 4}));
    s.put(new Param("a.diff", new long[] {4}, new float[] {0.5f, -0.9f, 0.2f, 0.7f}));
    s.put(new Param("a.diff_gate", new long[] {4}, new float[] {5f, -5f, 5f, 5f}));
    s.put(new Param("a.diff_tensor_gate", new long[] {1}, new float[] {0.5f}));
    s.put(new Param("b", new long[] {4}, new float[] {0, 0, 0, 0}));
    s.put(new Param("b.diff", new long[] {4}, new float[] {-0.6f, 0.1f, 3f, 0.3f}));
    s.put(new Param("b.diff_gate", new long[] {4}, new float[] {5f, 5f, 5f, 5f}));
    s.put(new Param("b.diff_tensor_gate", new long[] {1}, new float[] {-5f}));
    double zt = 3 / (1 + Math.exp(-0.5)) - 1.5;
    ParamSnapshot m = new DiffPruning(37.5, 0, true).merge(s); // 3 of 8: a's three open ones
    float[] a = m.get("a").data();
    assertEquals(1 + zt * 0.5, a[0], 1e-6);
    assertEquals(2, a[1]);
    assertEquals(3 + zt * 0.2, a[2], 1e-6);
    assertEquals(4 + zt * 0.7, a[3], 1e-6);
    assertArrayEquals(new float[4], m.get("b").data());
    assertTrue(DiffPruning.fixedMask(s).get("a.diff_tensor_gate").get(0), "frozen after");
    assertTrue(DiffPruning.gateSummary(s).contains("2 tensor gates"), DiffPruning.gateSummary(s));
    // keyed only when on: every unstructured key stays as it was
    assertFalse(org.cpift.util.CacheKey.tree(new DiffPruning(0.5)).has("structured"));
    assertTrue(org.cpift.util.CacheKey.tree(dp).has("structured"));
  }

  @Test
  void theProjectionKeepsTheLargestGatedDiffsByHand() {
    // two tensors of 4 entries; gates: log α = 5 (open), −5 (shut) and 0 (z = 0)
    ParamSnapshot s = new ParamSnapshot();
    s.put(new Param("a", new long[] {4}, new float[] {1, 2, 3, 4}));
    s.put(new Param("a.diff", new long[] {4}, new float[] {0.5f, -0.9f, 0.2f, 0.7f}));
    s.put(new Param("a.diff_gate", new long[] {4}, new float[] {5f, -5f, 5f, 5f}));
    s.put(new Param("b", new long[] {4}, new float[] {0, 0, 0, 0}));
    s.put(new Param("b.diff", new long[] {4}, new float[] {-0.6f, 0.1f, 3f, 0.3f}));
    s.put(new Param("b.diff_gate", new long[] {4}, new float[] {5f, 5f, 0f, 5f}));
    // gated diffs: a: 0.5, 0 (shut), 0.2, 0.7; b: −0.6, 0.1, 0 (z = 0), 0.3
    ParamSnapshot m = new DiffPruning(37.5).merge(s); // 3 of 8 entries: 0.7, −0.6, 0.5
    assertArrayEquals(new float[] {1.5f, 2, 3, 4.7f}, m.get("a").data());
    assertArrayEquals(new float[] {-0.6f, 0, 0, 0}, m.get("b").data());
    // ties at the threshold go to the earlier position, across tensors: |z·w| = 0.5 four times,
    // 3 of 8 kept: the larger 0.7, then the first two 0.5s (a's first, then b's first)
    ParamSnapshot t = new ParamSnapshot();
    t.put(new Param("a", new long[] {4}, new float[] {1, 2, 3, 4}));
    t.put(new Param("a.diff", new long[] {4}, new float[] {0.5f, 0.1f, 0.7f, 0.1f}));
    t.put(new Param("a.diff_gate", new long[] {4}, new float[] {5f, 5f, 5f, 5f}));
    t.put(new Param("b", new long[] {4}, new float[] {0, 0, 0, 0}));
    t.put(new Param("b.diff", new long[] {4}, new float[] {0.1f, -0.5f, 0.5f, 0.5f}));
    t.put(new Param("b.diff_gate", new long[] {4}, new float[] {5f, 5f, 5f, 5f}));
    m = new DiffPruning(37.5).merge(t);
    assertArrayEquals(new float[] {1.5f, 2, 3.7f, 4}, m.get("a").data());
    assertArrayEquals(new float[] {0, -0.5f, 0, 0}, m.get("b").data());
    assertThrows(IllegalArgumentException.class, () -> new DiffPruning(0));
  }
}
