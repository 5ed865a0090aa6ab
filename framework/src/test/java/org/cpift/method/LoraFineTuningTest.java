package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.cpift.model.Lora;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.Preset;
import org.cpift.util.CacheKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An expert fine-tuned with LoRA, checked from its weights alone: every tensor LoRA does not
 * target is bit-identical to the base's, and every targeted matrix moved by an update of rank at
 * most r (singular values by Commons Math). Full fine-tuning's cache keys are unchanged by the
 * option's existence.
 */
class LoraFineTuningTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path cache;

  @Test
  void aLoraExpertMovesOnlyItsTargetsAndByLowRank() {
    Lora lora = new Lora(2, 4, List.of("wv", "wq", "w1"));
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY)
        .withTraining(MethodConfig.defaults(Preset.TINY).training().withLora(lora))
        .withBudgets(b -> b.withExpertSteps(20)).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math"), cache), cfg);
    ProbeFineTuning.Expert e = ProbeFineTuning.expert(ctx, ctx.tasks().get(0));
    ParamSnapshot base = ctx.base().params();
    assertEquals(base.names(), e.params().names(), "the expert is stored merged, no adapters");
    int moved = 0;
    for (Param p : base.params()) {
      float[] after = e.params().get(p.name()).data();
      if (!lora.targets(p.name())) {
        assertArrayEquals(p.data(), after, 0f, p.name() + " is not a target but moved");
        continue;
      }
      int in = (int) p.shape()[0];
      int out = (int) p.shape()[1];
      double[][] d = new double[in][out];
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < out; j++) {
          d[i][j] = after[i * out + j] - p.data()[i * out + j];
        }
      }
      double[] sv = new SingularValueDecomposition(new Array2DRowRealMatrix(d, false))
          .getSingularValues();
      assertTrue(sv[0] > 0, p.name() + " did not move");
      // beyond r = 2 only float rounding of W + (α/r)·A·B remains
      assertTrue(sv[2] < 1e-5 * sv[0] + 1e-6, p.name() + ": singular values " + sv[0] + ", "
          + sv[1] + ", " + sv[2]);
      moved++;
    }
    assertEquals(2 * 3, moved, "wq, wv and w1 of both layers");
  }

  @Test
  void fullFineTuningKeysAsBeforeAndLoraKeysApart() {
    MethodConfig full = MethodConfig.defaults(Preset.TINY);
    MethodConfig lora = full.withTraining(full.training().withLora(new Lora(8, 16,
        List.of("wq", "wv"))));
    assertTrue(!CacheKey.tree(full).toString().contains("lora"));
    assertNotEquals(CacheKey.of(full), CacheKey.of(lora));
    // LoRA that trains the weights where entries are frozen (what LoRA did before masked
    // adapters existed) keys as before; masked adapters key apart
    Lora weights = new Lora(8, 16, List.of("wq", "wv")).withFrozenEntries(
        Lora.FrozenEntries.WEIGHTS);
    assertTrue(!CacheKey.tree(weights).toString().contains("frozenEntries"));
    assertTrue(CacheKey.tree(weights.withFrozenEntries(Lora.FrozenEntries.ADAPTERS)).toString()
        .contains("frozenEntries"));
    // the targets' order does not matter
    assertEquals(CacheKey.of(lora), CacheKey.of(full.withTraining(full.training().withLora(
        new Lora(8, 16, List.of("wv", "wq", "wv"))))));
  }

  /**
   * LoRA's own learning rate: an expert trained with the run at 1e-5 and the adapters at 1e-3
   * is the expert of a run at 1e-3 bit for bit, and not that of the run at 1e-5; the rate keys
   * the expert apart, and 0 (the run's own) keys as before the option existed.
   */
  @Test
  void adaptersTrainAtLorasOwnLearningRate() {
    java.util.function.BiFunction<Float, Lora, ProbeFineTuning.Expert> expert = (lr, l) -> {
      MethodConfig d = MethodConfig.defaults(Preset.TINY);
      MethodConfig cfg = d.withTraining(d.training().withLr(lr).withLora(l))
          .withBudgets(b -> b.withExpertSteps(4)).withSeed(1);
      MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
          ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
          List.of("math"), cache), cfg);
      return ProbeFineTuning.expert(ctx, ctx.tasks().get(0));
    };
    Lora lora = new Lora(2, 4, List.of("wq", "wv"));
    ParamSnapshot fast = expert.apply(1e-3f, lora).params();
    ParamSnapshot own = expert.apply(1e-5f, lora.withLr(1e-3)).params();
    ParamSnapshot slow = expert.apply(1e-5f, lora).params();
    assertEquals(fast.sha256(), own.sha256());
    assertNotEquals(slow.sha256(), own.sha256());
    assertEquals(CacheKey.tree(lora).toString(), CacheKey.tree(lora.withLr(0)).toString());
    assertTrue(CacheKey.tree(lora.withLr(1e-3)).toString().contains("lr"));
    assertThrows(IllegalArgumentException.class, () -> lora.withLr(-1e-3));
  }

  /**
   * The adapters' size on the tiny base (2 blocks, d 64, MLP 256), counted by hand: every
   * attention and MLP matrix at r 4 is 2·(4·4·(64+64) + 2·4·(64+256)) = 9,216 entries; q and v
   * at r 2 are 2·2·2·128 = 1,024.
   */
  @Test
  void adapterParametersCountedByHand() {
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math"), cache), MethodConfig.defaults(Preset.TINY).withSeed(1));
    ParamSnapshot base = ctx.base().params();
    assertEquals(9216, new Lora(4, 8, List.of("wq", "wk", "wv", "wo", "w1", "w2"))
        .adapterParameters(base));
    assertEquals(1024, new Lora(2, 4, List.of("wq", "wv")).adapterParameters(base));
  }

  /**
   * How CPI-FT's pipeline honours frozen entries does not change a single-task expert, so
   * experts of configurations that differ only there share one cache entry (peft's masked and
   * weights variants train each expert once); the rank still keys them apart.
   */
  @Test
  void expertsKeyWithoutThePipelinesOptions() {
    java.util.function.Function<Lora, String> key = l -> {
      MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
          Preset.TINY).training().withLora(l)).withSeed(1);
      MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
          ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
          List.of("math"), cache), cfg);
      return ProbeFineTuning.key(ctx, ctx.tasks().get(0), 10);
    };
    Lora adapters = new Lora(4, 8, List.of("wq", "wv"));
    assertEquals(key.apply(adapters), key.apply(adapters.withFrozenEntries(
        Lora.FrozenEntries.WEIGHTS)));
    assertEquals(key.apply(adapters), key.apply(adapters.masked()));
    assertNotEquals(key.apply(adapters), key.apply(new Lora(8, 16, List.of("wq", "wv"))));
    assertNotEquals(key.apply(adapters), key.apply(adapters.withInit(Lora.Init.OSRM)));
  }

  /**
   * CPI-FT's pipeline under LoRA: each stage trains adapters masked at earlier stages' cores, so
   * those entries are bit-identical to what the stage that trained them left; untargeted tensors
   * never move; entries outside the cores of targeted matrices do. With
   * {@link Lora.FrozenEntries#WEIGHTS} the weights train instead (untargeted tensors move too),
   * the cores still frozen.
   */
  @Test
  void thePipelineUnderLoraKeepsEarlierCoresBitIdentical() {
    for (Lora.FrozenEntries mode : Lora.FrozenEntries.values()) {
      Lora lora = new Lora(4, 8, List.of("wq", "wv", "w1", "w2")).withFrozenEntries(mode);
      MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
          Preset.TINY).training().withLora(lora)).withSeed(1);
      MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
          ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
          List.of("math", "code", "logic"), cache), cfg);
      ParamSnapshot start = ctx.base().params();
      java.util.Map<String, ParamMask> cores = new java.util.LinkedHashMap<>();
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
      for (var t : ctx.tasks()) {
        ParamMask m = new ParamMask();
        for (Param p : start.params()) {
          java.util.BitSet b = new java.util.BitSet();
          for (int j = 0; j < p.size(); j++) {
            if (rnd.nextDouble() < 0.05) {
              b.set(j);
            }
          }
          m.put(p.name(), b);
        }
        cores.put(t.name(), m);
      }
      List<List<org.cpift.task.Task>> stages = ctx.tasks().stream().map(List::of).toList();
      ParamSnapshot afterStage1 = PipelinedSft.run(ctx, start, stages.subList(0, 1), cores, 4,
          16, true, "lora-freeze").params();
      PipelinedSft.Result r = PipelinedSft.run(ctx, start, stages, cores, 4, 16, true,
          "lora-freeze");
      assertEquals(start.names(), r.params().names(), "the result is merged, no adapters");
      ParamMask core1 = cores.get(ctx.tasks().get(0).name());
      long checked = 0;
      long moved = 0;
      long untargetedMoved = 0;
      for (Param p : start.params()) {
        float[] s1 = afterStage1.get(p.name()).data();
        float[] after = r.params().get(p.name()).data();
        java.util.BitSet c1 = core1.get(p.name());
        for (int j = 0; j < p.size(); j++) {
          if (c1.get(j)) {
            assertEquals(Float.floatToRawIntBits(s1[j]), Float.floatToRawIntBits(after[j]),
                mode + ": " + p.name() + "[" + j + "] (stage-1 core) moved");
            checked++;
          } else if (s1[j] != after[j]) {
            if (lora.targets(p.name())) {
              moved++;
            } else {
              untargetedMoved++;
            }
          }
        }
      }
      assertTrue(checked > 1000, mode + ": frozen entries checked " + checked);
      assertTrue(moved > 1000, mode + ": entries of targeted matrices moved " + moved);
      if (mode == Lora.FrozenEntries.ADAPTERS) {
        assertEquals(0, untargetedMoved, "untargeted tensors moved under masked adapters");
      } else {
        assertTrue(untargetedMoved > 100, "the weights train: " + untargetedMoved);
      }
    }
  }

  /**
   * CoPA end to end on LoRA experts: it merges their kept adapters, chooses λ on validation from
   * its grid, and scores every task; on fully fine-tuned experts it refuses with what to do.
   */
  @Test
  void copaMergesLoraExpertsAndRefusesFullOnes() {
    MethodConfig full = MethodConfig.defaults(Preset.TINY).withBudgets(b -> b.withExpertSteps(6))
        .withEvaluation(e -> e.withLimit(8)).withSeed(1);
    MethodConfig lora = full.withTraining(full.training().withLora(new Lora(2, 4,
        List.of("wq", "wv"))));
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code"), cache), lora);
    MethodResult r = Methods.create("copa").run(ctx);
    assertEquals(java.util.Set.of("math", "code"), r.scores().keySet());
    assertEquals(4, ((List<?>) r.details().get("validation_grid")).size());
    Path fresh = cache.resolve("refused");
    MethodContext fullCtx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code"), fresh), full);
    Exception ex = assertThrows(RuntimeException.class, () -> Methods.create("copa").run(fullCtx));
    assertTrue(ex.getMessage().contains("--finetune lora"), ex.getMessage());
    assertTrue(!java.nio.file.Files.exists(fresh.resolve("experts")),
        "refused before any expert trained");
  }

  /**
   * OSRM by name is task arithmetic over OSRM-started experts: the same scores as that merge
   * named with {@code --lora-init osrm}, different ones from the random start's; the matched
   * start is kept when asked; fully fine-tuned experts are refused with what to do.
   */
  @Test
  void osrmByNameIsTaskArithmeticOverOsrmStartedExperts() {
    // λ as given (no validation grid): the test compares runs, not choices
    MethodConfig full = MethodConfig.defaults(Preset.TINY).withBudgets(b -> b.withExpertSteps(6))
        .withEvaluation(e -> e.withLimit(8)).withMerge(m -> m.withSelectOnValidation(false))
        .withSeed(1);
    Lora lora = new Lora(2, 4, List.of("wq", "wv"));
    java.util.function.Function<MethodConfig, MethodContext> context = c -> MethodRunner.context(
        new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
            ROOT.resolve("benchmarks-data/suite-v1"), List.of("math", "code"), cache), c);
    MethodConfig random = full.withTraining(full.training().withLora(lora));
    MethodContext byNameCtx = context.apply(random);
    byNameCtx.keepFinalModel(); // as run-method --save-model asks
    MethodResult byName = Methods.create("osrm").run(byNameCtx);
    assertTrue(byNameCtx.finalParams() != null, "the merged model is kept for --save-model");
    assertEquals("osrm", byName.method());
    assertEquals("task-arithmetic", byName.details().get("merge"));
    assertTrue(String.valueOf(byName.details().get("experts_init")).contains("OSRM start "
        + "(orthonormal A)"), String.valueOf(byName.details().get("experts_init")));
    MethodResult named = Methods.create("task-arithmetic").run(context.apply(full.withTraining(
        full.training().withLora(lora.withInit(Lora.Init.OSRM)))));
    assertEquals(named.scores(), byName.scores());
    MethodResult randomStart = Methods.create("task-arithmetic").run(context.apply(random));
    assertNotEquals(randomStart.scores(), byName.scores(), "the OSRM start changed nothing");
    MethodConfig matched = full.withTraining(full.training().withLora(
        lora.withInit(Lora.Init.OSRM_MATCHED)));
    assertEquals(Lora.Init.OSRM_MATCHED, OsrmMerge.osrmStarted(context.apply(matched)).config()
        .training().lora().init());
    Exception ex = assertThrows(RuntimeException.class,
        () -> Methods.create("osrm").run(context.apply(full)));
    assertTrue(ex.getMessage().contains("--finetune lora"), ex.getMessage());
  }

  /** Multi-stage SFT under LoRA keeps one adapter set through its stages: it gives the model. */
  @Test
  void aStagedLoraBaselineKeepsTheAdaptersThatGiveItsModel() {
    Lora lora = new Lora(2, 4, List.of("wq", "wv"));
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
        Preset.TINY).training().withLora(lora)).withBudgets(b -> b.withExpertSteps(3))
        .withEvaluation(e -> e.withLimit(2)).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code"), cache), cfg);
    ctx.keepFinalModel();
    Methods.create("multi-stage-random").run(ctx);
    ParamSnapshot adapters = ctx.finalAdapters();
    assertTrue(adapters != null && adapters.names().stream().anyMatch(Lora::isAdapter));
    ParamSnapshot merged = lora.merge(adapters);
    for (Param p : ctx.finalParams().params()) {
      assertArrayEquals(p.data(), merged.get(p.name()).data(), 0f, p.name());
    }
  }

  @Test
  void entriesOfALoraModelCannotBeFrozen() {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
        Preset.TINY).training().withLora(new Lora(2, 4, List.of("wq"))));
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math"), cache), cfg);
    try (var m = ctx.session(ctx.base().params(), 1)) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> ctx.train(m, ctx.encode(ctx.tasks().get(0).train().subList(0, 4), "t"), 1, 1,
              new ParamMask().set("h0/attn/wq", 0)));
      assertTrue(ex.getMessage().contains("LoRA"), ex.getMessage());
    }
  }
}
