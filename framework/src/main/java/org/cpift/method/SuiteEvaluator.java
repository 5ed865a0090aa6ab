package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.data.Batch;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.data.Tokenizer;
import org.cpift.task.Task;
import org.cpift.train.Evaluator;
import org.cpift.train.ModelSession;
import org.cpift.util.CpiftException;

/**
 * Scores a model on tasks: the greedy answer of every test (or val) example scored by the task's
 * metric and averaged ({@code score}), and on the test split the mean cross-entropy per answer
 * token ({@code answer_loss}). Validation scores choose hyperparameters by their {@code score}
 * alone, so the loss, a forward pass over every item (about as dear as decoding), is not computed
 * there; a model whose outputs are not finite is still refused when its test split is scored.
 */
public final class SuiteEvaluator {
  private SuiteEvaluator() {}

  /** The slice of the items outside every declared slice. */
  public static final String OTHER = "other";

  /** The metric name of a slice's score, e.g. {@code score[shared-surface]}. */
  public static String sliceMetric(String slice) {
    return "score[" + slice + "]";
  }

  /** Mean over tasks of score ÷ reference (tasks whose reference is 0 are left out). */
  public static double normalizedAverage(Map<String, Map<String, Double>> scores,
      Map<String, Double> reference) {
    double sum = 0;
    int n = 0;
    for (Map.Entry<String, Double> e : reference.entrySet()) {
      Map<String, Double> s = scores.get(e.getKey());
      if (s != null && e.getValue() > 0) {
        sum += s.get("score") / e.getValue();
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Which split to score. */
  public enum Split { VAL, TEST }

  public static Map<String, Map<String, Double>> evaluate(ModelSession model, Tokenizer tok,
      List<Task> tasks, Split split, int limit) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Task t : tasks) {
      out.put(t.name(), evaluate(model, tok, t, split, limit));
    }
    return out;
  }

  public static Map<String, Double> evaluate(ModelSession model, Tokenizer tok, Task task,
      Split split, int limit) {
    List<SftRecord> records = split == Split.TEST ? task.test() : task.val();
    if (limit > 0 && records.size() > limit) {
      records = records.subList(0, limit);
    }
    List<EncodedExample> ex = EncodedExample.encodeAll(records, tok,
        model.config().contextLength(), task.name() + " " + split.name().toLowerCase());
    int batch = 64;
    double[] sums = split == Split.TEST ? Evaluator.lossSums(model, ex, batch) : null;
    // decoded in order of prompt length so that rows of a batch are alike (less padding), to one
    // character beyond the task's cap, so that an over-long answer shows as one
    List<String> answers = Evaluator.greedyAnswersWithin(model, tok, ex,
        task.maxAnswerChars() + 1, batch, true);
    double score = 0;
    Map<String, double[]> bySlice = new LinkedHashMap<>(); // slice -> {sum, count}
    task.slices().keySet().forEach(k -> bySlice.put(k, new double[2]));
    bySlice.put(OTHER, new double[2]);
    for (int k = 0; k < records.size(); k++) {
      SftRecord r = records.get(k);
      double s = task.metric().score(answers.get(k), r.answer());
      score += s;
      String slice = task.sliceOf(r);
      double[] acc = bySlice.get(slice == null ? OTHER : slice);
      acc[0] += s;
      acc[1]++;
    }
    if (sums != null && !Double.isFinite(sums[0])) {
      throw new CpiftException("evaluating task " + task.name() + " (" + split.name().toLowerCase()
          + "): the answer loss is " + sums[0] + "; the model's outputs are not finite (weights "
          + "that diverged or overflowed), so no score is recorded. Check the run's losses and "
          + "lower the learning rate or the merge's scaling");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("score", score / Math.max(1, ex.size()));
    if (sums != null) {
      m.put("answer_loss", sums[0] / Math.max(1, sums[1]));
    }
    if (!task.slices().isEmpty()) {
      bySlice.forEach((slice, acc) -> {
        if (acc[1] > 0) {
          m.put(sliceMetric(slice), acc[0] / acc[1]);
        }
      });
    }
    return m;
  }
}
