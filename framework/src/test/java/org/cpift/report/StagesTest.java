package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.experiment.Cell;
import org.cpift.experiment.CellResult;
import org.cpift.method.Cost;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodResult;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;

/**
 * The per-row table of core overlaps and stages, and the overlap section's choice of cells, on
 * a planted sweep of p whose rows have different overlaps, groupings and budgets.
 */
class StagesTest {
  static final List<String> TASKS = List.of("a", "b", "c");

  static double[][] sym(double ab, double ac, double bc) {
    return new double[][] {{1, ab, ac}, {ab, 1, bc}, {ac, bc, 1}};
  }

  static CellResult cell(String variant, double p, long seed, double[][] j,
      List<List<String>> groups, long steps) {
    Map<String, Map<String, Double>> sc = new LinkedHashMap<>();
    TASKS.forEach(t -> sc.put(t, Map.of("score", 0.5)));
    MethodConfig config = MethodConfig.defaults(Preset.TINY).withSeed(seed)
        .withCore(c -> c.withTopPercent(p));
    return new CellResult(new Cell(variant, "cpi-ft", config), "k" + variant + seed + "0000000000",
        new MethodResult("cpi-ft", seed, sc, new Cost(steps, 10 * steps, 1, 0, 0, 0), j, groups,
            List.of(), Map.of()));
  }

  /**
   * p = 0.5: every pair overlaps by 0.3, one stage of 100 steps on both seeds. p = 1: b and c
   * overlap by 0.20 on seed 1 and 0.04 on seed 2 (mean 0.12, above τ), so the seeds group
   * differently; a–b 0.05, a–c 0.02.
   */
  static List<CellResult> sweep() {
    List<CellResult> cells = new ArrayList<>();
    cells.add(cell("p=0.5", 0.5, 1, sym(0.3, 0.3, 0.3), List.of(TASKS), 100));
    // the same grouping listed in another order: one grouping, shown in task order
    cells.add(cell("p=0.5", 0.5, 2, sym(0.3, 0.3, 0.3), List.of(List.of("c", "a", "b")), 100));
    cells.add(cell("p=1", 1.0, 1, sym(0.05, 0.02, 0.20),
        List.of(List.of("c", "b"), List.of("a")), 200));
    cells.add(cell("p=1", 1.0, 2, sym(0.05, 0.02, 0.04),
        List.of(List.of("a"), List.of("b"), List.of("c")), 300));
    // a row without overlap (a merge) is not a row of this table
    cells.add(new CellResult(new Cell("p=1", "ties", MethodConfig.defaults(Preset.TINY)),
        "kties00000000000", new MethodResult("ties", 1, Map.of("a", Map.of("score", 0.1)),
            Cost.NONE, null, null, List.of(), Map.of())));
    return cells;
  }

  @Test
  void eachRowHasItsOwnOverlapsGroupingsAndBudget() {
    List<Stages.Line> lines = Stages.of(sweep());
    assertEquals(2, lines.size(), lines.toString());
    Stages.Line half = lines.get(0);
    assertEquals("p=0.5", half.variant());
    assertEquals(0.5, half.topPercent());
    assertEquals(0.3, half.jMin(), 1e-12);
    assertEquals(0.3, half.jMax(), 1e-12);
    assertEquals(3, half.pairsAtTau());
    assertEquals(Map.of("[a, b, c]", 2), half.groupings());
    assertEquals(1.0, half.stages(), 1e-12);
    assertEquals(100.0, half.steps(), 1e-12);

    Stages.Line one = lines.get(1);
    // mean matrix: a–b 0.05, a–c 0.02, b–c 0.12
    assertEquals(0.02, one.jMin(), 1e-12);
    assertEquals(0.12, one.jMax(), 1e-12);
    assertEquals(1, one.pairsAtTau(), "0.12 ≥ τ = 0.1");
    assertEquals(3, one.pairs());
    assertEquals(2, one.groupings().size());
    assertEquals(2.5, one.stages(), 1e-12);
    assertEquals(250.0, one.steps(), 1e-12);
    assertEquals(2, one.seeds());
    String md = Stages.markdown(sweep());
    assertTrue(md.contains("| cpi-ft (p=1) | 1 | τ = 0.1 | 0.020–0.120 | 1 of 3 | [a] [b, c] (1 of 2 seeds);"
        + " [a] [b] [c] (1 of 2 seeds) | 2.5 | 250 | 2 |"), md);
    assertTrue(md.contains("| cpi-ft (p=0.5) | 0.5 | τ = 0.1 | 0.300–0.300 | 3 of 3 | [a, b, c] | 1 | 100 | 2 |"),
        md);
    assertFalse(md.contains("ties"), md);
    // an ablation's fixed plan: τ played no part, so neither τ nor its pair count is shown
    CellResult each = cell("each", 1.0, 1, sym(0.3, 0.3, 0.3),
        List.of(List.of("a"), List.of("b"), List.of("c")), 300);
    CellResult eachTask = new CellResult(new Cell("each", "cpi-ft", each.cell().config()
        .withStaging(st -> st.withMode(MethodConfig.GroupingMode.EACH_TASK))), each.key(),
        each.result());
    assertTrue(Stages.markdown(List.of(eachTask)).contains(
        "| cpi-ft (each) | 1 | each task its own stage | 0.300–0.300 | — | [a] [b] [c] | 3 | 300 | 1 |"),
        Stages.markdown(List.of(eachTask)));
    assertTrue(Stages.html(sweep()).contains("<td>0.020–0.120</td>"));
  }

  /**
   * A sweep of p has no default variant: the overlap section shows the row at the paper's p and
   * τ, not the mean over rows with different core regions (which here would put all three tasks
   * in one group).
   */
  @Test
  void overlapSectionDoesNotAverageVariantsOfDifferentCores() {
    String html = HtmlReport.overlap(sweep(), TASKS, new HashMap<>());
    assertTrue(html.contains("mean over 2 run(s) of the variant p=1"), html);
    assertTrue(html.contains("groups: [a] [b, c]"), html);
    assertFalse(html.contains("[a, b, c]"), html);
    assertEquals("", Stages.html(List.of()));
  }
}
