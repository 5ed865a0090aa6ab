package org.cpift.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cpift.experiment.CellResult;

/**
 * A part of an experiment's report page that the experiment owns (the page's generic parts,
 * results, per-task bars, seesaw, overlap, forgetting and claims, come from the data alone): its
 * HTML, with each chart also put into {@code figures} under its file name without extension;
 * a section with a table for {@code report.md} too gives its Markdown.
 */
@FunctionalInterface
public interface Section {
  String html(Summaries s, List<CellResult> cells, Map<String, String> figures);

  /** A titled HTML table of text cells with a caption (each cell escaped). */
  static String htmlTable(String title, String[] head, List<String[]> rows, String caption) {
    StringBuilder b = new StringBuilder("<h2>").append(Svg.esc(title))
        .append("</h2><div class=\"tw\"><table><tr>");
    for (String h : head) {
      b.append("<th>").append(Svg.esc(h)).append("</th>");
    }
    b.append("</tr>");
    for (String[] row : rows) {
      b.append("<tr>");
      for (String c : row) {
        b.append("<td>").append(Svg.esc(c)).append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</table></div><p><small>").append(Svg.esc(caption)).append("</small></p>")
        .toString();
  }

  /**
   * The same table in Markdown under a level-3 title; {@code right} marks the columns aligned
   * right (numbers).
   */
  static String markdownTable(String title, String[] head, boolean[] right, List<String[]> rows,
      String caption) {
    StringBuilder b = new StringBuilder("\n### ").append(title).append("\n\n|");
    for (String h : head) {
      b.append(' ').append(Markdown.cell(h)).append(" |");
    }
    b.append("\n|");
    for (boolean r : right) {
      b.append(r ? "---:|" : "---|");
    }
    b.append('\n');
    for (String[] row : rows) {
      b.append('|');
      for (String c : row) {
        b.append(' ').append(Markdown.cell(c)).append(" |");
      }
      b.append('\n');
    }
    return b.append('\n').append(caption).append('\n').toString();
  }

  /** The section in {@code report.md}; none unless the section gives one. */
  default String markdown(Summaries s, List<CellResult> cells) {
    return "";
  }

  /**
   * A section that is one table, the same in HTML and Markdown, its rows from the summaries (no
   * rows: the section is left out); {@code right} marks the right-aligned Markdown columns.
   */
  static Section table(String title, String[] head, boolean[] right, String caption,
      Function<Summaries, List<String[]>> rows) {
    return new Section() {
      @Override
      public String html(Summaries s, List<CellResult> cells, Map<String, String> figures) {
        List<String[]> r = rows.apply(s);
        return r.isEmpty() ? "" : htmlTable(title, head, r, caption);
      }

      @Override
      public String markdown(Summaries s, List<CellResult> cells) {
        List<String[]> r = rows.apply(s);
        return r.isEmpty() ? "" : markdownTable(title, head, right, r, caption);
      }
    };
  }

  /**
   * The average score against a swept parameter, one curve per method, with 95% bootstrap
   * bands: {@code x} reads the parameter's value from a variant's label (null for variants not
   * in the sweep, e.g. "default").
   */
  static Section sweep(String parameter, Function<String, Double> x) {
    return (s, cells, figures) -> {
      Map<String, List<double[]>> byMethod = new java.util.LinkedHashMap<>();
      for (Summaries.Arm arm : s.variantsAndMethods()) {
        Double v = x.apply(arm.variant());
        var r = s.get(arm.variant(), arm.method(), "average", "score");
        if (v != null && r.isPresent()) {
          byMethod.computeIfAbsent(arm.method(), k -> new ArrayList<>())
              .add(new double[] {v, r.get().mean(), r.get().bootLow(), r.get().bootHigh()});
        }
      }
      StringBuilder b = new StringBuilder();
      for (var e : byMethod.entrySet()) {
        List<double[]> pts = e.getValue();
        if (pts.size() < 2) {
          continue;
        }
        pts.sort((a, c) -> Double.compare(a[0], c[0]));
        String label = parameter + " (" + e.getKey() + ")";
        String chart = Svg.curve("Average score vs " + label, label,
            pts.stream().mapToDouble(p -> p[0]).toArray(),
            pts.stream().mapToDouble(p -> p[1]).toArray(),
            pts.stream().mapToDouble(p -> p[2]).toArray(),
            pts.stream().mapToDouble(p -> p[3]).toArray(), "average score");
        figures.put("fig-sweep-" + HtmlReport.slug(label), chart);
        b.append(chart);
      }
      return b.length() == 0 ? "" : "<h2>Sweep of " + Svg.esc(parameter) + "</h2><p>Bands: "
          + "95% percentile bootstrap over seeds.</p>" + b;
    };
  }

  /** A sweep whose variants are labelled {@code prefix + value} ("tau=0.1"). */
  static Section sweep(String parameter, String prefix) {
    return sweep(parameter, v -> {
      if (!v.startsWith(prefix)) {
        return null;
      }
      try {
        return Double.parseDouble(v.substring(prefix.length()));
      } catch (NumberFormatException e) {
        return null;
      }
    });
  }
}
