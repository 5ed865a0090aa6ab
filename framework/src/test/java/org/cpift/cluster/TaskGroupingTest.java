package org.cpift.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TaskGroupingTest {
  /** Planted structure: {0,1,2} overlap strongly, {3,4} moderately, 5 alone. */
  static double[][] planted() {
    double[][] j = new double[6][6];
    for (int i = 0; i < 6; i++) {
      j[i][i] = 1;
    }
    set(j, 0, 1, 0.40);
    set(j, 1, 2, 0.35);
    set(j, 0, 2, 0.05);
    set(j, 3, 4, 0.15);
    set(j, 2, 3, 0.02);
    set(j, 4, 5, 0.01);
    return j;
  }

  static void set(double[][] j, int a, int b, double v) {
    j[a][b] = v;
    j[b][a] = v;
  }

  @Test
  void singleLinkageEqualsUnionFindAtEveryTau() {
    double[][] j = planted();
    for (double tau : new double[] {0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.35, 0.4, 0.5, 1.0}) {
      var g = TaskGrouping.group(j, GroupingConfig.paper().withTau(tau));
      assertEquals(UnionFind.components(j, tau), g.groups(), "tau " + tau);
    }
    assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4), List.of(5)),
        TaskGrouping.group(j, GroupingConfig.paper()).groups());
  }

  @Test
  void randomMatricesAgreeWithUnionFind() {
    SplittableRandom rnd = new SplittableRandom(4);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + rnd.nextInt(7);
      double[][] j = new double[n][n];
      for (int a = 0; a < n; a++) {
        j[a][a] = 1;
        for (int b = a + 1; b < n; b++) {
          set(j, a, b, Math.round(rnd.nextDouble() * 0.3 * 20) / 20.0); // many exact ties
        }
      }
      for (double tau : new double[] {0.05, 0.1, 0.15, 0.2}) {
        assertEquals(UnionFind.components(j, tau),
            TaskGrouping.group(j, GroupingConfig.paper().withTau(tau)).groups());
      }
    }
  }

  @Test
  void similarityExactlyAtTauLinks() {
    double[][] j = {{1, 0.1, 0.0999999}, {0.1, 1, 0}, {0.0999999, 0, 1}};
    assertEquals(List.of(List.of(0, 1), List.of(2)),
        TaskGrouping.group(j, GroupingConfig.paper().withTau(0.1)).groups());
    double[][] k = {{1, 0.85}, {0.85, 1}}; // 0.85 is stored by Smile as 0.8500000238 (1 − J as float)
    assertEquals(List.of(List.of(0, 1)), TaskGrouping.group(k, GroupingConfig.paper().withTau(0.85)).groups());
  }

  @Test
  void everythingLinkedAndNothingLinked() {
    double[][] all = {{1, 0.5, 0.5}, {0.5, 1, 0.5}, {0.5, 0.5, 1}};
    assertEquals(List.of(List.of(0, 1, 2)), TaskGrouping.group(all, GroupingConfig.paper()).groups());
    double[][] none = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    assertEquals(List.of(List.of(0), List.of(1), List.of(2)),
        TaskGrouping.group(none, GroupingConfig.paper()).groups());
    assertEquals(List.of(List.of(0)), TaskGrouping.group(new double[][] {{1}}, GroupingConfig.paper()).groups());
    // τ = 0 links everything, even disjoint cores
    assertEquals(List.of(List.of(0, 1, 2)),
        TaskGrouping.group(none, GroupingConfig.paper().withTau(0)).groups());
  }

  @Test
  void averageAndCompleteLinkageAndFixedGroups() {
    double[][] j = planted();
    // complete linkage needs every pair ≥ τ: {0,1,2} has J(0,2) = 0.05 < 0.1
    var complete = TaskGrouping.group(j, GroupingConfig.paper().withLinkage(GroupingConfig.Linkage.COMPLETE));
    assertEquals(List.of(List.of(0, 1), List.of(2), List.of(3, 4), List.of(5)), complete.groups());
    // average of {0,1} to 2 is (0.05 + 0.35)/2 = 0.2 ≥ 0.1
    var average = TaskGrouping.group(j, GroupingConfig.paper().withLinkage(GroupingConfig.Linkage.AVERAGE));
    assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4), List.of(5)), average.groups());
    // two groups: the last single-linkage merge (5 joins at J = 0.01) is the one left out
    assertEquals(List.of(List.of(0, 1, 2, 3, 4), List.of(5)),
        TaskGrouping.group(j, GroupingConfig.paper().withFixedGroups(2)).groups());
    assertEquals(6, TaskGrouping.group(j, GroupingConfig.paper().withFixedGroups(6)).groups().size());
    assertEquals(5, TaskGrouping.group(j, GroupingConfig.paper()).dendrogram().size());
  }

  @Test
  void stageOrdering() {
    List<List<Integer>> groups = List.of(List.of(0), List.of(1, 2), List.of(3));
    List<String> names = List.of("a", "b", "c", "d");
    assertEquals(List.of(List.of(1, 2), List.of(0), List.of(3)),
        StageOrdering.order(groups, StageOrdering.Policy.BY_SIZE, 0, names, null, null));
    assertEquals(List.of(List.of(3), List.of(0), List.of(1, 2)),
        StageOrdering.order(groups, StageOrdering.Policy.EASY_TO_HARD, 0, names,
            Map.of("a", 0.5, "b", 0.2, "c", 0.3, "d", 0.9), null));
    assertEquals(List.of(List.of(3), List.of(1, 2), List.of(0)),
        StageOrdering.order(groups, StageOrdering.Policy.EXPLICIT, 0, names, null,
            List.of("d", "c", "b", "a")));
    assertEquals(StageOrdering.order(groups, StageOrdering.Policy.RANDOM, 7, names, null, null),
        StageOrdering.order(groups, StageOrdering.Policy.RANDOM, 7, names, null, null));
    assertThrows(org.cpift.util.CpiftException.class, () -> StageOrdering.order(groups,
        StageOrdering.Policy.EXPLICIT, 0, names, null, List.of("a")));
    // a name twice, or one that is not a task, is refused rather than read some way
    assertThrows(org.cpift.util.CpiftException.class, () -> StageOrdering.order(groups,
        StageOrdering.Policy.EXPLICIT, 0, names, null, List.of("d", "c", "b", "a", "a")));
    assertThrows(org.cpift.util.CpiftException.class, () -> StageOrdering.order(groups,
        StageOrdering.Policy.EXPLICIT, 0, names, null, List.of("d", "c", "b", "a", "e")));
    // the suite's order, whatever the order the groups come in
    assertEquals(List.of(List.of(0), List.of(1, 2), List.of(3)), StageOrdering.order(
        List.of(List.of(3), List.of(2, 1), List.of(0)).stream().map(g -> g.stream().sorted().toList())
            .toList(), StageOrdering.Policy.TASK_ORDER, 5, names, null, null));
  }
}
