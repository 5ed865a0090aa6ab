package org.cpift.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.util.CpiftException;
import org.cpift.util.Shuffle;

/**
 * Step 4 of CPI-FT: the order in which groups become training stages G1..GK.
 * <ul>
 *   <li>{@code RANDOM} (the paper's main setting): a seeded shuffle;</li>
 *   <li>{@code BY_SIZE}: larger groups first (ties: smaller first task index);</li>
 *   <li>{@code EASY_TO_HARD}: by the mean validation score of the groups' single-task experts,
 *       highest first, so the hardest tasks train last and are forgotten least;</li>
 *   <li>{@code EXPLICIT}: the order of task names given by the user;</li>
 *   <li>{@code TASK_ORDER}: the suite's task order (by each group's first task), the same on
 *       every seed — the order sequential SFT uses when given none.</li>
 * </ul>
 */
public final class StageOrdering {
  /** Ordering policy. */
  public enum Policy { RANDOM, BY_SIZE, EASY_TO_HARD, EXPLICIT, TASK_ORDER }

  private StageOrdering() {}

  /**
   * Orders {@code groups} (task indices). {@code expertScores} (task name → validation score) is
   * needed by {@code EASY_TO_HARD}, {@code explicit} (task names) by {@code EXPLICIT}.
   */
  /**
   * Checks a policy's inputs against the tasks before any work: an explicit order must name each
   * task exactly once.
   */
  public static void check(Policy policy, List<String> explicit, List<String> taskNames) {
    if (policy != Policy.EXPLICIT) {
      return;
    }
    if (explicit == null || explicit.isEmpty()) {
      throw new CpiftException("StageOrdering: explicitOrder is empty; order 'explicit' needs "
          + "the task names in order, e.g. " + String.join(",", taskNames));
    }
    for (String t : taskNames) {
      if (!explicit.contains(t)) {
        throw new CpiftException("StageOrdering: explicitOrder " + String.join(",", explicit)
            + " does not name task " + t + "; name each of " + String.join(",", taskNames)
            + " exactly once");
      }
    }
    if (explicit.size() != taskNames.size()) {
      throw new CpiftException("StageOrdering: explicitOrder " + String.join(",", explicit)
          + " must name each of the tasks " + String.join(",", taskNames) + " exactly once");
    }
  }

  public static List<List<Integer>> order(List<List<Integer>> groups, Policy policy, long seed,
      List<String> taskNames, Map<String, Double> expertScores, List<String> explicit) {
    List<List<Integer>> out = new ArrayList<>(groups);
    switch (policy) {
      case RANDOM -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shuffle.inPlace(out, rnd);
      }
      case BY_SIZE -> out.sort(Comparator.<List<Integer>>comparingInt(List::size).reversed()
          .thenComparingInt(g -> g.get(0)));
      case EASY_TO_HARD -> {
        if (expertScores == null) {
          throw new IllegalArgumentException("EASY_TO_HARD needs the experts' validation scores");
        }
        out.sort(Comparator.<List<Integer>>comparingDouble(g -> -mean(g, taskNames, expertScores))
            .thenComparingInt(g -> g.get(0)));
      }
      case EXPLICIT -> {
        check(policy, explicit, taskNames);
        out.sort(Comparator.comparingInt(g -> g.stream()
            .mapToInt(i -> explicit.indexOf(taskNames.get(i))).min().orElse(0)));
      }
      case TASK_ORDER -> out.sort(Comparator.comparingInt(
          g -> g.stream().mapToInt(Integer::intValue).min().orElse(0)));
      default -> throw new IllegalStateException();
    }
    return out;
  }

  private static double mean(List<Integer> g, List<String> names, Map<String, Double> scores) {
    double s = 0;
    for (int i : g) {
      Double v = scores.get(names.get(i));
      if (v == null) {
        throw new IllegalArgumentException("no expert score for task " + names.get(i));
      }
      s += v;
    }
    return s / g.size();
  }
}
