package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.Batch;
import org.cpift.data.Batcher;
import org.cpift.data.CharTokenizer;
import org.cpift.data.EncodedExample;
import org.cpift.data.ToyTasks;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeAndDeterminismTest {
  static final CharTokenizer TOK = CharTokenizer.standard();
  static final ModelConfig CFG = new ModelConfig(TOK.vocabSize(), 32, 2, 2, 24, 2,
      ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
  static final List<EncodedExample> DATA =
      EncodedExample.encodeAll(ToyTasks.reverse(200, 3, 6, 4), TOK, 24, "reverse");

  @Test
  void frozenEntriesStayBitIdenticalAfterMaskSwitchWithLiveMoments() {
    for (OptimizerConfig opt : List.of(OptimizerConfig.adamW().withWeightDecay(0.1f),
        OptimizerConfig.sgd().withWeightDecay(0.1f))) {
      try (ModelSession m = ModelSession.create(CFG, opt, 1)) {
        Batcher batcher = new Batcher(DATA, 16, 2);
        for (int s = 0; s < 5; s++) {
          m.trainStep(batcher.batch(s), 1e-2f); // moments become non-zero everywhere
        }
        ParamSnapshot atFreeze = m.parameters();
        ParamSnapshot slotsAtFreeze = m.optimizerState();
        ParamMask frozen = randomMask(atFreeze, 0.3, 9);
        String wholeVar = "h1/mlp/w1";
        frozen.put(wholeVar, all(atFreeze.get(wholeVar).size()));
        m.freeze(frozen);
        for (int s = 5; s < 15; s++) {
          m.trainStep(batcher.batch(s), 1e-2f);
        }
        ParamSnapshot after = m.parameters();
        ParamSnapshot slotsAfter = m.optimizerState();
        long changedTrainable = 0;
        for (Param p : atFreeze.params()) {
          BitSet f = frozen.get(p.name());
          float[] now = after.get(p.name()).data();
          for (int j = 0; j < p.size(); j++) {
            if (f.get(j)) {
              assertEquals(Float.floatToRawIntBits(p.data()[j]), Float.floatToRawIntBits(now[j]),
                  opt.type() + " frozen " + p.name() + "[" + j + "] moved");
            } else if (p.data()[j] != now[j]) {
              changedTrainable++;
            }
          }
        }
        for (Param slot : slotsAtFreeze.params()) {
          String var = slot.name().substring(slot.name().indexOf('/') + 1);
          BitSet f = frozen.get(var);
          float[] now = slotsAfter.get(slot.name()).data();
          for (int j = f.nextSetBit(0); j >= 0; j = f.nextSetBit(j + 1)) {
            assertEquals(Float.floatToRawIntBits(slot.data()[j]), Float.floatToRawIntBits(now[j]),
                "slot " + slot.name() + "[" + j + "] of a frozen entry moved");
          }
        }
        assertTrue(changedTrainable > 0.5 * (atFreeze.numElements() - frozen.cardinality()),
            "most trainable entries should move, moved " + changedTrainable);
        // unfreezing lets the entries move again
        m.freeze(null);
        m.trainStep(batcher.batch(15), 1e-2f);
        assertNotEquals(after.get(wholeVar), m.parameters().get(wholeVar));
      }
    }
  }

  @Test
  void sameSeedSameWeightsAndSameLossCurve() {
    float[] a = curve(5);
    float[] b = curve(5);
    assertArrayEquals(a, b);
    try (ModelSession m1 = ModelSession.create(CFG, null, 5);
        ModelSession m2 = ModelSession.create(CFG, null, 5);
        ModelSession m3 = ModelSession.create(CFG, null, 6)) {
      assertEquals(m1.parameters(), m2.parameters());
      assertNotEquals(m1.parameters().get("wte"), m3.parameters().get("wte"));
    }
  }

  private static float[] curve(long seed) {
    try (ModelSession m = ModelSession.create(CFG, OptimizerConfig.adamW(), seed)) {
      Batcher batcher = new Batcher(DATA, 16, 3);
      float[] losses = new float[8];
      for (int s = 0; s < losses.length; s++) {
        losses[s] = m.trainStep(batcher.batch(s), 3e-3f).loss();
      }
      return losses;
    }
  }

  @Test
  void killedRunResumesToTheSameWeights(@TempDir Path dir) throws IOException {
    TrainConfig tc = new TrainConfig(20, 8, 3e-3f, 3, 0.1f, OptimizerConfig.adamW(), 4, 10, 0, 10,
        5, 8);
    ParamSnapshot straight;
    long straightTokens;
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      straightTokens = Trainer.train(m, TOK, DATA, null, tc, null, "k").tokens();
      straight = m.parameters();
    }
    Path ckpt = dir.resolve("ckpt");
    double killedWall;
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      // "killed" after step 12
      killedWall = Trainer.train(m, TOK, DATA, null, tc, ckpt, "k", 12).wallSeconds();
    }
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      Trainer.Result r = Trainer.train(m, TOK, DATA, null, tc, ckpt, "k");
      assertEquals(10, r.resumedFromStep());
      assertEquals(straight, m.parameters());
      // tokens and time count the steps before the checkpoint too (steps 11–12 were lost)
      assertEquals(straightTokens, r.tokens());
      double atCheckpoint = Json.MAPPER.readTree(ckpt.resolve("latest.json").toFile())
          .path("wall_seconds").asDouble();
      assertTrue(atCheckpoint > 0 && r.wallSeconds() > atCheckpoint, r.wallSeconds() + "");
      assertTrue(killedWall > 0);
    }
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(org.cpift.util.CpiftException.class,
          () -> Trainer.train(m, TOK, DATA, null, tc, ckpt, "other-settings"));
      assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }
    // a damaged checkpoint (one flipped bit in the optimizer state) is set aside and the run
    // starts over, reaching the same weights
    Path damaged = dir.resolve("ckpt2");
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      Trainer.train(m, TOK, DATA, null, tc, damaged, "k", 12);
    }
    Path opt;
    try (var steps = java.nio.file.Files.list(damaged)) {
      opt = steps.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst()
          .orElseThrow().resolve("optimizer.safetensors");
    }
    byte[] b = java.nio.file.Files.readAllBytes(opt);
    b[b.length - 3] ^= 0x10;
    java.nio.file.Files.write(opt, b);
    try (ModelSession m = ModelSession.create(CFG, tc.optimizer(), 2)) {
      Trainer.Result r = Trainer.train(m, TOK, DATA, null, tc, damaged, "k");
      assertEquals(0, r.resumedFromStep());
      assertEquals(straight, m.parameters());
    }
    try (var siblings = java.nio.file.Files.list(dir)) {
      assertTrue(siblings.anyMatch(p -> p.getFileName().toString().startsWith("ckpt2.damaged-")));
    }
  }

  @Test
  void modelIsCausal() {
    try (ModelSession m = ModelSession.create(CFG, null, 3)) {
      int[] a = {1, 10, 20, 30, 40, 50};
      int[] b = {1, 10, 20, 31, 41, 51};
      int[] targets = {10, 20, 30, 40, 50, 2};
      float[] prefix = {1, 1, 1, 0, 0, 0};
      float[] suffix = {0, 0, 0, 1, 1, 1};
      // changing tokens 3..5 leaves the loss of predictions at positions 0..2 unchanged
      double la = m.evaluate(new Batch(1, 6, a, targets, prefix, 3)).lossSum();
      double lb = m.evaluate(new Batch(1, 6, b, targets, prefix, 3)).lossSum();
      assertEquals(la, lb, 1e-6);
      double sa = m.evaluate(new Batch(1, 6, a, targets, suffix, 3)).lossSum();
      double sb = m.evaluate(new Batch(1, 6, b, targets, suffix, 3)).lossSum();
      assertNotEquals(sa, sb, 1e-6);
      int[] pa = m.predict(a, 1, 6);
      int[] pb = m.predict(b, 1, 6);
      assertArrayEquals(java.util.Arrays.copyOf(pa, 3), java.util.Arrays.copyOf(pb, 3));
    }
  }

  static ParamMask randomMask(ParamSnapshot layout, double p, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ParamMask mask = new ParamMask();
    for (Param q : layout.params()) {
      BitSet b = new BitSet();
      for (int j = 0; j < q.size(); j++) {
        if (rnd.nextDouble() < p) {
          b.set(j);
        }
      }
      mask.put(q.name(), b);
    }
    return mask;
  }

  static BitSet all(int n) {
    BitSet b = new BitSet(n);
    b.set(0, n);
    return b;
  }
}
