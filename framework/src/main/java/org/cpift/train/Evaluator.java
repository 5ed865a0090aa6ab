package org.cpift.train;

import java.util.ArrayList;
import java.util.List;
import org.cpift.data.Batch;
import org.cpift.data.EncodedExample;
import org.cpift.data.Tokenizer;

/**
 * Evaluates a model on examples: answer-token loss (mean cross-entropy per answer token) and
 * exact match of the greedy answer against the reference answer.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Evaluation figures; {@code predictions} holds the decoded greedy answers in order. */
  public record Result(double answerLoss, double exactMatch, int examples, List<String> predictions) {}

  public static Result evaluate(ModelSession model, Tokenizer tok, List<EncodedExample> examples,
      int maxAnswerTokens, int batchSize) {
    double[] sums = lossSums(model, examples, batchSize);
    List<String> predictions = greedyAnswers(model, tok, examples, maxAnswerTokens, batchSize,
        false);
    int correct = 0;
    for (int i = 0; i < examples.size(); i++) {
      if (predictions.get(i).strip().equals(examples.get(i).record().answer().strip())) {
        correct++;
      }
    }
    return new Result(sums[0] / Math.max(sums[1], 1), examples.isEmpty() ? 0
        : (double) correct / examples.size(), examples.size(), predictions);
  }

  /**
   * The answer tokens' summed cross-entropy and their count ({@code {lossSum, weightSum}}) over
   * {@code examples}, run in batches of {@code batchSize} in order.
   */
  public static double[] lossSums(ModelSession model, List<EncodedExample> examples,
      int batchSize) {
    double lossSum = 0;
    double weightSum = 0;
    for (int from = 0; from < examples.size(); from += batchSize) {
      var sums = model.evaluate(Batch.of(examples.subList(from,
          Math.min(examples.size(), from + batchSize))));
      lossSum += sums.lossSum();
      weightSum += sums.weightSum();
    }
    return new double[] {lossSum, weightSum};
  }

  /**
   * The greedy answer to each example's prompt of at most {@code maxChars} characters: generated
   * up to the tokens such text can take ({@link Tokenizer#maxTokensFor}), decoded, and cut to
   * {@code maxChars} (with the character tokenizer the cap in tokens is the cap in characters, so
   * nothing is cut). Otherwise as {@link #greedyAnswers}.
   */
  public static List<String> greedyAnswersWithin(ModelSession model, Tokenizer tok,
      List<EncodedExample> examples, int maxChars, int batchSize, boolean byPromptLength) {
    return greedyAnswers(model, tok, examples, tok.maxTokensFor(maxChars), batchSize,
        byPromptLength).stream().map(a -> Tokenizer.clip(a, maxChars)).toList();
  }

  /**
   * The greedy answer to each example's prompt, decoded, in the examples' order. With
   * {@code byPromptLength} the prompts are decoded sorted by length (stable), so that the rows of
   * a batch are alike and pad less; the answers come back in the examples' order either way.
   */
  public static List<String> greedyAnswers(ModelSession model, Tokenizer tok,
      List<EncodedExample> examples, int maxNewTokens, int batchSize, boolean byPromptLength) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      order.add(i);
    }
    if (byPromptLength) {
      order.sort((a, b) -> Integer.compare(examples.get(a).answerStart(),
          examples.get(b).answerStart()));
    }
    List<int[]> prompts = new ArrayList<>();
    order.forEach(i -> prompts.add(examples.get(i).promptTokens()));
    List<int[]> answers = GreedyGenerator.generate(model, prompts, maxNewTokens, batchSize,
        tok.eos());
    String[] out = new String[examples.size()];
    for (int k = 0; k < order.size(); k++) {
      out[order.get(k)] = tok.decode(answers.get(k));
    }
    return List.of(out);
  }
}
