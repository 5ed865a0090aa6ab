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

  /** A value at the limit of the range the cell declares (CPI-FT's ω = 1) is not an edge. */
  @Test
  void aChoiceAtTheParametersOwnLimitIsNotFlagged() {
    double[] grid = {0.2, 0.5, 1.0};
    CellResult atLimit = merge("cpi-ft", 1, 1.0, grid, new double[] {0.1, 0.3, 0.4}, 20);
    CellResult atLow = merge("cpi-ft", 2, 0.2, grid, new double[] {0.5, 0.3, 0.4}, 20);
    for (CellResult c : List.of(atLimit, atLow)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> d = (Map<String, Object>) c.result().details();
      d.put("range", Map.of("lambda", List.of(0.0, 1.0)));
    }
    List<Selections.Choice> choices = Selections.of(List.of(atLimit, atLow));
    assertEquals(List.of(), choices.get(0).atEdge());
    assertEquals(List.of("lambda = 0.2 (smallest of 0.2–1)"), choices.get(1).atEdge(),
        "0.2 is the grid's edge, not the range's");
  }

  @Test
  void choicesAtTheEdgeOfTheGridAreNamedPerSeed() {
    double[] grid = {0.2, 0.6, 1.0};
    List<CellResult> cells = List.of(
        // seed 1: the largest λ tried wins
        merge("ties", 1, 1.0, grid, new double[] {0.1, 0.3, 0.4}, 20),
        // seed 2: an inner λ
        merge("ties", 2, 0.6, grid, new double[] {0.1, 0.5, 0.4}, 20),
        // seed 3: the smallest
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

  /** A cell's details as the given JSON, read as the cache reads a cell. */
  static CellResult withDetails(String method, String json) throws Exception {
    CellResult c = StatisticsAndTidyTest.cell(method, 1, Map.of("a", 0.5), null, List.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> details = org.cpift.util.Json.MAPPER.readValue(json, Map.class);
    MethodResult r = c.result();
    return new CellResult(c.cell(), c.key(), new MethodResult(r.method(), r.seed(), r.scores(),
        r.cost(), r.jaccard(), r.groups(), r.stageScores(), details));
  }

  /** The shapes the methods write: per-task grids, constant keys, two-value grids. */
  @Test
  void everyShapeOfGridTheMethodsWriteIsRead() throws Exception {
    // LiNeS post hoc: a grid per task, chosen by its own rule (no val_normalized)
    CellResult posthoc = withDetails("lines-posthoc", "{\"per_task\": {"
        + "\"math\": {\"alpha\": 0.5, \"validation_grid\": [{\"target\": 0.1, \"alpha\": 0.0,"
        + " \"control\": 0.2}, {\"target\": 0.2, \"alpha\": 0.5, \"control\": 0.2},"
        + " {\"target\": 0.1, \"alpha\": 1.0, \"control\": 0.2}]},"
        + "\"logic\": {\"alpha\": 1.0, \"validation_grid\": [{\"target\": 0.1, \"alpha\": 0.0,"
        + " \"control\": 0.2}, {\"target\": 0.2, \"alpha\": 0.5, \"control\": 0.2},"
        + " {\"target\": 0.3, \"alpha\": 1.0, \"control\": 0.2}]}}}");
    List<Selections.Choice> p = Selections.of(List.of(posthoc));
    assertEquals(List.of("lines-posthoc [math]", "lines-posthoc [logic]"),
        p.stream().map(Selections.Choice::method).toList());
    assertEquals(Map.of("alpha", 0.5), p.get(0).chosen(), "target and control are scores");
    assertEquals(List.of(), p.get(0).atEdge());
    assertEquals(List.of("alpha = 1 (largest of 0–1)"), p.get(1).atEdge());
    // DARE: a seed in every entry (not varied), the drop rate and λ varied
    CellResult dare = withDetails("dare-ta", "{\"lambda\": 0.6, \"drop_rate\": 0.3, \"seed\": 7,"
        + " \"validation_grid\": [{\"lambda\": 0.2, \"drop_rate\": 0.3, \"seed\": 7,"
        + " \"val_normalized\": 0.1}, {\"lambda\": 0.6, \"drop_rate\": 0.3, \"seed\": 7,"
        + " \"val_normalized\": 0.3}, {\"lambda\": 1.0, \"drop_rate\": 0.5, \"seed\": 7,"
        + " \"val_normalized\": 0.2}, {\"lambda\": 0.6, \"drop_rate\": 0.7, \"seed\": 7,"
        + " \"val_normalized\": 0.2}]}");
    Selections.Choice d = Selections.of(List.of(dare)).get(0);
    assertEquals(Map.of("lambda", 0.6, "drop_rate", 0.3), d.chosen());
    assertEquals(List.of("drop_rate = 0.3 (smallest of 0.3–0.7)"), d.atEdge());
    assertEquals(4, d.candidates());
    // WEMoE: two learning rates, a choice between two values is never "at an edge"
    CellResult wemoe = withDetails("wemoe", "{\"router_lr\": 0.001, \"router_steps\": 50,"
        + " \"validation_grid\": [{\"router_lr\": 0.0001, \"router_steps\": 0,"
        + " \"val_normalized\": 0.3}, {\"router_lr\": 0.0001, \"router_steps\": 50,"
        + " \"val_normalized\": 0.31}, {\"router_lr\": 0.001, \"router_steps\": 50,"
        + " \"val_normalized\": 0.35}, {\"router_lr\": 0.001, \"router_steps\": 200,"
        + " \"val_normalized\": 0.32}]}");
    Selections.Choice w = Selections.of(List.of(wemoe)).get(0);
    assertEquals(Map.of("router_lr", 0.001, "router_steps", 50.0), w.chosen());
    assertEquals(List.of(), w.atEdge());
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
