package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full tiny-preset budgets (minutes): the experts and CPI-FT learn well beyond the base model.
 * Run with {@code mvn -B test -Pslow}.
 */
@Tag("slow")
class SlowMethodsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path cache;

  @Test
  void cpiFtAndExpertsBeatTheBaseAtTinyBudgets() {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withSeed(1).withEvaluation(e -> e.withLimit(100));
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of(), cache), cfg);
    double base = average(Methods.create("base").run(ctx));
    double experts = average(Methods.create("single-task").run(ctx));
    double cpift = average(Methods.create("cpi-ft").run(ctx));
    assertTrue(experts > base + 0.1, "experts " + experts + " vs base " + base);
    assertTrue(cpift > base + 0.05, "cpi-ft " + cpift + " vs base " + base);
  }

  static double average(MethodResult r) {
    return r.scores().values().stream().mapToDouble(m -> m.get("score")).average().orElse(0);
  }
  /**
   * A merge whose every validation candidate has no score (its one expert, trained one step,
   * scores 0 on validation) chooses nothing, and its cell says so instead of "selected on
   * validation".
   */
  @Test
  void aGridWithNoScoredCandidateSaysNothingWasChosen() {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withBudgets(b -> b.withExpertSteps(1))
        .withEvaluation(e -> e.withLimit(4)).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math"), cache), cfg);
    MethodResult r = Methods.create("task-arithmetic").run(ctx);
    @SuppressWarnings("unchecked")
    List<java.util.Map<String, Object>> grid =
        (List<java.util.Map<String, Object>>) r.details().get("validation_grid");
    assertTrue(grid.stream().allMatch(c ->
        Double.isNaN(((Number) c.get("val_normalized")).doubleValue())), grid.toString());
    assertTrue(String.valueOf(r.details().get("selected_on"))
        .startsWith("none: every candidate's average normalized validation score is undefined"),
        String.valueOf(r.details().get("selected_on")));
    assertEquals(0.1, r.details().get("lambda"));
  }
}
