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
    double lossSum = 0;
    double weightSum = 0;
    for (int from = 0; from < examples.size(); from += batchSize) {
      var sums = model.evaluate(Batch.of(examples.subList(from,
          Math.min(examples.size(), from + batchSize))));
      lossSum += sums.lossSum();
      weightSum += sums.weightSum();
    }
    List<int[]> prompts = new ArrayList<>();
    examples.forEach(e -> prompts.add(e.promptTokens()));
    List<int[]> answers = GreedyGenerator.generate(model, prompts, maxAnswerTokens, batchSize,
        tok.eos());
    int correct = 0;
    List<String> predictions = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      String got = tok.decode(answers.get(i));
      predictions.add(got);
      if (got.strip().equals(examples.get(i).record().answer().strip())) {
        correct++;
      }
    }
    return new Result(lossSum / Math.max(weightSum, 1), examples.isEmpty() ? 0
        : (double) correct / examples.size(), examples.size(), predictions);
  }
}
