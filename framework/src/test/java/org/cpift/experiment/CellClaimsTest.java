package org.cpift.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.cpift.method.Cost;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodResult;
import org.cpift.method.MethodRunner;
import org.cpift.train.Preset;
import org.cpift.util.FileLocks;
import org.cpift.util.Json;
import org.cpift.util.LockHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim protocol against other processes (Python processes holding cells' claims with POSIX
 * locks, the kind Java's FileLock takes on Linux): the runner computes every free cell first,
 * then waits for the held ones; a result another process wrote is taken as it is (not computed
 * again), and a cell whose holder died without a result is computed here.
 */
class CellClaimsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path runDir;

  @Test
  void aCellHeldByAnotherProcessIsWaitedForAndNeverComputedTwice() throws Exception {
    assumeTrue(LockHolder.available(), "python3 needed");
    MethodRunner.Inputs in = inputs();
    List<Cell> cells = baseCells(4);
    String[] keys = keys(cells, in);
    Process a = LockHolder.hold(ExperimentRunner.claimFile(runDir, keys[1]));
    Process b = LockHolder.hold(ExperimentRunner.claimFile(runDir, keys[2]));
    // "the other processes": once the free cells are done, one writes its result for its cell
    // and exits; the other dies without a result
    // (a stored cell must score every task of its suite to count as finished)
    Map<String, Map<String, Double>> scores = new java.util.LinkedHashMap<>();
    for (String t : List.of("math", "code", "logic", "instructions", "dialogue")) {
      scores.put(t, Map.of("score", t.equals("math") ? 0.123 : 0.5, "answer_loss", 1.0));
    }
    MethodResult theirs = new MethodResult("base", 2, scores, Cost.NONE, null, null, List.of(),
        Map.of());
    Thread others = new Thread(() -> {
      try {
        while (!Files.exists(runDir.resolve("cells").resolve(keys[0] + ".json"))
            || !Files.exists(runDir.resolve("cells").resolve(keys[3] + ".json"))) {
          Thread.sleep(100);
        }
        Json.writeFile(runDir.resolve("cells").resolve(keys[1] + ".json"), theirs);
        a.destroyForcibly().waitFor();
        b.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    others.start();
    try {
      List<CellResult> r = ExperimentRunner.run(cells, in, runDir);
      assertEquals(4, r.size());
      assertEquals(0.123, r.get(1).result().scores().get("math").get("score"), 0,
          "the held cell's result is the other process's, not computed again");
      assertNotEquals(0.123, r.get(2).result().scores().get("math").get("score"));
      assertTrue(r.get(2).result().details().containsKey("cell_wall_seconds"),
          "the cell whose holder died was computed here");
      // where its time went: the base scored (graph built, answers decoded, loss), nothing
      // trained, and the phases adding up to the cell's wall time
      Map<?, ?> phases = (Map<?, ?>) r.get(2).result().details().get("phase_seconds");
      double sum = phases.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
      assertEquals(((Number) r.get(2).result().details().get("cell_wall_seconds")).doubleValue(),
          sum, 0.05, phases.toString());
      assertTrue(((Number) phases.get("graph")).doubleValue() > 0, phases.toString());
      assertTrue(((Number) phases.get("decode")).doubleValue() > 0, phases.toString());
      assertTrue(((Number) phases.get("loss")).doubleValue() > 0, phases.toString());
      assertEquals(0.0, ((Number) phases.get("train")).doubleValue(), phases.toString());
    } finally {
      others.join(60_000);
      a.destroyForcibly();
      b.destroyForcibly();
    }
    // nobody holds them now: every claim can be taken
    for (String k : keys) {
      try (FileLocks.Held h = FileLocks.tryLock(ExperimentRunner.claimFile(runDir, k))) {
        assertTrue(h != null, k);
      }
    }
  }

  @Test
  void runFreeSkipsAHeldCellWithoutWaitingAndComputesTheRest() throws Exception {
    assumeTrue(LockHolder.available(), "python3 needed");
    MethodRunner.Inputs in = inputs();
    List<Cell> cells = baseCells(3);
    String[] keys = keys(cells, in);
    Process holder = LockHolder.hold(ExperimentRunner.claimFile(runDir, keys[1]));
    try {
      // what status and reproduce's estimate report: the held cell, and only it, is elsewhere
      assertTrue(ExperimentRunner.heldElsewhere(runDir, new ExperimentRunner.Pending(1, keys[1])));
      assertFalse(ExperimentRunner.heldElsewhere(runDir, new ExperimentRunner.Pending(0, keys[0])));
      // the holder never finishes: run() would wait for it for ever, runFree() must return
      List<Cell> held = ExperimentRunner.runFree(cells, in, runDir, null);
      assertEquals(List.of(cells.get(1)), held);
      assertTrue(Files.exists(runDir.resolve("cells").resolve(keys[0] + ".json")));
      assertTrue(Files.exists(runDir.resolve("cells").resolve(keys[2] + ".json")));
      assertFalse(Files.exists(runDir.resolve("cells").resolve(keys[1] + ".json")),
          "the held cell is not computed behind its holder's back");
    } finally {
      holder.destroyForcibly().waitFor();
    }
    // once its holder is gone, the skipped cell is computed by the waiting run, the others loaded
    List<CellResult> all = ExperimentRunner.run(cells, in, runDir);
    assertEquals(3, all.size());
    assertTrue(Files.exists(runDir.resolve("cells").resolve(keys[1] + ".json")));
  }

  /**
   * The tiny base on suite-v1 (a cell with no task list takes every task), cached in this test's
   * run directory.
   */
  private MethodRunner.Inputs inputs() {
    return new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), List.of("math"), runDir.resolve("cache"));
  }

  /** The base scored on three test items, seeds 1..n: cheap cells with distinct keys. */
  private static List<Cell> baseCells(int n) {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY)
        .withEvaluation(e -> new MethodConfig.Evaluation(3, false));
    return IntStream.rangeClosed(1, n)
        .mapToObj(seed -> new Cell("default", "base", cfg.withSeed(seed))).toList();
  }

  private String[] keys(List<Cell> cells, MethodRunner.Inputs in) {
    return cells.stream().map(c -> ExperimentRunner.key(c, ExperimentRunner.context(c, in,
        runDir))).toArray(String[]::new);
  }
}
