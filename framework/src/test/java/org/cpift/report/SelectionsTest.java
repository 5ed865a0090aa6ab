package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.experiment.CellResult;
import org.cpift.method.MethodResult;
import org.junit.jupiter.api.Test;

class SelectionsTest {
  /** A merge cell as the baselines write it: the chosen values and the grid they tried. */
  static CellResult merge(String method, long seed, double lambdaChosen, double[] lambdas,
      double[] vals, double k) {
    CellResult c = StatisticsAndTidyTest.cell(method, seed, Map.of("a", 0.5), null, List.of());
    List<Map<String, Object>> grid = new ArrayList<>();
    for (int i = 0; i < lambdas.length; i++) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("lambda", lambdas[i]);
      t.put("top_percent", k); // the same in every entry: not a varied hyperparameter
      t.put(Selections.SCORE, vals[i]);
      grid.add(t);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("lambda", lambdaChosen);
    details.put("top_percent", k);
    details.put("validation_grid", grid);
    MethodResult r = c.result();
    return new CellResult(c.cell(), c.key(), new MethodResult(r.method(), r.seed(), r.scores(),
        r.cost(), r.jaccard(), r.groups(), r.stageScores(), details));
  }

  @Test
  void choicesAtTheEdgeOfTheGridAreNamedPerSeed() {
    double[] grid = {0.2, 0.6, 1.0};
    List<CellResult> cells = List.of(
        // seed 1: the largest λ tried wins
        merge("ties", 1, 1.0, grid, new double[] {0.1, 0.3, 0.4}, 20),
        // seed 2: an inner λ
        merge("ties", 2, 0.6, grid, new double[] {0.1, 0.5, 0.4}, 20),
        // seed 3: the smallest, a NaN score never wins
        merge("ties", 3, 0.2, grid, new double[] {0.3, Double.NaN, 0.2}, 20),
        StatisticsAndTidyTest.cell("cpi-ft", 1, Map.of("a", 0.5), null, List.of()));
    List<Selections.Choice> choices = Selections.of(cells);
    assertEquals(3, choices.size(), "only cells that chose on validation");
    assertEquals(Map.of("lambda", 1.0), choices.get(0).chosen(), "top_percent was not varied");
    assertEquals(List.of("lambda = 1 (largest of 0.2–1)"), choices.get(0).atEdge());
    assertEquals(List.of(), choices.get(1).atEdge());
    assertEquals(List.of("lambda = 0.2 (smallest of 0.2–1)"), choices.get(2).atEdge());
    List<Selections.Line> lines = Selections.lines(choices);
    assertEquals(1, lines.size());
    assertEquals("lambda 1, 0.6, 0.2", lines.get(0).chosen());
    assertEquals("lambda = 1 (largest of 0.2–1) on 1 of 3 seeds; "
        + "lambda = 0.2 (smallest of 0.2–1) on 1 of 3 seeds", lines.get(0).edges());
    String md = Selections.markdown(cells);
    assertTrue(md.contains("| ties | 3 | lambda 1, 0.6, 0.2 | lambda = 1 (largest"), md);
    assertTrue(Selections.html(cells).contains("<h2>Hyperparameters chosen on validation</h2>"));
    assertEquals("", Selections.markdown(cells.subList(3, 4)), "no section without a grid");
  }

  @Test
  void theCellsOwnValueIsTheChoiceEvenWhenTheGridHasEqualScores() {
    // two entries score the same: the cell's details say which one it used
    CellResult c = merge("dare-ta", 1, 0.6, new double[] {0.2, 0.6, 1.0},
        new double[] {0.4, 0.4, 0.1}, 20);
    assertEquals(Map.of("lambda", 0.6), Selections.of(List.of(c)).get(0).chosen());
    assertEquals(List.of(), Selections.of(List.of(c)).get(0).atEdge());
  }
}
