package org.cpift.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cpift.data.CharTokenizer;
import org.cpift.util.PhaseClock;

/**
 * Batched greedy decoding: every prompt is extended by its most likely next token until it emits
 * {@code <eos>}, reaches {@code maxNewTokens}, or fills the context. Rows are right-padded; the
 * model is causal, so padding after a row's end never changes its predictions.
 *
 * <p>{@link #generate} runs the prompts once and then one token per step against a key/value cache
 * ({@link CachedDecoder}); {@link #generateByRecompute} recomputes the whole prefix for
 * every token (the reference the cached decoder is tested against, and the benchmark's baseline).
 */
public final class GreedyGenerator {
  private GreedyGenerator() {}

  /** As below, stopping at the character tokenizer's {@code <eos>}. */
  public static List<int[]> generate(ModelSession model, List<int[]> prompts, int maxNewTokens,
      int batchSize) {
    return generate(model, prompts, maxNewTokens, batchSize, CharTokenizer.EOS);
  }

  /**
   * Generated answer ids (without {@code eos}) for each prompt, in order, with a cache; a row
   * stops at the tokenizer's {@code eos} id.
   */
  public static List<int[]> generate(ModelSession model, List<int[]> prompts, int maxNewTokens,
      int batchSize, int eos) {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.DECODE)) {
      return generateCached(model, prompts, maxNewTokens, batchSize, eos);
    }
  }

  private static List<int[]> generateCached(ModelSession model, List<int[]> prompts,
      int maxNewTokens, int batchSize, int eos) {
    List<int[]> out = new ArrayList<>(prompts.size());
    int ctx = model.config().contextLength();
    for (int from = 0; from < prompts.size(); from += batchSize) {
      List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
      int n = chunk.size();
      int[] len = new int[n];
      int[] cap = new int[n];
      int padded = 1;
      for (int i = 0; i < n; i++) {
        len[i] = chunk.get(i).length;
        if (len[i] < 1) {
          throw new IllegalArgumentException("prompt " + (from + i) + " is empty");
        }
        cap[i] = Math.min(ctx, len[i] + maxNewTokens);
        padded = Math.max(padded, len[i]);
      }
      if (padded > ctx) {
        throw new IllegalArgumentException("a prompt of " + padded + " tokens exceeds the context "
            + ctx);
      }
      int[] in = new int[n * padded];
      for (int i = 0; i < n; i++) {
        System.arraycopy(chunk.get(i), 0, in, i * padded, len[i]);
      }
      List<List<Integer>> answers = new ArrayList<>();
      boolean[] done = new boolean[n];
      int[] next = new int[n];
      int active = 0;
      for (int i = 0; i < n; i++) {
        answers.add(new ArrayList<>());
        done[i] = len[i] >= cap[i];
        active += done[i] ? 0 : 1;
      }
      if (active > 0) {
        try (CachedDecoder dec = model.startDecoding(in, n, padded, len, next)) {
          // positions stay below the context (len < cap <= ctx); cache slots are not positions
          while (active > 0) {
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
              if (done[i]) {
                continue;
              }
              if (next[i] == eos) {
                done[i] = true;
              } else {
                answers.get(i).add(next[i]);
                positions[i] = len[i]++;
                done[i] = len[i] >= cap[i];
              }
              active -= done[i] ? 1 : 0;
            }
            if (active == 0) {
              break;
            }
            next = dec.step(next, positions);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        out.add(answers.get(i).stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return out;
  }

  /** As {@link #generate}, recomputing the whole prefix for every generated token. */
  public static List<int[]> generateByRecompute(ModelSession model, List<int[]> prompts,
      int maxNewTokens, int batchSize) {
    return generateByRecompute(model, prompts, maxNewTokens, batchSize, CharTokenizer.EOS);
  }

  /** As {@link #generate}, recomputing the whole prefix for every generated token. */
  public static List<int[]> generateByRecompute(ModelSession model, List<int[]> prompts,
      int maxNewTokens, int batchSize, int eos) {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.DECODE)) {
      return recompute(model, prompts, maxNewTokens, batchSize, eos);
    }
  }

  private static List<int[]> recompute(ModelSession model, List<int[]> prompts,
      int maxNewTokens, int batchSize, int eos) {
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
          if (next == eos) {
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
