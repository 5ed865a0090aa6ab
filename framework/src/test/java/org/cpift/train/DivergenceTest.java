package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cpift.optim.OptimizerConfig;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;

class DivergenceTest {
  @Test
  void nonFiniteLossStopsWithTheStep() {
    // SGD without clipping at an absurd learning rate overflows within a few steps
    OptimizerConfig sgd = OptimizerConfig.sgd().withClipNorm(0f);
    TrainConfig tc = new TrainConfig(50, 8, 1e30f, 0, 1f, sgd, 1, 100, 0, 4, 0, 4);
    try (ModelSession m = ModelSession.create(FreezeAndDeterminismTest.CFG, sgd, 1)) {
      CpiftException e = assertThrows(CpiftException.class, () -> Trainer.train(m,
          FreezeAndDeterminismTest.TOK, FreezeAndDeterminismTest.DATA, null, tc, null, "nan"));
      assertTrue(e.getMessage().matches("training diverged: the loss is (NaN|Infinity) at step \\d+ .*"),
          e.getMessage());
    }
  }
}
