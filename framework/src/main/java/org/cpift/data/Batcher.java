package org.cpift.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.util.Shuffle;

/**
 * Deterministic batches for training: the examples are visited in a fresh seeded permutation every
 * epoch, and the batch of step s depends only on (seed, s). A resumed run therefore sees exactly
 * the batches an uninterrupted one would.
 */
public final class Batcher {
  private final List<EncodedExample> examples;
  private final int batchSize;
  private final long seed;
  private final Map<Long, int[]> permutations = new HashMap<>();

  public Batcher(List<EncodedExample> examples, int batchSize, long seed) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.examples = List.copyOf(examples);
    this.batchSize = batchSize;
    this.seed = seed;
  }

  /** The batch for training step {@code step} (0-based). */
  public Batch batch(long step) {
    List<EncodedExample> rows = new ArrayList<>(batchSize);
    int n = examples.size();
    for (int i = 0; i < batchSize; i++) {
      long k = step * batchSize + i;
      long epoch = k / n;
      rows.add(examples.get(permutation(epoch)[(int) (k % n)]));
    }
    return Batch.of(rows);
  }

  private int[] permutation(long epoch) {
    if (permutations.size() > 4) {
      permutations.keySet().removeIf(e -> e < epoch - 1);
    }
    return permutations.computeIfAbsent(epoch, e -> {
      SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + e);
      return Shuffle.permutation(examples.size(), rnd);
    });
  }

  public int size() {
    return examples.size();
  }
}
