package org.cpift.report;

import static org.cpift.report.Svg.esc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.cluster.GroupingConfig;
import org.cpift.cluster.TaskGrouping;
import org.cpift.experiment.CellResult;

/**
 * One self-contained HTML page per experiment: inline CSS and SVG, no scripts, nothing loaded
 * from the network. Sections: the paper-style table, per-task bars with 95% CI whiskers, the
 * Jaccard heatmap and grouping dendrogram, the seesaw chart (score relative to the experts),
 * forgetting bars, sweep curves, the claims, and the run's configuration.
 */
public final class HtmlReport {
  private HtmlReport() {}

  static final String CSS = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
      + "margin:2em auto;max-width:1100px;color:#222;padding:0 1em}h1{font-size:1.6em}"
      + "h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}"
      + ".tw{max-width:100%;overflow-x:auto}.nw{white-space:nowrap}"
      + "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
      + "th,td{border:1px solid #ddd;padding:3px 4px;text-align:right}"
      + "th:first-child,td:first-child{text-align:left}tr:nth-child(even){background:#f7f7f7}"
      + ".best{font-weight:bold}.chart{display:block;margin:1em 0;width:100%;height:auto}"
      + Svg.CSS + ".supported{color:#1a7f37}.not{color:#b42318}.inc{color:#9a6700}"
      + "pre{background:#f6f8fa;padding:1em;overflow:auto;font-size:.8em;white-space:pre-wrap;"
      + "overflow-wrap:anywhere}small{color:#666}p{overflow-wrap:anywhere}";

  public static String render(String experiment, String description, Summaries s,
      List<CellResult> cells, List<Claims.Claim> claims, Map<String, Object> run) {
    return render(experiment, description, s, cells, claims, run, List.of(),
        new LinkedHashMap<>());
  }

  /**
   * The page; every chart on it is also put into {@code figures} under its file name without
   * extension ({@code fig-scores-by-task}, {@code fig-seesaw}, ...), for standalone files. The
   * experiment's own {@code sections} come after the generic parts, before the claims.
   */
  public static String render(String experiment, String description, Summaries s,
      List<CellResult> cells, List<Claims.Claim> claims, Map<String, Object> run,
      List<Section> sections, Map<String, String> figures) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>CPI-FT-J: " + esc(experiment) + "</title><style>" + CSS + "</style></head><body>");
    b.append("<h1>CPI-FT-J — ").append(esc(experiment)).append("</h1><p>").append(esc(description))
        .append("</p><p><small>preset ").append(esc(String.valueOf(run.get("preset"))))
        .append(" · seeds ").append(esc(String.valueOf(run.get("seeds")))).append(" · commit ")
        .append(esc(String.valueOf(run.get("git_commit")))).append(" · ")
        .append(esc(String.valueOf(run.get("finished_at")))).append("</small></p>");
    Object done = run.get("cells_finished");
    Object total = run.get("cells_total");
    if (done != null && !done.equals(total)) {
      b.append("<p class=\"not\"><b>Partial report: ").append(done).append(" of ").append(total)
          .append(" cells have finished.</b> Methods or seeds missing below have not run yet.</p>");
    }
    List<String> tasks = s.tasks();
    b.append("<h2>Results (mean ± std over seeds)</h2>").append(table(s, tasks));
    String bars = bars(s, tasks);
    figures.put("fig-scores-by-task", bars);
    b.append("<h2>Per-task scores (bars: mean; whiskers: 95% percentile bootstrap over seeds)</h2>")
        .append(bars);
    String seesaw = seesaw(s, tasks);
    if (!seesaw.isEmpty()) {
      figures.put("fig-seesaw", seesaw);
      b.append("<h2>Seesaw: score relative to the single-task expert</h2><p>Each bar is a method's "
          + "score on a task divided by the expert's on the same seed (whiskers: 95% percentile "
          + "bootstrap over seeds); the dashed line is parity.</p>").append(seesaw);
    }
    b.append(differences(s));
    b.append(overlap(cells, tasks, figures));
    b.append(Stages.html(cells));
    b.append(forgetting(s, tasks, figures));
    for (Section section : sections) {
      b.append(section.html(s, cells, figures));
    }
    b.append(Selections.html(cells));
    b.append("<h2>Claims of the paper, checked on this run</h2><div class=\"tw\"><table><tr><th>claim</th><th>status</th>"
        + "<th>evidence (mean [95% CI])</th></tr>");
    for (Claims.Claim c : claims) {
      String cls = c.status().startsWith("supported") ? "supported"
          : c.status().startsWith("not supported") ? "not" : "inc";
      b.append("<tr><td>").append(esc(c.statement())).append("</td><td class=\"").append(cls)
          .append("\">").append(esc(c.status())).append("</td><td>").append(esc(c.evidence()))
          .append("</td></tr>");
    }
    b.append("</table></div>");
    b.append("<h2>Configuration</h2><pre>").append(esc(org.cpift.util.Json.write(run))).append("</pre>");
    return b.append("</body></html>\n").toString();
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
  }

  static String label(Summaries.Arm arm) {
    return arm.variant().equals("default") ? arm.method() : arm.method() + " (" + arm.variant() + ")";
  }

  static String table(Summaries s, List<String> tasks) {
    StringBuilder b = new StringBuilder("<div class=\"tw\"><table><tr><th>method</th>");
    tasks.forEach(t -> b.append("<th>").append(esc(t)).append("</th>"));
    b.append("<th>average</th><th>avg normalized</th><th>n</th><th>own steps</th><th>wall s</th></tr>");
    double best = Double.NEGATIVE_INFINITY;
    for (Summaries.Arm arm : ordered(s)) {
      if (!arm.method().equals("single-task")) {
        best = Math.max(best, s.get(arm.variant(), arm.method(), "average", "score").map(SummaryRow::mean)
            .orElse(Double.NEGATIVE_INFINITY));
      }
    }
    for (Summaries.Arm arm : ordered(s)) {
      b.append("<tr><td>").append(esc(label(arm))).append("</td>");
      for (String t : tasks) {
        b.append("<td>").append(cell(s, arm, t, "score")).append("</td>");
      }
      var avg = s.get(arm.variant(), arm.method(), "average", "score");
      boolean isBest = avg.isPresent() && avg.get().mean() == best && !arm.method().equals("single-task");
      b.append("<td").append(isBest ? " class=\"best\"" : "").append(">")
          .append(cell(s, arm, "average", "score")).append("</td><td>")
          .append(cell(s, arm, "average", "normalized")).append("</td><td>")
          .append(avg.map(r -> String.valueOf(r.n())).orElse("–")).append("</td><td>")
          .append(s.get(arm.variant(), arm.method(), "all", "train_steps").map(r -> String.format(Locale.ROOT, "%.0f", r.mean())).orElse("–"))
          .append("</td><td>")
          .append(s.get(arm.variant(), arm.method(), "all", "wall_seconds").map(r -> String.format(Locale.ROOT, "%.0f", r.mean())).orElse("–"))
          .append("</td></tr>");
    }
    String notes = Latex.normalizedNotes(s, Latex.resultLines(s, tasks), tasks);
    return b.append("</table></div><p><small>own steps/wall: the method's own fine-tuning; experts are "
        + "trained once and shared (their cost is in results.csv as shared_steps).")
        .append(notes.isEmpty() ? "" : " " + esc(notes)).append("</small></p>").toString();
  }

  /** Variants in first-seen order; within a variant, methods in the paper's table order. */
  static List<Summaries.Arm> ordered(Summaries s) {
    List<Summaries.Arm> out = new ArrayList<>(s.variantsAndMethods());
    List<String> variants = new ArrayList<>();
    out.forEach(arm -> {
      if (!variants.contains(arm.variant())) {
        variants.add(arm.variant());
      }
    });
    List<String> order = new ArrayList<>(org.cpift.method.Methods.NAMES);
    order.addAll(org.cpift.method.Methods.EXTRA);
    out.sort(java.util.Comparator.<Summaries.Arm>comparingInt(arm -> variants.indexOf(arm.variant()))
        .thenComparingInt(arm -> order.indexOf(arm.method()) < 0 ? 999 : order.indexOf(arm.method())));
    return out;
  }

  static String cell(Summaries s, Summaries.Arm arm, String task, String metric) {
    return s.get(arm.variant(), arm.method(), task, metric)
        .map(r -> "<span class=\"nw\">" + fmt(r.mean()) + "</span>" + (r.n() > 1
            ? " <span class=\"nw\">± " + fmt(r.std()) + "</span>" : "")).orElse("–");
  }

  static String bars(Summaries s, List<String> tasks) {
    List<String> cats = new ArrayList<>(tasks);
    cats.add("average");
    List<Svg.Series> series = new ArrayList<>();
    for (Summaries.Arm arm : ordered(s)) {
      double[] m = new double[cats.size()];
      double[] lo = new double[cats.size()];
      double[] hi = new double[cats.size()];
      for (int i = 0; i < cats.size(); i++) {
        var r = s.get(arm.variant(), arm.method(), cats.get(i), "score");
        m[i] = r.map(SummaryRow::mean).orElse(Double.NaN);
        // scores live in [0, 1]: the percentile bootstrap over seeds stays there
        lo[i] = r.map(SummaryRow::bootLow).orElse(Double.NaN);
        hi[i] = r.map(SummaryRow::bootHigh).orElse(Double.NaN);
      }
      series.add(new Svg.Series(label(arm), m, lo, hi));
    }
    return Svg.bars("Test score by task", cats, series, 1.0, Double.NaN, "score");
  }

  static String seesaw(Summaries s, List<String> tasks) {
    List<Svg.Series> series = new ArrayList<>();
    double max = 1.2;
    for (Summaries.Arm arm : ordered(s)) {
      if (arm.method().equals("single-task")) {
        continue;
      }
      double[] m = new double[tasks.size()];
      double[] lo = new double[tasks.size()];
      double[] hi = new double[tasks.size()];
      boolean any = false;
      for (int i = 0; i < tasks.size(); i++) {
        var r = s.get(arm.variant(), arm.method(), tasks.get(i), "normalized");
        m[i] = r.map(SummaryRow::mean).orElse(Double.NaN);
        // a ratio of scores is ≥ 0: the percentile bootstrap stays there, a t-interval need not
        lo[i] = r.map(SummaryRow::bootLow).orElse(Double.NaN);
        hi[i] = r.map(SummaryRow::bootHigh).orElse(Double.NaN);
        any |= r.isPresent();
        if (r.isPresent()) {
          max = Math.max(max, Math.min(3, r.get().bootHigh()));
        }
      }
      if (any) {
        series.add(new Svg.Series(label(arm), m, lo, hi));
      }
    }
    return series.isEmpty() ? "" : Svg.bars("Score ÷ single-task expert", tasks, series,
        Math.ceil(max * 5) / 5, 1.0, "normalized score");
  }

  /**
   * Mean Jaccard over the cells of one variant, and its dendrogram: the default variant, else
   * (a sweep) the variant at the paper's p and τ, else the first with a Jaccard matrix. Variants
   * of a sweep of p have different core regions, so their matrices are never averaged together;
   * the per-row table ({@link Stages}) gives every row's overlaps.
   */
  static String overlap(List<CellResult> cells, List<String> tasks, Map<String, String> figures) {
    Map<String, List<CellResult>> byVariant = new LinkedHashMap<>();
    for (CellResult c : cells) {
      if (c.result().jaccard() != null && c.result().jaccard().length == tasks.size()) {
        byVariant.computeIfAbsent(c.cell().variant(), k -> new ArrayList<>()).add(c);
      }
    }
    if (byVariant.isEmpty()) {
      return "";
    }
    String variant = byVariant.containsKey("default") ? "default" : byVariant.keySet().stream()
        .filter(v -> byVariant.get(v).get(0).cell().config().atPaperCoreAndTau())
        .findFirst().orElse(byVariant.keySet().iterator().next());
    List<double[][]> ms = new ArrayList<>();
    // the grouping the runs used (τ and linkage of their configuration), not a fixed one
    GroupingConfig grouping = GroupingConfig.paper();
    for (CellResult c : byVariant.get(variant)) {
      ms.add(c.result().jaccard());
      grouping = c.cell().config().staging().grouping();
    }
    int n = tasks.size();
    double[][] mean = new double[n][n];
    for (double[][] m : ms) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          mean[i][j] += m[i][j] / ms.size();
        }
      }
    }
    var g = TaskGrouping.group(mean, grouping);
    List<int[][]> merges = new ArrayList<>();
    List<Double> sims = new ArrayList<>();
    for (TaskGrouping.Merge m : g.dendrogram()) {
      merges.add(new int[][] {m.left().stream().mapToInt(Integer::intValue).toArray(),
          m.right().stream().mapToInt(Integer::intValue).toArray()});
      sims.add(m.similarity());
    }
    String linkage = grouping.linkage().name().toLowerCase(java.util.Locale.ROOT);
    String heat = Svg.heatmap("Jaccard J(Ci, Cj)", tasks, mean);
    String dend = Svg.dendrogram("Grouping dendrogram (" + linkage + " linkage)", tasks, merges,
        sims, grouping.tau());
    figures.put("fig-jaccard", heat);
    figures.put("fig-dendrogram", dend);
    return "<h2>Core-region overlap</h2><p>Jaccard index of the tasks' core regions, mean over "
        + ms.size() + " run(s)" + (variant.equals("default") ? "" : " of the variant "
            + esc(variant)) + "; " + linkage + "-linkage dendrogram on 1 − J with the cut at τ = "
        + grouping.tau() + " (groups: " + esc(groupNames(g.groups(), tasks)) + ").</p>"
        + heat + dend;
  }

  static String groupNames(List<List<Integer>> groups, List<String> tasks) {
    List<String> out = new ArrayList<>();
    for (List<Integer> g : groups) {
      out.add(g.stream().map(tasks::get).toList().toString());
    }
    return String.join(" ", out);
  }

  static String forgetting(Summaries s, List<String> tasks, Map<String, String> figures) {
    List<Svg.Series> series = new ArrayList<>();
    List<String> cats = new ArrayList<>();
    Map<String, double[][]> values = new LinkedHashMap<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      for (String t : tasks) {
        var r = s.get(arm.variant(), arm.method(), t, "stage_drop");
        if (r.isPresent()) {
          if (!cats.contains(t)) {
            cats.add(t);
          }
          values.computeIfAbsent(label(arm), k -> new double[3][tasks.size()]);
        }
      }
    }
    if (values.isEmpty()) {
      return "";
    }
    StringBuilder txt = new StringBuilder("<h2>Forgetting</h2><p>Change of a task's score between "
        + "the end of its own stage and the end of training (negative = forgotten); ACC and BWT over "
        + "the stage sequence; ΔB what the last stage gained on its own tasks; whiskers: 95% "
        + "percentile bootstrap over seeds.</p><div class=\"tw\"><table><tr>"
        + "<th>method</th><th>ACC</th><th>BWT</th><th>ΔB</th></tr>");
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!values.containsKey(label(arm))) {
        continue;
      }
      double[] m = new double[cats.size()];
      double[] lo = new double[cats.size()];
      double[] hi = new double[cats.size()];
      for (int i = 0; i < cats.size(); i++) {
        var r = s.get(arm.variant(), arm.method(), cats.get(i), "stage_drop");
        // shift by +1 so that bars grow from 0 at the reference line 1 (no change)
        m[i] = r.map(x -> 1 + x.mean()).orElse(Double.NaN);
        // a change of a score in [0, 1] lies in [−1, 1]; its bootstrap interval stays there
        lo[i] = r.map(x -> 1 + x.bootLow()).orElse(Double.NaN);
        hi[i] = r.map(x -> 1 + x.bootHigh()).orElse(Double.NaN);
      }
      series.add(new Svg.Series(label(arm), m, lo, hi));
      txt.append("<tr><td>").append(esc(label(arm))).append("</td><td>").append(cell(s, arm, "average", "acc"))
          .append("</td><td>").append(cell(s, arm, "average", "bwt")).append("</td><td>")
          .append(cell(s, arm, "average", "stage_gain")).append("</td></tr>");
    }
    String chart = Svg.bars("1 + (score after training − score after own stage)", cats, series,
        2.0, 1.0, "1 + change");
    figures.put("fig-forgetting", chart);
    return txt.append("</table></div>").toString() + chart;
  }

  /** A variant compared with its method's default: the paired difference and Holm's p. */
  record Comparison(String variant, String method, Statistics.Paired d, double holm) {}

  /**
   * Every variant of a method against the same method's {@code default} variant: the paired
   * difference of the average score over seeds, with Holm's adjustment over the family.
   */
  static List<Comparison> comparisons(Summaries s) {
    List<Summaries.Arm> compared = new ArrayList<>();
    List<Statistics.Paired> tests = new ArrayList<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (arm.variant().equals("default") || s.get("default", arm.method(), "average", "score").isEmpty()) {
        continue;
      }
      s.paired(arm.variant(), arm.method(), "default", arm.method(), "average", "score").ifPresent(p -> {
        compared.add(arm);
        tests.add(p);
      });
    }
    // the table is one family of comparisons: Holm-adjusted p beside each raw p
    double[] holm = Statistics.holm(tests.stream().mapToDouble(Statistics.Paired::pValue).toArray());
    List<Comparison> out = new ArrayList<>();
    for (int k = 0; k < compared.size(); k++) {
      out.add(new Comparison(compared.get(k).variant(), compared.get(k).method(), tests.get(k), holm[k]));
    }
    return out;
  }

  /**
   * Every variant of a method against the same method's {@code default} variant (ablations and
   * open choices read off here).
   */
  static String differences(Summaries s) {
    StringBuilder rows = new StringBuilder();
    List<Comparison> compared = comparisons(s);
    for (int k = 0; k < compared.size(); k++) {
      Summaries.Arm arm = new Summaries.Arm(compared.get(k).variant(), compared.get(k).method());
      Statistics.Paired d = compared.get(k).d();
      double[] holm = {compared.get(k).holm()};
      int dir = Claims.Significance.INTERVAL.direction(d); // none from one seed or no spread
      String cls = dir > 0 ? "supported" : dir < 0 ? "not" : "";
      rows.append("<tr><td>").append(esc(arm.method() + " (" + arm.variant() + ")")).append("</td><td class=\"")
          .append(cls).append("\">").append(d.interval()).append("</td><td>")
          .append(Statistics.formatP(d.pValue())).append("</td><td>")
          .append(Statistics.formatP(holm[0]))
          .append("</td><td>").append(d.n()).append("</td></tr>");
    }
    return rows.length() == 0 ? "" : "<h2>Each variant against the default (paired over seeds)</h2>"
        + "<div class=\"tw\"><table><tr><th>method (variant)</th><th>Δ average score [95% CI]</th><th>paired t p</th>"
        + "<th>Holm-adjusted p</th><th>n</th></tr>" + rows + "</table></div><p><small>green: above the "
        + "default with the whole interval; red: below (both before correction; neither from one seed "
        + "or a difference equal on every seed). Holm: " + family(compared) + ".</small></p>";
  }

  /**
   * The differences table's Holm family in words: the rows with a p-value are its tests (a row
   * of one seed, or with the same difference on every seed, has none and is not one of them).
   */
  static String family(List<Comparison> compared) {
    long tests = compared.stream().filter(c -> !Double.isNaN(c.d().pValue())).count();
    long none = compared.size() - tests;
    return "over the " + tests + " tests of this table (its own family, apart from the claims'"
        + (none == 0 ? ")" : "; " + none + " of its " + compared.size() + " rows have no p-value: "
            + "one seed, or the same difference on every seed)");
  }

  /** A file-name-safe form of a label: {@code tau (cpi-ft)} becomes {@code tau-cpi-ft}. */
  static String slug(String label) {
    return label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-|-$", "");
  }
}
