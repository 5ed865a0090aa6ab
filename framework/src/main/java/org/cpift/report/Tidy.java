package org.cpift.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.experiment.CellResult;
import org.cpift.method.MethodResult;
import org.cpift.util.CpiftException;

/**
 * Turns cell results into tidy rows, adding the derived metrics defined once here:
 * <ul>
 *   <li>{@code score} and {@code answer_loss} per task, and {@code score} for task {@code average};</li>
 *   <li>{@code normalized}: score ÷ the single-task expert's score on that task for the same seed
 *       (the expert cells of the same variant when it has any, else of variant
 *       {@code default}; a variant's seed is never normalized by another variant's expert); task
 *       {@code average} holds the mean over tasks (none for a seed whose expert scored 0 on some
 *       task: the ratio is undefined there);</li>
 *   <li>for staged methods scored after every stage: {@code acc} = mean_j R[T][j] and
 *       {@code bwt} = mean over tasks trained before the last stage of R[T][j] − R[s(j)][j], with
 *       R[i][j] the score on task j after stage i and s(j) the stage that trained j;</li>
 *   <li>{@code fused_score}: CPI-FT's fused model scored before pipelined SFT;</li>
 *   <li>{@code stage_drop} per task trained before the last stage: R[T][j] − R[s(j)][j] (ΔA);</li>
 *   <li>{@code stage_gain} per task of the last stage: R[T][j] − R[T−1][j] (ΔB), and its mean
 *       under task {@code average};</li>
 *   <li>{@code delta}: final score − expert score per task (forgetting when negative);</li>
 *   <li>costs under task {@code all}: {@code train_steps}, {@code tokens}, {@code wall_seconds},
 *       {@code shared_steps}, {@code shared_wall_seconds}.</li>
 * </ul>
 */
public final class Tidy {
  private Tidy() {}

  public static List<Row> rows(String experiment, List<CellResult> cells) {
    List<Row> out = new ArrayList<>();
    Map<String, MethodResult> experts = new LinkedHashMap<>();
    java.util.Set<String> ownExperts = new java.util.HashSet<>(); // variants with experts
    for (CellResult c : cells) {
      if (c.cell().method().equals("single-task")) {
        experts.put(c.cell().variant() + "/" + c.cell().seed(), c.result());
        ownExperts.add(c.cell().variant());
      }
    }
    for (CellResult c : cells) {
      MethodResult r = c.result();
      String v = c.cell().variant();
      String m = c.cell().label();
      long seed = c.cell().seed();
      String h = c.key().substring(0, 12);
      double sum = 0;
      for (var e : r.scores().entrySet()) {
        for (var mv : e.getValue().entrySet()) {
          out.add(new Row(experiment, v, m, e.getKey(), seed, mv.getKey(), mv.getValue(), h));
        }
        sum += e.getValue().get("score");
      }
      out.add(new Row(experiment, v, m, "average", seed, "score", sum / r.scores().size(), h));
      if (r.details() != null && r.details().get("fused_scores") instanceof Map<?, ?> fused) {
        double fsum = 0;
        for (var e : fused.entrySet()) {
          double x = ((Number) e.getValue()).doubleValue();
          out.add(new Row(experiment, v, m, String.valueOf(e.getKey()), seed, "fused_score", x, h));
          fsum += x;
        }
        if (!fused.isEmpty()) {
          out.add(new Row(experiment, v, m, "average", seed, "fused_score", fsum / fused.size(), h));
        }
      }
      // a variant with experts of its own is normalized by them only: a seed whose own expert
      // is missing has no ratio (its row's seeds say so), never a ratio to another variant's
      MethodResult expert = ownExperts.contains(v) ? experts.get(v + "/" + seed)
          : experts.get("default/" + seed);
      if (expert != null) {
        double nsum = 0;
        int n = 0;
        int undefined = 0;
        for (var e : r.scores().entrySet()) {
          Map<String, Double> ex = expert.scores().get(e.getKey());
          if (ex == null) {
            undefined++; // no expert on this task: no ratio, and so no average
            continue;
          }
          double es = ex.get("score");
          double s = e.getValue().get("score");
          out.add(new Row(experiment, v, m, e.getKey(), seed, "delta", s - es, h));
          if (es > 0) {
            out.add(new Row(experiment, v, m, e.getKey(), seed, "normalized", s / es, h));
            nsum += s / es;
            n++;
          } else {
            undefined++;
          }
        }
        // an expert scoring 0 leaves its task's ratio undefined; an average over the other tasks
        // would not be comparable with the average score, so there is none for this seed
        if (n > 0 && undefined == 0) {
          out.add(new Row(experiment, v, m, "average", seed, "normalized", nsum / n, h));
        }
      }
      if (!r.stageScores().isEmpty() && r.groups() != null
          && r.groups().size() == r.stageScores().size()) {
        List<Map<String, Double>> st = r.stageScores();
        Map<String, Double> last = st.get(st.size() - 1);
        double acc = last.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double bwt = 0;
        int nb = 0;
        for (int k = 0; k < r.groups().size() - 1; k++) {
          for (String task : r.groups().get(k)) {
            double drop = last.get(task) - st.get(k).get(task);
            out.add(new Row(experiment, v, m, task, seed, "stage_drop", drop, h));
            bwt += drop;
            nb++;
          }
        }
        // ΔB: what the last stage gained on its own tasks, R[T][j] − R[T−1][j]
        if (st.size() >= 2) {
          double gain = 0;
          List<String> lastGroup = r.groups().get(r.groups().size() - 1);
          for (String task : lastGroup) {
            double g = last.get(task) - st.get(st.size() - 2).get(task);
            out.add(new Row(experiment, v, m, task, seed, "stage_gain", g, h));
            gain += g;
          }
          out.add(new Row(experiment, v, m, "average", seed, "stage_gain", gain / lastGroup.size(),
              h));
        }
        out.add(new Row(experiment, v, m, "average", seed, "acc", acc, h));
        if (nb > 0) {
          out.add(new Row(experiment, v, m, "average", seed, "bwt", bwt / nb, h));
        }
        for (int k = 0; k < st.size(); k++) {
          for (var e : st.get(k).entrySet()) {
            out.add(new Row(experiment, v, m, e.getKey(), seed, "score_after_stage_" + (k + 1),
                e.getValue(), h));
          }
        }
      }
      out.add(new Row(experiment, v, m, "all", seed, "train_steps", r.cost().steps(), h));
      out.add(new Row(experiment, v, m, "all", seed, "tokens", r.cost().tokens(), h));
      out.add(new Row(experiment, v, m, "all", seed, "wall_seconds", r.cost().wallSeconds(), h));
      out.add(new Row(experiment, v, m, "all", seed, "shared_steps", r.cost().sharedSteps(), h));
      out.add(new Row(experiment, v, m, "all", seed, "shared_wall_seconds",
          r.cost().sharedWallSeconds(), h));
    }
    for (Row r : out) {
      if (!Double.isFinite(r.value())) {
        throw new CpiftException(experiment + ": the cell " + r.configHash() + "… (" + r.method()
            + ", " + r.variant() + ", seed " + r.seed() + ") has " + r.metric() + " = " + r.value()
            + " for " + r.task() + "; a report never aggregates a non-finite value. Delete that "
            + "cell's file (cells/" + r.configHash() + "*.json in the run directory) and run again");
      }
    }
    return out;
  }
}
