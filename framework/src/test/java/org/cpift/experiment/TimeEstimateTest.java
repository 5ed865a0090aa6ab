package org.cpift.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cpift.method.Cost;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodResult;
import org.cpift.method.MethodRunner;
import org.cpift.train.Preset;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The up-front time estimate counts what the cells will do, from their configurations: each
 * method's own steps and decoded items, every expert once however many cells share it, nothing
 * for finished cells or cached experts; and the ETA tracker rescales what remains by how the
 * finished cells compared with their estimate.
 */
class TimeEstimateTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path runDir;

  @Test
  void countsEachCellsWorkAndEverySharedExpertOnce() {
    MethodRunner.Inputs in = new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), List.of("math", "code"), runDir.resolve("cache"));
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY)
        .withEvaluation(e -> new MethodConfig.Evaluation(3, false)).withSeed(1);
    int s = cfg.budgets().expertSteps();
    List<String> two = List.of("math", "code");
    List<Cell> cells = List.of(new Cell("default", "multi-task", cfg, two, Map.of()),
        new Cell("default", "task-arithmetic", cfg, two, Map.of()),
        new Cell("default", "ties", cfg, two, Map.of()),
        new Cell("default", "base", cfg, two, Map.of()),
        new Cell("again", "multi-task", cfg, two, Map.of()));
    TimeEstimate.Rates rates = new TimeEstimate.Rates(2.0, 0.5, "given");
    TimeEstimate.Estimate e = TimeEstimate.of(cells, in, runDir, rates);
    assertEquals(4, e.cells(), "the repeated multi-task cell is one cell");
    // multi-task N·S; two experts of S steps, once for both merges; base nothing
    assertEquals(2L * s + 2L * s, e.trainSteps());
    long test = 2 * 3; // two tasks, 3 items each (the evaluation limit)
    long expertVal = 2 * 200; // each expert is scored on 200 validation items when trained
    long taGrid = 10L * 2 * 3; // task arithmetic's 10 candidates on the limited validation sets
    long tiesGrid = 15L * 2 * 3; // TIES: 5 λ × 3 k
    assertEquals(test + (test + taGrid + expertVal) + (test + tiesGrid) + test, e.evalItems());
    assertEquals(e.trainSteps() * 2.0 + e.evalItems() * 0.5, e.seconds(), 1e-9);
    assertEquals(Map.of("multi-task", 1, "task-arithmetic", 1, "ties", 1, "base", 1),
        Map.of("multi-task", e.byMethod().get("multi-task").cells(), "task-arithmetic",
            e.byMethod().get("task-arithmetic").cells(), "ties", e.byMethod().get("ties").cells(),
            "base", e.byMethod().get("base").cells()));

    // a finished cell costs nothing more
    Cell done = cells.get(0);
    String key = ExperimentRunner.key(done, ExperimentRunner.context(done, in, runDir));
    Json.writeFile(runDir.resolve("cells").resolve(key + ".json"), new MethodResult("multi-task",
        1, Map.of("math", Map.of("score", 0.2), "code", Map.of("score", 0.3)), Cost.NONE, null,
        null, List.of(), Map.of()));
    TimeEstimate.Estimate after = TimeEstimate.of(cells, in, runDir, rates);
    assertEquals(1, after.finished());
    assertEquals(2L * s, after.trainSteps(), "only the experts are left to train");
  }

  @Test
  void theTrackerScalesWhatRemainsByHowFinishedCellsCompared() {
    TimeEstimate.Estimate e = new TimeEstimate.Estimate(3, 0,
        new java.util.LinkedHashMap<>(Map.of("a", 1000.0, "b", 1000.0, "c", 2000.0)), 0, 0, 0,
        new TimeEstimate.Rates(1, 1, "given"), Map.of());
    TimeEstimate.Tracker t = new TimeEstimate.Tracker(e);
    assertEquals(1.0, t.correction(), 0);
    assertEquals(4000, t.remainingSeconds(), 1e-9);
    t.finished("a", 2000); // twice as slow as estimated; prior 2% of 4000 s = 80 s on time
    assertEquals((2000 + 80.0) / (1000 + 80), t.correction(), 1e-12);
    assertEquals(3000 * (2080.0 / 1080), t.remainingSeconds(), 1e-9);
    t.finished("b", Double.NaN); // finished by another process: no time to learn from
    assertEquals(2000 * (2080.0 / 1080), t.remainingSeconds(), 1e-9);
    assertTrue(TimeEstimate.duration(45).equals("45 s") && TimeEstimate.duration(600)
        .equals("10 min") && TimeEstimate.duration(4 * 3600).equals("4.0 h"));
  }
}
