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
 * Diff pruning against independent computations: a fresh diff leaves every logit bit-identical;
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

  @Test
  void theObjectiveIsTheLossPlusTheExpectedOpenGates() {
    ParamSnapshot base = base();
    DiffPruning dp = new DiffPruning(1.0, 1e-6);
    Batch b = batch();
    double loss;
    try (ModelSession m = ModelSession.create(TINY, null, 0)) {
      m.loadParameters(base);
      var sums = m.evaluate(b);
      loss = sums.lossSum() / sums.weightSum();
    }
    long n = base.params().stream().mapToLong(Param::size).sum();
    double penalty = 1e-6 * n * DiffPruning.openProbability(DiffPruning.LOG_ALPHA_INIT);
    try (ModelSession m = ModelSession.createDiffPruning(TINY, OptimizerConfig.adamW(), 0, dp)) {
      m.loadParameters(dp.initialize(base));
      // w = 0 at the start, so the sampled gates do not change the loss yet
      assertEquals(loss + penalty, m.trainStep(b, 0f).loss(), 1e-4);
    }
    assertEquals(0.5, DiffPruning.openProbability(DiffPruning.logRatio()), 1e-12);
    assertEquals(1.0, DiffPruning.deterministicGate(5));
    assertEquals(0.0, DiffPruning.deterministicGate(-5));
    assertEquals(0.0, DiffPruning.deterministicGate(0), 1e-12); // sigmoid(0)·3 − 1.5
  }

  static ParamSnapshot trained(ParamSnapshot start, DiffPruning dp, long seed, int steps) {
    try (ModelSession m = ModelSession.createDiffPruning(TINY, OptimizerConfig.adamW(), seed,
        dp)) {
      m.loadParameters(start);
      for (int i = 0; i < steps; i++) {
        m.trainStep(batch(), 1e-2f);
      }
      return m.parameters();
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
  void theProjectionKeepsTheLargestGatedDiffsByHand() {
    // two tensors of 4 entries; gates: ρ = 5/100 (open), −5/100 (shut) and 0 (z = 0)
    ParamSnapshot s = new ParamSnapshot();
    s.put(new Param("a", new long[] {4}, new float[] {1, 2, 3, 4}));
    s.put(new Param("a.diff", new long[] {4}, new float[] {0.5f, -0.9f, 0.2f, 0.7f}));
    s.put(new Param("a.diff_gate", new long[] {4}, new float[] {0.05f, -0.05f, 0.05f, 0.05f}));
    s.put(new Param("b", new long[] {4}, new float[] {0, 0, 0, 0}));
    s.put(new Param("b.diff", new long[] {4}, new float[] {-0.6f, 0.1f, 3f, 0.3f}));
    s.put(new Param("b.diff_gate", new long[] {4}, new float[] {0.05f, 0.05f, 0f, 0.05f}));
    // gated diffs: a: 0.5, 0 (shut), 0.2, 0.7; b: −0.6, 0.1, 0 (z = 0), 0.3
    ParamSnapshot m = new DiffPruning(37.5).merge(s); // 3 of 8 entries: 0.7, −0.6, 0.5
    assertArrayEquals(new float[] {1.5f, 2, 3, 4.7f}, m.get("a").data());
    assertArrayEquals(new float[] {-0.6f, 0, 0, 0}, m.get("b").data());
    assertThrows(IllegalArgumentException.class, () -> new DiffPruning(0));
  }
}
