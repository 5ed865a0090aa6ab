package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cpift.data.Batch;
import org.cpift.data.CharTokenizer;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.junit.jupiter.api.Test;

/**
 * A traced step is the same step: the same loss and, bit for bit, the same parameters as an
 * untraced one on a twin session; and its trace names the op types that ran (the matmuls among
 * them), by the scope they belong to. (How long anything takes is the benchmark's to measure.)
 */
class StepProfileTest {
  @Test
  void aTracedStepIsTheSameStepAndNamesWhatRan() {
    ModelConfig c = ModelConfig.tiny(101).withContextLength(32);
    CharTokenizer tok = CharTokenizer.standard();
    Batch b = Batch.of(List.of(
        EncodedExample.encode(new SftRecord("Add 2 and 3.", "5"), tok, 32, "t"),
        EncodedExample.encode(new SftRecord("Say hi.", "hi there"), tok, 32, "t")));
    try (ModelSession plain = ModelSession.create(c, OptimizerConfig.adamW(), 3);
        ModelSession traced = ModelSession.create(c, OptimizerConfig.adamW(), 3)) {
      float loss = plain.trainStep(b, 1e-3f).loss();
      ModelSession.StepProfile p = traced.profileStep(b, 1e-3f);
      ParamSnapshot a = plain.parameters();
      ParamSnapshot t = traced.parameters();
      for (Param q : a.params()) {
        assertArrayEquals(q.data(), t.get(q.name()).data(), q.name());
      }
      assertEquals(loss, p.result().loss());
      assertEquals(1, traced.step());
      assertTrue(p.microsByOpType().keySet().stream().anyMatch(StepBenchmark::isMatMul),
          p.microsByOpType().keySet().toString());
      assertTrue(p.microsByScope().containsKey("Gradients")
          && p.microsByScope().containsKey("optimizer"), p.microsByScope().keySet().toString());
      assertTrue(p.microsByOpType().values().stream().allMatch(v -> v >= 0));
    }
  }
}
