package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cpift.merge.Lines;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LiNeS after the fact on each expert: the α it reports is one of the grid, and the scores it
 * reports are those of that edited expert, the unedited expert and the base, recomputed here.
 */
class LinesPosthocTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path cache;

  @Test
  void reportsTheEditedExpertsScoresAndTheControls() {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withBudgets(b -> b.withExpertSteps(10))
        .withEvaluation(e -> new MethodConfig.Evaluation(6, false)).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code"), cache), cfg);
    MethodResult r = Methods.create("lines-posthoc").run(ctx);
    for (int i = 0; i < 2; i++) {
      String task = ctx.taskNames().get(i);
      Map<String, Double> row = r.scores().get(task);
      double alpha = row.get("alpha");
      assertTrue(LinesPosthoc.ALPHAS.contains(alpha), task + " alpha " + alpha);
      ProbeFineTuning.Expert e = ProbeFineTuning.expert(ctx, ctx.tasks().get(i));
      Map<String, Map<String, Double>> edited = ctx.evaluate(Lines.posthoc(ctx.base().params(),
          e.params(), alpha));
      Map<String, Map<String, Double>> expert = ctx.evaluate(e.params());
      Map<String, Map<String, Double>> base = ctx.evaluate(ctx.base().params());
      assertEquals(edited.get(task).get("score"), row.get("score"), 0, task);
      assertEquals(others(edited, task), row.get("control_score"), 1e-12, task);
      assertEquals(others(expert, task), row.get("control_score_expert"), 1e-12, task);
      assertEquals(others(base, task), row.get("control_score_base"), 1e-12, task);
    }
  }

  static double others(Map<String, Map<String, Double>> s, String own) {
    return s.entrySet().stream().filter(x -> !x.getKey().equals(own))
        .mapToDouble(x -> x.getValue().get("score")).average().orElseThrow();
  }
}
