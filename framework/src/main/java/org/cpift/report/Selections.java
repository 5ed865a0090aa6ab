package org.cpift.report;

import static org.cpift.report.Svg.esc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.cpift.experiment.CellResult;

/**
 * The hyperparameters each method chose on validation (a cell's {@code validation_grid} in its
 * details: the merge baselines' λ, TIES' k, DARE's p, LiNeS' β, WEMoE's router settings), and
 * which were chosen at an edge of the grid tried. A choice at the edge says the grid may not
 * contain the method's best setting: the baseline may be under-tuned, and a reader should know.
 */
public final class Selections {
  private Selections() {}

  /** The score of a grid entry; every other key of an entry is a hyperparameter. */
  static final String SCORE = "val_normalized";

  /**
   * One cell's choice: the chosen value of every hyperparameter the grid varied, and those at
   * the smallest or largest value tried.
   */
  public record Choice(String variant, String method, long seed, Map<String, Double> chosen,
      List<String> atEdge, int candidates) {}

  /** Every cell that chose on validation, in the cells' order. */
  public static List<Choice> of(List<CellResult> cells) {
    List<Choice> out = new ArrayList<>();
    for (CellResult c : cells) {
      Map<String, Object> details = c.result().details();
      if (details == null || !(details.get("validation_grid") instanceof List<?> grid)
          || grid.isEmpty()) {
        continue;
      }
      List<Map<?, ?>> entries = new ArrayList<>();
      for (Object o : grid) {
        if (o instanceof Map<?, ?> m) {
          entries.add(m);
        }
      }
      Map<?, ?> best = best(entries);
      if (best == null) {
        continue;
      }
      Map<String, Double> chosen = new LinkedHashMap<>();
      List<String> atEdge = new ArrayList<>();
      for (Object key : best.keySet()) {
        String k = String.valueOf(key);
        TreeSet<Double> tried = new TreeSet<>();
        entries.forEach(m -> {
          Double v = number(m.get(key));
          if (v != null) {
            tried.add(v);
          }
        });
        if (k.equals(SCORE) || tried.size() < 2) {
          continue; // not a hyperparameter, or one the grid did not vary
        }
        // the value the cell used (its details), else the grid's best entry's
        Double v = number(details.get(k));
        v = v != null && tried.contains(v) ? v : number(best.get(key));
        if (v == null) {
          continue;
        }
        chosen.put(k, v);
        if (v.equals(tried.first())) {
          atEdge.add(k + " = " + fmt(v) + " (smallest of " + fmt(tried.first()) + "–"
              + fmt(tried.last()) + ")");
        } else if (v.equals(tried.last())) {
          atEdge.add(k + " = " + fmt(v) + " (largest of " + fmt(tried.first()) + "–"
              + fmt(tried.last()) + ")");
        }
      }
      if (!chosen.isEmpty()) {
        out.add(new Choice(c.cell().variant(), c.cell().method(), c.result().seed(), chosen,
            atEdge, entries.size()));
      }
    }
    return out;
  }

  /** The entry with the highest finite validation score (the first of equals), else null. */
  static Map<?, ?> best(List<Map<?, ?>> entries) {
    Map<?, ?> best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (Map<?, ?> m : entries) {
      Double s = number(m.get(SCORE));
      if (s != null && !s.isNaN() && s > bestScore) {
        bestScore = s;
        best = m;
      }
    }
    return best;
  }

  static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  static String fmt(double v) {
    return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(4))
        .stripTrailingZeros().toPlainString() : String.valueOf(v);
  }

  /** One row per variant and method: the chosen values per seed, and the choices at an edge. */
  record Line(String label, int seeds, int candidates, String chosen, String edges) {}

  static List<Line> lines(List<Choice> choices) {
    Map<List<String>, List<Choice>> byArm = new LinkedHashMap<>();
    choices.forEach(c -> byArm.computeIfAbsent(List.of(c.variant(), c.method()),
        k -> new ArrayList<>()).add(c));
    List<Line> out = new ArrayList<>();
    byArm.forEach((arm, cs) -> {
      cs.sort(java.util.Comparator.comparingLong(Choice::seed));
      Map<String, List<String>> values = new LinkedHashMap<>();
      cs.forEach(c -> c.chosen().forEach((k, v) ->
          values.computeIfAbsent(k, x -> new ArrayList<>()).add(fmt(v))));
      List<String> parts = new ArrayList<>();
      values.forEach((k, vs) -> parts.add(k + " " + String.join(", ", vs)));
      Map<String, Integer> edgeCount = new LinkedHashMap<>();
      cs.forEach(c -> c.atEdge().forEach(e -> edgeCount.merge(e, 1, Integer::sum)));
      List<String> edges = new ArrayList<>();
      edgeCount.forEach((e, n) -> edges.add(e + " on " + n + " of " + cs.size() + " seeds"));
      String label = arm.get(0).equals("default") ? arm.get(1)
          : arm.get(1) + " (" + arm.get(0) + ")";
      out.add(new Line(label, cs.size(), cs.get(0).candidates(), String.join("; ", parts),
          edges.isEmpty() ? "" : String.join("; ", edges)));
    });
    return out;
  }

  static final String NOTE = "Chosen per seed by the average normalized validation score over "
      + "the method's grid of candidates (merge/MergeRegistry); a choice at the smallest or "
      + "largest value tried means the best setting may lie outside the grid (the baseline may "
      + "be under-tuned).";

  /** The page's section, or "" when no cell chose on validation. */
  static String html(List<CellResult> cells) {
    List<Line> lines = lines(of(cells));
    if (lines.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("<h2>Hyperparameters chosen on validation</h2><p>")
        .append(esc(NOTE)).append("</p><div class=\"tw\"><table><tr><th>method</th>"
            + "<th>candidates</th><th>chosen (by seed)</th><th>at an edge of the grid</th></tr>");
    for (Line l : lines) {
      b.append("<tr><td>").append(esc(l.label())).append("</td><td>").append(l.candidates())
          .append("</td><td>").append(esc(l.chosen())).append("</td><td")
          .append(l.edges().isEmpty() ? ">none" : " class=\"inc\">" + esc(l.edges()))
          .append("</td></tr>");
    }
    return b.append("</table></div>").toString();
  }

  /** The Markdown section, or "" when no cell chose on validation. */
  static String markdown(List<CellResult> cells) {
    List<Line> lines = lines(of(cells));
    if (lines.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("\n### Hyperparameters chosen on validation\n\n")
        .append(NOTE).append("\n\n| method | candidates | chosen (by seed) | at an edge of the grid |\n"
            + "|---|---:|---|---|\n");
    for (Line l : lines) {
      b.append("| ").append(Markdown.cell(l.label())).append(" | ").append(l.candidates())
          .append(" | ").append(Markdown.cell(l.chosen())).append(" | ")
          .append(l.edges().isEmpty() ? "none" : Markdown.cell(l.edges())).append(" |\n");
    }
    return b.toString();
  }
}
