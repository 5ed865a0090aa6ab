package org.cpift.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.cpift.data.EncodedExample;
import org.cpift.optim.OptimizerConfig;
import org.cpift.task.Task;
import org.cpift.train.GreedyGenerator;
import org.cpift.train.ModelCheckpoint;
import org.cpift.train.ModelSession;

/**
 * Greedy answer generation as evaluation runs it: the first {@code answers} test prompts of a task,
 * decoded in order of prompt length in batches, up to the task's longest answer plus one token.
 * One untimed warm-up batch, then the whole set timed once with the key/value cache and once
 * recomputing the prefix for every token.
 */
public final class GenerationBenchmark {
  private GenerationBenchmark() {}

  /**
   * Answers and generated tokens (not counting {@code <eos>}) per second with the key/value
   * cache, the seconds the same answers take when every token recomputes its prefix, and how many
   * answers the two ways disagree on (0 expected).
   */
  public record Result(int answers, long generatedTokens, double seconds, double answersPerSecond,
      double tokensPerSecond, double recomputeSeconds, int disagreements) {}

  public static Result run(ModelCheckpoint model, Task task, int answers, int batch) {
    List<EncodedExample> ex = EncodedExample.encodeAll(
        task.test().subList(0, Math.min(answers, task.test().size())), model.tokenizer(),
        model.config().contextLength(), task.name() + " test");
    List<int[]> prompts = new ArrayList<>();
    ex.stream().sorted(Comparator.comparingInt(EncodedExample::answerStart))
        .forEach(e -> prompts.add(e.promptTokens()));
    int maxNew = model.tokenizer().maxTokensFor(task.maxAnswerChars() + 1);
    try (ModelSession m = ModelSession.create(model.config(), OptimizerConfig.adamW(), 1)) {
      m.loadParameters(model.params());
      GreedyGenerator.generate(m, prompts.subList(0, Math.min(batch, prompts.size())), maxNew, batch);
      long t0 = System.nanoTime();
      List<int[]> out = GreedyGenerator.generate(m, prompts, maxNew, batch);
      double sec = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      List<int[]> ref = GreedyGenerator.generateByRecompute(m, prompts, maxNew, batch);
      double refSec = (System.nanoTime() - t0) / 1e9;
      int differ = 0;
      for (int i = 0; i < out.size(); i++) {
        differ += java.util.Arrays.equals(out.get(i), ref.get(i)) ? 0 : 1;
      }
      long tokens = out.stream().mapToLong(a -> a.length).sum();
      return new Result(out.size(), tokens, sec, out.size() / sec, tokens / sec, refSec, differ);
    }
  }
}
