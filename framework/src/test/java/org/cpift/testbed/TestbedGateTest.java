package org.cpift.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;
import org.cpift.task.Task;
import org.cpift.task.TaskFormat;
import org.junit.jupiter.api.Test;

/** The gate's criteria on planted measurements, and the ambiguity ceiling on planted tasks. */
class TestbedGateTest {
  static final List<String> TASKS = List.of("a", "b", "c");

  static Map<String, Map<String, Double>> scores(double a, double b, double c) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    out.put("a", Map.of("score", a));
    out.put("b", Map.of("score", b));
    out.put("c", Map.of("score", c));
    return out;
  }

  /** A testbed that passes every criterion, with one quantity changed by {@code edit}. */
  static TestbedCheck.Measurement good(Function<Object[], Object[]> edit) {
    Object[] f = {
        scores(0.10, 0.20, 0.05), // base
        scores(0.60, 0.80, 0.50), // experts
        Map.of("a", 0.02, "b", 0.01, "c", 0.029), // |δ|/|θ0|
        List.of(new TestbedCheck.Midpoint("a", "b", 0.55, 0.70),
            new TestbedCheck.Midpoint("a", "c", 0.50, 0.45),
            new TestbedCheck.Midpoint("b", "c", 0.75, 0.40)),
        scores(0.45, 0.60, 0.35), // task arithmetic: 0.75, 0.75, 0.70 → 0.733
        scores(0.35, 0.50, 0.30), // average: 0.583, 0.625, 0.6 → 0.603
        new double[][] {{1, 0.05, 0.12}, {0.05, 1, 0.02}, {0.12, 0.02, 1}}};
    f = edit.apply(f);
    @SuppressWarnings("unchecked")
    var m = new TestbedCheck.Measurement(1, TASKS, (Map<String, Map<String, Double>>) f[0],
        (Map<String, Map<String, Double>>) f[1], (Map<String, Double>) f[2],
        new double[3][3], (List<TestbedCheck.Midpoint>) f[3], Map.of("0.3", 0.7), 0.3,
        (Map<String, Map<String, Double>>) f[4], (Map<String, Map<String, Double>>) f[5],
        (double[][]) f[6], Map.of("a", 0.6, "b", 0.8, "c", 0.5), Map.of("a", 0.5, "b", 0.6, "c", 0.4),
        "val");
    return m;
  }

  static final TestbedCheck.Ceiling NO_AMBIGUITY =
      new TestbedCheck.Ceiling(Map.of("a", 0.0, "b", 0.0, "c", 0.0), 1.0);

  static Map<String, TestbedGate.Criterion> judge(TestbedCheck.Measurement m,
      Map<String, Map<String, Double>> multiTask, TestbedCheck.Ceiling ceiling) {
    return TestbedGate.judge(List.of(m), List.of(multiTask), ceiling,
        TestbedGate.Criteria.defaults()).criteria().stream()
        .collect(Collectors.toMap(TestbedGate.Criterion::id, c -> c));
  }

  @Test
  void criteriaNameTheSplitAndOneVerdictTakesOneSplit() {
    var c = judge(good(f -> f), scores(0.5, 0.72, 0.45), NO_AMBIGUITY);
    assertTrue(c.get("base-score").description().contains("val score"));
    assertTrue(c.get("task-arithmetic").description().contains("optimistic"));
    assertTrue(c.get("seesaw").description().contains("normalized val score"));
    TestbedCheck.Measurement v = good(f -> f);
    TestbedCheck.Measurement t = new TestbedCheck.Measurement(2, v.tasks(), v.base(), v.expert(),
        v.relativeNorm(), v.cosine(), v.midpoints(), v.lambdaVal(), v.bestLambda(),
        v.taskArithmetic(), v.average(), v.jaccard(), v.expertValScore(), v.half(), null);
    assertEquals("test", t.splitName(), "a measurement cached before the split was recorded");
    // such a file, without the field, still reads (as a test measurement)
    try {
      var tree = (com.fasterxml.jackson.databind.node.ObjectNode) org.cpift.util.Json.STRICT
          .valueToTree(v);
      tree.remove("split");
      TestbedCheck.Measurement old = org.cpift.util.Json.STRICT.treeToValue(tree,
          TestbedCheck.Measurement.class);
      assertEquals(null, old.split());
      assertEquals("test", old.splitName());
      assertEquals(v.base(), old.base());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TestbedGate.judge(List.of(v, t), List.of(scores(0.5, 0.72, 0.45),
            scores(0.5, 0.72, 0.45)), NO_AMBIGUITY, TestbedGate.Criteria.defaults()));
    assertTrue(e.getMessage().contains("different splits"), e.getMessage());
  }

  @Test
  void aTestbedMeetingEveryGoalIsValid() {
    var v = TestbedGate.judge(List.of(good(f -> f)), List.of(scores(0.5, 0.72, 0.45)),
        NO_AMBIGUITY, TestbedGate.Criteria.defaults());
    v.criteria().forEach(c -> assertTrue(c.pass(), c.toString()));
    assertTrue(v.valid());
    var c = v.criteria().stream().collect(Collectors.toMap(TestbedGate.Criterion::id, x -> x));
    assertEquals(0.029, c.get("task-vector-size").measured(), 1e-12);
    assertEquals(0.05, c.get("base-score").measured(), 1e-12);
    assertEquals(0.45, c.get("expert-gain").measured(), 1e-12); // c: 0.50 − 0.05
    assertEquals(0.40 / 0.50, c.get("midpoint-retention").measured(), 1e-12); // b+c keeps 0.8 of c
    assertEquals((0.75 + 0.75 + 0.70) / 3, c.get("task-arithmetic").measured(), 1e-12);
    assertEquals((0.35 / 0.6 + 0.5 / 0.8 + 0.3 / 0.5) / 3, c.get("average-merge").measured(), 1e-12);
    assertEquals((0.5 / 0.6 + 0.72 / 0.8 + 0.45 / 0.5) / 3, c.get("seesaw").measured(), 1e-12);
    assertEquals(0.12, c.get("tau-reachable").measured(), 1e-12);
  }

  @Test
  void eachCriterionFailsOnItsOwn() {
    var mt = scores(0.5, 0.72, 0.45);
    assertFalse(judge(good(f -> {
      f[2] = Map.of("a", 0.02, "b", 0.031, "c", 0.01);
      return f;
    }), mt, NO_AMBIGUITY).get("task-vector-size").pass());
    assertFalse(judge(good(f -> {
      f[0] = scores(0.10, 0.31, 0.05);
      return f;
    }), mt, NO_AMBIGUITY).get("base-score").pass());
    assertFalse(judge(good(f -> {
      f[0] = scores(0.10, 0.20, 0.04);
      return f;
    }), mt, NO_AMBIGUITY).get("base-score").pass());
    assertFalse(judge(good(f -> {
      f[0] = scores(0.46, 0.20, 0.05); // expert a gains 0.14
      return f;
    }), mt, NO_AMBIGUITY).get("expert-gain").pass());
    assertFalse(judge(good(f -> {
      f[3] = List.of(new TestbedCheck.Midpoint("a", "b", 0.47, 0.70));
      return f;
    }), mt, NO_AMBIGUITY).get("midpoint-retention").pass());
    assertFalse(judge(good(f -> {
      f[4] = scores(0.3, 0.5, 0.3);
      return f;
    }), mt, NO_AMBIGUITY).get("task-arithmetic").pass());
    assertFalse(judge(good(f -> {
      f[5] = scores(0.1, 0.4, 0.2);
      return f;
    }), mt, NO_AMBIGUITY).get("average-merge").pass());
    // no seesaw: multi-task as good as the experts
    assertFalse(judge(good(f -> f), scores(0.6, 0.8, 0.5), NO_AMBIGUITY).get("seesaw").pass());
    // a seesaw that ambiguity explains: the ceiling is 0.85, so 0.85 − 0.05 = 0.80 is the limit
    var ambiguous = new TestbedCheck.Ceiling(Map.of("a", 0.3, "b", 0.6, "c", 0.0), 0.85);
    assertFalse(judge(good(f -> f), scores(0.5, 0.72, 0.45), ambiguous).get("seesaw").pass());
    var tau = judge(good(f -> {
      f[6] = new double[][] {{1, 0.05, 0.09}, {0.05, 1, 0.02}, {0.09, 0.02, 1}};
      return f;
    }), mt, NO_AMBIGUITY).get("tau-reachable");
    assertFalse(tau.pass());
    assertFalse(tau.required());
  }

  /** An expert that learned nothing makes every criterion about keeping its skill fail. */
  @Test
  void anExpertScoringZeroFailsTheRetentionCriteriaInsteadOfDroppingItsTask() {
    var c = judge(good(f -> {
      f[1] = scores(0.60, 0.80, 0.0);
      return f;
    }), scores(0.5, 0.72, 0.45), NO_AMBIGUITY);
    for (String id : List.of("midpoint-retention", "task-arithmetic", "average-merge", "seesaw")) {
      assertFalse(c.get(id).pass(), id);
      assertTrue(Double.isNaN(c.get(id).measured()), id);
    }
    assertTrue(c.get("midpoint-retention").description().contains("expert scores 0"));
  }

  @Test
  void overlapBelowTauDoesNotMakeATestbedInvalid() {
    var v = TestbedGate.judge(List.of(good(f -> {
      f[6] = new double[3][3];
      return f;
    })), List.of(scores(0.5, 0.72, 0.45)), NO_AMBIGUITY, TestbedGate.Criteria.defaults());
    assertTrue(v.valid());
  }

  static Task task(String name, List<String> prompts) {
    List<SftRecord> recs = prompts.stream().map(p -> new SftRecord(p, "x", p, name)).toList();
    return new Task(name, Path.of(name), TaskFormat.CANONICAL, Metric.EXACT, 8, recs, List.of(),
        recs, Map.of(), Map.of());
  }

  @Test
  void ceilingCountsItemsWhoseTemplateAnotherTaskShares() {
    Task math = task("math", List.of("Evaluate 1 + 2.", "Evaluate 3 + 40.", "Ann has 3 pens.",
        "Bo has 2 cups."));
    Task code = task("code", List.of("Evaluate 5 + 6.", "Evaluate \"5\" + \"6\".", "print(1)",
        "print(2)"));
    Task logic = task("logic", List.of("All a are b.", "No a are b.", "All c are d.", "No c are d."));
    TestbedCheck.Ceiling c = TestbedCheck.ceiling(List.of(math, code, logic), 0);
    assertEquals(0.5, c.ambiguousShare().get("math"), 1e-12);
    assertEquals(0.25, c.ambiguousShare().get("code"), 1e-12); // the quoted item is told apart
    assertEquals(0.0, c.ambiguousShare().get("logic"), 1e-12);
    assertEquals(1 - (0.5 + 0.25) / 3 / 2, c.value(), 1e-12);
    // only the first `limit` test items count
    assertEquals(1.0, TestbedCheck.ceiling(List.of(
        task("math", List.of("Ann has 3 pens.", "Evaluate 1 + 2.")),
        task("code", List.of("print(1)", "Evaluate 5 + 6."))), 1).value(), 1e-12);
  }
}
