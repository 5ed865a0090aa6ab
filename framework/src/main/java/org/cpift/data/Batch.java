package org.cpift.data;

import java.util.List;

/**
 * A padded batch in the layout the model graph reads: {@code [B, T]} row-major inputs, targets
 * and loss weights, T the longest example of the batch (minus one). Padding has weight 0.
 */
public record Batch(int batchSize, int length, int[] inputs, int[] targets, float[] weights,
    int answerTokens) {

  /** Builds a batch from examples; each row is {@code tokens[0..n-1)} → {@code tokens[1..n)}. */
  public static Batch of(List<EncodedExample> examples) {
    int b = examples.size();
    int t = 1;
    for (EncodedExample e : examples) {
      t = Math.max(t, e.tokens().length - 1);
    }
    int[] in = new int[b * t];
    int[] tg = new int[b * t];
    float[] w = new float[b * t];
    int answer = 0;
    for (int r = 0; r < b; r++) {
      EncodedExample e = examples.get(r);
      int[] tok = e.tokens();
      for (int j = 0; j < tok.length - 1; j++) {
        in[r * t + j] = tok[j];
        tg[r * t + j] = tok[j + 1];
        if (j + 1 >= e.answerStart()) {
          w[r * t + j] = 1f;
          answer++;
        }
      }
    }
    return new Batch(b, t, in, tg, w, answer);
  }

  public int tokens() {
    return batchSize * length;
  }
}
