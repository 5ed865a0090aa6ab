package org.cpift.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cpift.data.CharTokenizer;

/**
 * Batched greedy decoding: every prompt is extended by its most likely next token until it emits
 * {@code <eos>}, reaches {@code maxNewTokens}, or fills the context. Rows are right-padded; the
 * model is causal, so padding after a row's end never changes its predictions.
 */
public final class GreedyGenerator {
  private GreedyGenerator() {}

  /** Generated answer ids (without {@code <eos>}) for each prompt, in order. */
  public static List<int[]> generate(ModelSession model, List<int[]> prompts, int maxNewTokens,
      int batchSize) {
    List<int[]> out = new ArrayList<>(prompts.size());
    int ctx = model.config().contextLength();
    for (int from = 0; from < prompts.size(); from += batchSize) {
      List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
      int n = chunk.size();
      int[][] seq = new int[n][];
      int[] len = new int[n];
      int[] promptLen = new int[n];
      boolean[] done = new boolean[n];
      for (int i = 0; i < n; i++) {
        promptLen[i] = len[i] = chunk.get(i).length;
        seq[i] = Arrays.copyOf(chunk.get(i), Math.min(ctx, len[i] + maxNewTokens));
        done[i] = len[i] >= seq[i].length;
      }
      for (int step = 0; step < maxNewTokens; step++) {
        List<Integer> active = new ArrayList<>();
        int t = 1;
        for (int i = 0; i < n; i++) {
          if (!done[i]) {
            active.add(i);
            t = Math.max(t, len[i]);
          }
        }
        if (active.isEmpty()) {
          break;
        }
        int b = active.size();
        int[] in = new int[b * t];
        for (int r = 0; r < b; r++) {
          int i = active.get(r);
          System.arraycopy(seq[i], 0, in, r * t, len[i]);
        }
        int[] pred = model.predict(in, b, t);
        for (int r = 0; r < b; r++) {
          int i = active.get(r);
          int next = pred[r * t + len[i] - 1];
          if (next == CharTokenizer.EOS) {
            done[i] = true;
          } else {
            seq[i][len[i]++] = next;
            done[i] = len[i] >= seq[i].length;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        out.add(Arrays.copyOfRange(seq[i], promptLen[i], len[i]));
      }
    }
    return out;
  }
}
