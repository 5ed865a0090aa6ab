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

  /** The validation score of a merge grid's entry (not a hyperparameter). */
  static final String SCORE = "val_normalized";

  /**
   * One cell's choice: the chosen value of every hyperparameter the grid varied, and those at
   * the smallest or largest value tried; {@code method} is the row's label.
   */
  public record Choice(String variant, String method, long seed, Map<String, Double> chosen,
      List<String> atEdge, int candidates) {}

  /**
   * Every cell that chose on validation, in the cells' order: a grid in the cell's details, or
   * one per task under {@code per_task} (LiNeS post hoc), shown as "label [task]".
   */
  public static List<Choice> of(List<CellResult> cells) {
    List<Choice> out = new ArrayList<>();
    for (CellResult c : cells) {
      Map<String, Object> details = c.result().details();
      if (details == null) {
        continue;
      }
      String label = c.cell().label();
      choice(out, c, label, details);
      if (details.get("per_task") instanceof Map<?, ?> perTask) {
        perTask.forEach((task, d) -> {
          if (d instanceof Map<?, ?> m) {
            choice(out, c, label + " [" + task + "]", m);
          }
        });
      }
    }
    return out;
  }

  /**
   * The choice recorded in {@code details}: a hyperparameter is a key the grid's entries vary and
   * the details give the value used for; it is at an edge when the grid tried at least three
   * values of it and the one used is the smallest or the largest.
   */
  private static void choice(List<Choice> out, CellResult c, String label, Map<?, ?> details) {
    if (!(details.get("validation_grid") instanceof List<?> grid) || grid.isEmpty()) {
      return;
    }
    List<Map<?, ?>> entries = new ArrayList<>();
    for (Object o : grid) {
      if (o instanceof Map<?, ?> m) {
        entries.add(m);
      }
    }
    Map<String, Double> chosen = new LinkedHashMap<>();
    List<String> atEdge = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Map<?, ?> entry : entries) {
      for (Object key : entry.keySet()) {
        String k = String.valueOf(key);
        if (seen.contains(k) || k.equals(SCORE)) {
          continue;
        }
        seen.add(k);
        TreeSet<Double> tried = new TreeSet<>();
        entries.forEach(m -> {
          Double v = number(m.get(key));
          if (v != null) {
            tried.add(v);
          }
        });
        Double v = number(details.get(k));
        if (tried.size() < 2 || v == null) {
          continue; // not varied by the grid, or not a setting the cell reports using
        }
        chosen.put(k, v);
        if (atBound(details, k, v)) {
          continue; // the parameter's own limit (CPI-FT's ω = 1): no wider grid exists
        }
        if (tried.size() >= 3 && v.equals(tried.first())) {
          atEdge.add(k + " = " + fmt(v) + " (smallest of " + fmt(tried.first()) + "–"
              + fmt(tried.last()) + ")");
        } else if (tried.size() >= 3 && v.equals(tried.last())) {
          atEdge.add(k + " = " + fmt(v) + " (largest of " + fmt(tried.first()) + "–"
              + fmt(tried.last()) + ")");
        }
      }
    }
    if (chosen.isEmpty()) {
      return;
    }
    // candidates: the distinct settings tried (a grid may list one setting more than once)
    java.util.Set<List<Double>> settings = new java.util.HashSet<>();
    entries.forEach(m -> settings.add(chosen.keySet().stream()
        .map(k -> number(m.get(k))).toList()));
    out.add(new Choice(c.cell().variant(), label, c.result().seed(), chosen, atEdge,
        settings.size()));
  }

  /**
   * Whether {@code v} is a limit of the range a cell's details declare for {@code key}
   * ({@code range: {key: [lowest, highest]}}), where a grid cannot reach further.
   */
  static boolean atBound(Map<?, ?> details, String key, double v) {
    if (details.get("range") instanceof Map<?, ?> range
        && range.get(key) instanceof List<?> r && r.size() == 2) {
      Double lo = number(r.get(0));
      Double hi = number(r.get(1));
      return lo != null && v == lo || hi != null && v == hi;
    }
    return false;
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
      String label = HtmlReport.label(new Summaries.Arm(arm.get(0), arm.get(1)));
      out.add(new Line(label, cs.size(), cs.get(0).candidates(), String.join("; ", parts),
          edges.isEmpty() ? "" : String.join("; ", edges)));
    });
    return out;
  }

  static final String NOTE = "Chosen per seed by the average normalized validation score over "
      + "the method's grid of candidates (a merge's, LiNeS', WEMoE's, CPI-FT's ω); a choice at "
      + "the smallest or largest of three or more values tried means the best setting may lie "
      + "outside the grid (the method may be under-tuned), unless that value is the parameter's "
      + "own limit (ω = 1), which is not flagged.";

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
