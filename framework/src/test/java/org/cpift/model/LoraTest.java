package org.cpift.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
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
 * LoRA against independent computations: fresh adapters (B = 0) leave every logit bit-identical;
 * the merge equals W + (α/r)·A·B written out; the merged model computes what the adapted one does;
 * training with the base frozen moves only the adapters, the base bit-identical.
 */
class LoraTest {
  static final ModelConfig LLAMA = ModelConfig.tiny(101).withContextLength(32)
      .inFamily(ModelConfig.Family.LLAMA);
  static final Lora LORA = new Lora(4, 8, Set.of("wq", "wv", "w2", "wg"));
  static final int[] INPUTS = {5, 9, 14, 3, 77, 21, 8, 40, 12, 33, 60, 2};

  static ParamSnapshot base() {
    try (ModelSession m = ModelSession.create(LLAMA, null, 7)) {
      return m.parameters();
    }
  }

  static float[] logits(ParamSnapshot p, Lora lora) {
    try (ModelSession m = ModelSession.create(LLAMA, null, 0, lora)) {
      m.loadParameters(p);
      return m.logits(INPUTS, 2, 6);
    }
  }

  @Test
  void freshAdaptersLeaveEveryLogitBitIdentical() {
    ParamSnapshot base = base();
    ParamSnapshot adapted = LORA.initialize(base, 3);
    // one A and one B per targeted matrix of each of the 2 layers
    assertEquals(base.names().size() + 2 * 2 * 4, adapted.names().size());
    assertEquals(ParamKind.ADAPTER, ParamKind.ofName("h1/mlp/wg.lora_B"));
    assertArrayEquals(logits(base, null), logits(adapted, LORA));
    assertTrue(LORA.targets("h0/attn/wq") && !LORA.targets("h0/attn/wk")
        && !LORA.targets("wte") && !LORA.targets("h0/attn/wq.lora_A"));
  }

  @Test
  void aStartsAsPeftsKaimingUniformAndBAtZero() {
    // PEFT's default start: A ~ U(−1/√in, 1/√in) (Kaiming uniform with a = √5), B = 0. A's
    // scale sets how far Adam moves an expert, so a different bound must fail here
    ParamSnapshot adapted = LORA.initialize(base(), 3);
    int checked = 0;
    for (Param p : adapted.params()) {
      if (p.name().endsWith(".lora_A")) {
        double bound = 1 / Math.sqrt(p.shape()[0]);
        double sumSq = 0;
        double max = 0;
        for (float v : p.data()) {
          assertTrue(Math.abs(v) <= bound, p.name() + ": " + v + " outside ±" + bound);
          sumSq += (double) v * v;
          max = Math.max(max, Math.abs(v));
        }
        // U(−b, b) has variance b²/3; the sample's, over in·r entries, within 15%
        assertEquals(bound * bound / 3, sumSq / p.size(), 0.15 * bound * bound / 3, p.name());
        assertTrue(max > 0.9 * bound, p.name() + " fills its range: " + max + " of " + bound);
        checked++;
      } else if (p.name().endsWith(".lora_B")) {
        for (float v : p.data()) {
          assertEquals(0f, v, p.name());
        }
      }
    }
    assertEquals(2 * 4, checked, "an A per targeted matrix of each layer");
  }

  @Test
  void mergeIsTheBaseMatrixPlusTheScaledProduct() {
    ParamSnapshot adapted = randomB(LORA.initialize(base(), 3), 11);
    ParamSnapshot merged = LORA.merge(adapted);
    assertEquals(base().names(), merged.names());
    // W + (α/r)·A·B for one matrix, written out
    String w = "h1/attn/wv";
    long[] shape = adapted.get(w).shape();
    float[] a = adapted.get(Lora.a(w)).data();
    float[] b = adapted.get(Lora.b(w)).data();
    int in = (int) shape[0];
    int out = (int) shape[1];
    for (int i = 0; i < in; i += 7) {
      for (int j = 0; j < out; j += 5) {
        double ab = 0;
        for (int k = 0; k < 4; k++) {
          ab += (double) a[i * 4 + k] * b[k * out + j];
        }
        assertEquals(adapted.get(w).data()[i * out + j] + 8.0 / 4 * ab,
            merged.get(w).data()[i * out + j], 1e-6);
      }
    }
    // an untargeted matrix is the base's
    assertArrayEquals(adapted.get("h1/attn/wk").data(), merged.get("h1/attn/wk").data());
    // the merged model computes what the adapted one does
    float[] viaAdapters = logits(adapted, LORA);
    float[] viaMerge = logits(merged, null);
    for (int i = 0; i < viaMerge.length; i++) {
      assertEquals(viaAdapters[i], viaMerge[i], 2e-5, "logit " + i);
    }
  }

  /**
   * Masked adapters (CPI-FT's pipeline under LoRA): keep masks of ones compute exactly what plain
   * adapters do; the merge is W + K ⊙ (α/r)·A·B written out; training with some entries frozen
   * moves every other entry of a targeted matrix and leaves the frozen ones bit-identical after
   * the merge, the keep masks untouched by the optimizer.
   */
  @Test
  void maskedAdaptersLeaveFrozenEntriesBitIdentical() {
    Lora masked = LORA.masked();
    ParamSnapshot plain = randomB(LORA.initialize(base(), 3), 11);
    ParamSnapshot fresh = masked.initialize(base(), 3);
    assertEquals(plain.names().size() + 2 * 4, fresh.names().size(), "one keep per matrix");
    ParamSnapshot withKeep = new ParamSnapshot(); // the plain adapters (B random) with keeps
    for (Param p : fresh.params()) {
      withKeep.put(plain.names().contains(p.name()) ? plain.get(p.name()) : p);
    }
    assertArrayEquals(logits(plain, LORA), logits(withKeep, masked), "keep masks of ones");
    // freeze a random 30% of every targeted matrix
    SplittableRandom rnd = new SplittableRandom(5);
    org.cpift.params.ParamMask frozen = new org.cpift.params.ParamMask();
    for (Param p : plain.params()) {
      if (LORA.targets(p.name())) {
        java.util.BitSet b = new java.util.BitSet();
        for (int j = 0; j < p.size(); j++) {
          if (rnd.nextDouble() < 0.3) {
            b.set(j);
          }
        }
        frozen.put(p.name(), b);
      }
    }
    ParamSnapshot start = masked.freeze(withKeep, frozen);
    String w = "h0/mlp/w2";
    ParamSnapshot merged0 = masked.merge(start);
    int in = (int) start.get(w).shape()[0];
    int out = (int) start.get(w).shape()[1];
    float[] a = start.get(Lora.a(w)).data();
    float[] bb = start.get(Lora.b(w)).data();
    for (int i = 0; i < in; i += 3) {
      for (int j = 0; j < out; j += 7) {
        double ab = 0;
        for (int k = 0; k < 4; k++) {
          ab += (double) a[i * 4 + k] * bb[k * out + j];
        }
        double keep = frozen.get(w).get(i * out + j) ? 0 : 1;
        assertEquals(start.get(w).data()[i * out + j] + keep * 8.0 / 4 * ab,
            merged0.get(w).data()[i * out + j], 1e-6);
      }
    }
    List<EncodedExample> ex = examples();
    ParamSnapshot after;
    try (ModelSession m = ModelSession.create(LLAMA, OptimizerConfig.adamW(), 0, masked)) {
      m.loadParameters(start);
      for (int i = 0; i < 3; i++) {
        m.trainStep(Batch.of(ex), 1e-2f);
      }
      after = m.parameters();
    }
    ParamSnapshot merged = masked.merge(after);
    assertEquals(base().names(), merged.names());
    // the merged model computes what the masked one did (so the graph masks as the merge does)
    float[] viaMasked = logits(after, masked);
    float[] viaMerge = logits(merged, null);
    for (int i = 0; i < viaMerge.length; i++) {
      assertEquals(viaMasked[i], viaMerge[i], 2e-5, "logit " + i);
    }
    long moved = 0;
    for (Param p : base().params()) {
      float[] before = start.get(p.name()).data();
      float[] now = merged.get(p.name()).data();
      if (!LORA.targets(p.name())) {
        assertArrayEquals(before, now, 0f, p.name() + " is not a target but moved");
        continue;
      }
      assertArrayEquals(after.get(Lora.keep(p.name())).data(),
          start.get(Lora.keep(p.name())).data(), 0f, "the keep mask trained");
      java.util.BitSet f = frozen.get(p.name());
      for (int j = 0; j < now.length; j++) {
        if (f.get(j)) {
          assertEquals(Float.floatToRawIntBits(before[j]), Float.floatToRawIntBits(now[j]),
              p.name() + "[" + j + "] is frozen but moved");
        } else if (before[j] != now[j]) {
          moved++;
        }
      }
    }
    assertTrue(moved > 1000, "entries moved: " + moved);
  }

  @Test
  void trainingWithTheBaseFrozenMovesOnlyTheAdapters() {
    ParamSnapshot start = LORA.initialize(base(), 3);
    List<EncodedExample> ex = examples();
    ParamSnapshot after;
    try (ModelSession m = ModelSession.create(LLAMA, OptimizerConfig.adamW(), 0, LORA)) {
      m.loadParameters(start);
      m.freeze(Lora.frozenBase(start));
      for (int i = 0; i < 3; i++) {
        m.trainStep(Batch.of(ex), 1e-2f);
      }
      after = m.parameters();
      // Adam keeps its two moments for the adapters alone: no state for the frozen base
      java.util.Set<String> slotted = new java.util.TreeSet<>();
      m.optimizerState().names().forEach(n -> slotted.add(n.substring(n.indexOf('/') + 1)));
      assertEquals(new java.util.TreeSet<>(start.names().stream().filter(Lora::isAdapter)
          .toList()), slotted);
      assertEquals(start.names().stream().filter(Lora::isAdapter).count(),
          m.gradients(Batch.of(ex)).names().size(), "gradients are built for the adapters only");
    }
    for (Param p : start.params()) {
      boolean same = java.util.Arrays.equals(p.data(), after.get(p.name()).data());
      if (Lora.isAdapter(p.name())) {
        assertFalse(same, p.name() + " did not train");
      } else {
        assertTrue(same, p.name() + " moved although frozen");
      }
    }
  }

  /** {@code steps} LoRA steps on two examples from {@code start}; the parameters after. */
  static ParamSnapshot trained(ParamSnapshot start, Lora lora, long seed, int steps) {
    List<EncodedExample> ex = examples();
    try (ModelSession m = ModelSession.create(LLAMA, OptimizerConfig.adamW(), seed, lora)) {
      m.loadParameters(start);
      m.freeze(Lora.frozenBase(start));
      for (int i = 0; i < steps; i++) {
        m.trainStep(Batch.of(ex), 1e-2f);
      }
      return m.parameters();
    }
  }

  /** The loss a training step reports (computed before its update), on the test examples. */
  static float stepLoss(ParamSnapshot start, Lora lora, long seed) {
    try (ModelSession m = ModelSession.create(LLAMA, OptimizerConfig.adamW(), seed, lora)) {
      m.loadParameters(start);
      m.freeze(Lora.frozenBase(start));
      return m.trainStep(Batch.of(examples()), 1e-2f).loss();
    }
  }

  @Test
  void dropoutActsInTrainingStepsOnlyAndIsSeeded() {
    Lora dropped = LORA.withDropout(0.5);
    ParamSnapshot start = randomB(LORA.initialize(base(), 3), 11);
    // evaluation: no dropout, the same model as without it (the adapters' path computed apart)
    float[] plain = logits(start, LORA);
    float[] withDropout = logits(start, dropped);
    for (int i = 0; i < plain.length; i++) {
      assertEquals(plain[i], withDropout[i], 2e-5, "logit " + i);
    }
    // training: the same seed gives the same masks, bit for bit; another seed or no dropout
    // gives another update; the base stays frozen either way
    ParamSnapshot a = trained(start, dropped, 5, 3);
    ParamSnapshot b = trained(start, dropped, 5, 3);
    ParamSnapshot c = trained(start, dropped, 6, 3);
    ParamSnapshot none = trained(start, LORA, 5, 3);
    String factor = Lora.a("h1/attn/wq");
    for (Param p : a.params()) {
      assertArrayEquals(p.data(), b.get(p.name()).data(), p.name());
      if (!Lora.isAdapter(p.name())) {
        assertArrayEquals(start.get(p.name()).data(), p.data(), p.name() + " moved");
      }
    }
    assertFalse(java.util.Arrays.equals(a.get(factor).data(), c.get(factor).data()));
    assertFalse(java.util.Arrays.equals(a.get(factor).data(), none.get(factor).data()));
    // dropout acts on the adapters' path only: with B = 0 that path adds nothing, so a training
    // step's loss is the same with and without it (dropout on the whole layer input would change
    // the base path's output, and the loss)
    ParamSnapshot fresh = LORA.initialize(base(), 3);
    assertEquals(stepLoss(fresh, LORA, 5), stepLoss(fresh, dropped, 5), 1e-6,
        "dropout reached the base path");
    assertTrue(Math.abs(stepLoss(start, LORA, 5) - stepLoss(start, dropped, 5)) > 1e-6,
        "with B != 0 the dropped adapter path changes the training loss");
    // keys of runs without dropout are those from before it existed
    assertFalse(org.cpift.util.CacheKey.tree(LORA).has("dropout"));
    assertTrue(org.cpift.util.CacheKey.tree(dropped).has("dropout"));
    assertThrows(IllegalArgumentException.class, () -> LORA.withDropout(1.0));
  }

  @Test
  void badSettingsAreRefusedWithTheirRange() {
    assertThrows(IllegalArgumentException.class, () -> new Lora(0, 8, Set.of("wq")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Lora(4, 8, Set.of("q_proj")));
    assertTrue(e.getMessage().contains("wq"), e.getMessage());
    // a SwiGLU gate on a GPT, whose MLP has none: refused, not silently left without adapters
    e = assertThrows(IllegalArgumentException.class, () -> ModelSession.create(
        ModelConfig.tiny(101).withContextLength(32), null, 0, new Lora(4, 8, Set.of("wq", "wg"))));
    assertTrue(e.getMessage().contains("[wg]") && e.getMessage().contains("--lora-targets"),
        e.getMessage());
    // r·(in + out) per adapted matrix: wq 64×64, wv 64×32 (2 kv heads), w2 176×64, wg 64×176
    assertEquals(2L * 4 * ((64 + 64) + (64 + 32) + (176 + 64) + (64 + 176)),
        LORA.parameters(ParameterLayout.of(LLAMA)));
  }

  /** B filled with seeded values, so the adapters change the model. */
  /** Two short training examples. */
  static List<EncodedExample> examples() {
    CharTokenizer tok = CharTokenizer.standard();
    return List.of(EncodedExample.encode(new SftRecord("12+3", "15"), tok, 32, "t"),
        EncodedExample.encode(new SftRecord("7+7", "14"), tok, 32, "t"));
  }

  static ParamSnapshot randomB(ParamSnapshot s, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : s.params()) {
      if (p.name().endsWith(".lora_B")) {
        float[] v = new float[p.size()];
        for (int j = 0; j < v.length; j++) {
          v[j] = (float) (r.nextGaussian() * 0.05);
        }
        out.put(p.withData(v));
      } else {
        out.put(p);
      }
    }
    return out;
  }
}
