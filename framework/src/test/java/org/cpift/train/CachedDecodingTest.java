package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.CharTokenizer;
import org.cpift.model.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * Greedy decoding with a key/value cache gives the tokens that recomputing the whole prefix gives:
 * prompts of mixed lengths in one batch (padding masked in the cache), a partial last batch, and
 * prompts that run into the end of the context.
 */
class CachedDecodingTest {
  @Test
  void cachedDecodingEqualsRecomputation() {
    ModelConfig mc = ModelConfig.tiny(CharTokenizer.standard().vocabSize()).withContextLength(48);
    SplittableRandom rnd = new SplittableRandom(11);
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      int len = i == 3 ? 46 : i == 7 ? 48 : 1 + rnd.nextInt(30);
      int[] p = new int[len];
      for (int j = 0; j < len; j++) {
        p[j] = 5 + rnd.nextInt(90);
      }
      prompts.add(p);
    }
    try (ModelSession m = ModelSession.create(mc, null, 4)) {
      List<int[]> cached = GreedyGenerator.generate(m, prompts, 20, 4);
      List<int[]> recomputed = GreedyGenerator.generateByRecompute(m, prompts, 20, 4);
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(recomputed.get(i), cached.get(i), "prompt " + i);
      }
      assertEquals(2, cached.get(3).length, "a 46-token prompt has room for 2 tokens in 48");
      assertEquals(0, cached.get(7).length, "a prompt that fills the context gets nothing");
    }
  }
}
