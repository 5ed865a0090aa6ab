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
    // the targets' order does not matter
    assertEquals(CacheKey.of(lora), CacheKey.of(full.withTraining(full.training().withLora(
        new Lora(8, 16, List.of("wv", "wq", "wv"))))));
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
