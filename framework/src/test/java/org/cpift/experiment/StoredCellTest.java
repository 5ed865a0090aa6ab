package org.cpift.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.method.Cost;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodResult;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;

/**
 * A stored cell is taken as finished only when it holds what its key computes: the cell's method
 * and seed, a score on every task, each in [0, 1]; otherwise it counts as not finished (and a
 * report leaves it out) instead of entering tables or failing a report.
 */
class StoredCellTest {
  static final Cell CELL = new Cell("default", "ties", MethodConfig.defaults(Preset.TINY)
      .withSeed(2));
  static final List<String> TASKS = List.of("math", "code");

  static MethodResult result(String method, long seed, Map<String, Map<String, Double>> scores) {
    return new MethodResult(method, seed, scores, Cost.NONE, null, null, List.of(), Map.of());
  }

  static Map<String, Map<String, Double>> scores(double math, double code) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("math", Map.of("score", math, "answer_loss", 0.5));
    s.put("code", Map.of("score", code));
    return s;
  }

  @Test
  void aCellMustHoldItsKeysMethodSeedAndAScoreInRangeOnEveryTask() {
    assertNull(ExperimentRunner.problem(result("ties", 2, scores(0.0, 1.0)), CELL, TASKS));
    assertEquals("it holds method 'dare-ties', while its key is of 'ties'",
        ExperimentRunner.problem(result("dare-ties", 2, scores(0.1, 0.2)), CELL, TASKS));
    assertEquals("it holds seed 99, while its key is of seed 2",
        ExperimentRunner.problem(result("ties", 99, scores(0.1, 0.2)), CELL, TASKS));
    assertEquals("it has no \"scores\"",
        ExperimentRunner.problem(result("ties", 2, null), CELL, TASKS));
    Map<String, Map<String, Double>> missing = scores(0.1, 0.2);
    missing.remove("math");
    assertEquals("it scores tasks [code], while the cell's are [math, code]",
        ExperimentRunner.problem(result("ties", 2, missing), CELL, TASKS));
    assertEquals("its score on math is 7.5 (a score is a number in [0, 1])",
        ExperimentRunner.problem(result("ties", 2, scores(7.5, 0.2)), CELL, TASKS));
    assertTrue(ExperimentRunner.problem(result("ties", 2, scores(0.1, Double.NaN)), CELL, TASKS)
        .startsWith("its score on code is NaN"));
    Map<String, Map<String, Double>> noScore = scores(0.1, 0.2);
    noScore.put("code", Map.of("answer_loss", 0.3));
    assertTrue(ExperimentRunner.problem(result("ties", 2, noScore), CELL, TASKS)
        .startsWith("its score on code is null"));
  }

  @Test
  void aDamagedFileIsWarnedAboutOncePerProblemInAProcess(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    java.nio.file.Path f = dir.resolve("cells/abcd.json");
    assertTrue(ExperimentRunner.warnIgnored(f, "it has no \"scores\""));
    assertFalse(ExperimentRunner.warnIgnored(f, "it has no \"scores\""), "a second lookup");
    assertFalse(ExperimentRunner.warnIgnored(dir.resolve("cells/../cells/abcd.json"),
        "it has no \"scores\""), "the same file by another path");
    assertTrue(ExperimentRunner.warnIgnored(f, "it holds seed 9, while its key is of seed 2"),
        "a new problem with the file is said");
    assertTrue(ExperimentRunner.warnIgnored(dir.resolve("cells/other.json"),
        "it has no \"scores\""), "another file");
  }
}
