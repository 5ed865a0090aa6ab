package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cpift.data.CharTokenizer;
import org.cpift.data.EncodedExample;
import org.cpift.data.ToyTasks;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

/** A tiny model learns to copy short strings. */
class CopyTaskTest {
  @Test
  void tinyModelLearnsCopy() {
    CharTokenizer tok = CharTokenizer.standard();
    ModelConfig mc = ModelConfig.tiny(tok.vocabSize()).withContextLength(32);
    List<EncodedExample> train = EncodedExample.encodeAll(ToyTasks.copy(5000, 3, 6, 1), tok, 32, "copy");
    List<EncodedExample> val = EncodedExample.encodeAll(ToyTasks.copy(50, 3, 6, 2), tok, 32, "copy-val");
    TrainConfig tc = new TrainConfig(1500, 32, 3e-3f, 50, 0.1f, OptimizerConfig.adamW(), 7, 50, 0,
        50, 0, 10);
    try (ModelSession m = ModelSession.create(mc, OptimizerConfig.adamW(), 3)) {
      Trainer.Result r = Trainer.train(m, tok, train, val, tc, null, "copy");
      // the answer tokens are uniform over 26 letters at first: loss ≈ ln(101) ≈ 4.6
      assertTrue(r.initialLoss() > 3.5, "initial loss " + r.initialLoss());
      assertTrue(r.finalLoss() < 0.5, "final loss " + r.finalLoss() + " should be < 0.5 after 1500 steps");
      assertTrue(r.eval().exactMatch() > 0.5, "exact match " + r.eval().exactMatch());
      // a trained model stops with <eos> at different lengths: the cached decoder agrees with
      // recomputing the prefix for every token
      List<int[]> prompts = val.stream().map(EncodedExample::promptTokens).toList();
      List<int[]> cached = GreedyGenerator.generate(m, prompts, 12, 8);
      List<int[]> recomputed = GreedyGenerator.generateByRecompute(m, prompts, 12, 8);
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(recomputed.get(i), cached.get(i), "prompt " + i);
      }
    }
  }
}
