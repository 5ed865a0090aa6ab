package org.cpift.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An experiment's tables as LaTeX files to <code>&#92;input</code> into a paper: booktabs rules,
 * mean ± std over seeds (or the mean with its 95% percentile bootstrap interval), the best value
 * of each column in bold with the rule for "best" stated in the caption, and a caption naming the
 * experiment, preset, seeds and commit. Each file is a {@code table} float that needs
 * <code>&#92;usepackage{booktabs}</code> (and {@code graphicx} for the wide ones, which are
 * scaled to the line width); the text is ASCII, so it compiles with pdflatex as it is.
 */
public final class Latex {
  private Latex() {}

  /** Decimals printed; "best" is decided on the values as printed, so ties print as ties. */
  static final int DECIMALS = 3;

  /** The rule for bold cells, as stated in the captions. */
  static final String BEST_RULE = "Bold: the highest mean in its column as printed (every "
      + "column is higher-is-better), the single-task experts (the reference) excluded; ties are "
      + "all bold.";

  /** The tables of a report, by file name without extension ({@code table-results}, ...). */
  public static Map<String, String> tables(String experiment, Summaries s,
      Map<String, Object> run) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> tasks = s.tasks();
    out.put("table-results", results(experiment, s, tasks, run, false));
    out.put("table-results-ci", results(experiment, s, tasks, run, true));
    String f = forgetting(experiment, s, tasks, run);
    if (!f.isEmpty()) {
      out.put("table-forgetting", f);
    }
    String d = differences(experiment, s, run);
    if (!d.isEmpty()) {
      out.put("table-differences", d);
    }
    return out;
  }

  /**
   * A row of a table: its label and one summary (or none) per column; {@code normGroup} names
   * the single-task experts its normalized scores are divided by (rows of different groups are
   * not compared in that column).
   */
  record Line(String label, boolean reference, List<Optional<SummaryRow>> cells,
      String normGroup) {
    Line(String label, boolean reference, List<Optional<SummaryRow>> cells) {
      this(label, reference, cells, "");
    }
  }

  /**
   * Which experts normalize each variant's rows, as {@link Tidy} decides: the variant's own
   * single-task cells, else those of {@code default}. All one group ("") when at most one
   * variant has experts of its own, so every row is compared.
   */
  static Function<Summaries.Arm, String> normGroups(Summaries s) {
    Set<String> own = new java.util.TreeSet<>();
    s.variantsAndMethods().stream().filter(a -> a.method().equals("single-task"))
        .forEach(a -> own.add(a.variant()));
    if (own.size() <= 1) {
      return a -> "";
    }
    return a -> own.contains(a.variant()) ? a.variant() : "default";
  }

  /** The best-rule sentence for a results table, with the per-variant clause where it applies. */
  static String bestRule(List<Line> lines) {
    boolean grouped = lines.stream().map(Line::normGroup).distinct().count() > 1;
    return grouped ? BEST_RULE + " Avg. normalized is compared only within each variant that "
        + "has single-task rows of its own (its rows are divided by those experts); the other "
        + "rows are compared among themselves."
        : BEST_RULE;
  }

  /**
   * The rows of a results table (from {@link #resultLines}) whose average normalized score covers
   * fewer seeds than their average score, as one sentence ("" when none): a seed whose expert
   * scored 0 on a task, or whose experts have not run yet, has no ratio there, so {@link Tidy}
   * gives it no average normalized score, and the row's mean is over its other seeds.
   */
  static String normalizedShortfall(List<Line> lines, int tasks) {
    List<String> rows = new ArrayList<>();
    for (Line l : lines) {
      int seeds = l.cells().get(tasks).map(SummaryRow::n).orElse(0);
      int normalized = l.cells().get(tasks + 1).map(SummaryRow::n).orElse(0);
      if (normalized < seeds) {
        rows.add(l.label() + " (" + normalized + " of " + seeds + ")");
      }
    }
    return rows.isEmpty() ? "" : "Avg. normalized covers fewer seeds than the average for "
        + String.join(", ", rows) + ": on the other seeds a task has no ratio (its expert "
        + "scored 0, or has not run yet).";
  }

  /** Below this mean test score a single-task expert's ratios are flagged as unstable. */
  static final double WEAK_EXPERT = 0.10;

  /**
   * The experts whose mean score on a task is below {@link #WEAK_EXPERT}, as one sentence ("" when
   * none): a normalized score divides by it, so a few items more or fewer for the expert move
   * the ratio, and an average normalized score over tasks, by a large factor.
   */
  static String weakExperts(Summaries s, List<String> tasks) {
    List<String> weak = new ArrayList<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!arm.method().equals("single-task")) {
        continue;
      }
      for (String t : tasks) {
        s.get(arm.variant(), arm.method(), t, "score").filter(r -> r.mean() < WEAK_EXPERT)
            .ifPresent(r -> weak.add((arm.variant().equals("default") ? "" : arm.variant() + " ")
                + t + " " + String.format(Locale.ROOT, "%.3f", r.mean())));
      }
    }
    return weak.isEmpty() ? "" : "Normalized scores divide by the expert's: experts below "
        + String.format(Locale.ROOT, "%.2f", WEAK_EXPERT) + " (" + String.join(", ", weak)
        + ") make those ratios unstable, a few items moving them by a large factor.";
  }

  /**
   * What a results table's reader must know about its avg. normalized column: the rows that
   * cover fewer seeds ({@link #normalizedShortfall}) and the experts too weak to divide by
   * ({@link #weakExperts}), as sentences ("" when neither applies).
   */
  static String normalizedNotes(Summaries s, List<Line> lines, List<String> tasks) {
    return java.util.stream.Stream.of(normalizedShortfall(lines, tasks.size()),
        weakExperts(s, tasks)).filter(n -> !n.isEmpty()).collect(
            java.util.stream.Collectors.joining(" "));
  }

  static String results(String experiment, Summaries s, List<String> tasks,
      Map<String, Object> run, boolean interval) {
    List<String> head = new ArrayList<>(tasks);
    head.add("average");
    head.add("avg.\\ normalized");
    List<Line> lines = resultLines(s, tasks);
    String what = interval
        ? "mean [95\\% percentile bootstrap interval over seeds]"
        : "mean $\\pm$ standard deviation over seeds";
    String caption = text(experiment) + ": test score per task, " + what
        + "; avg.\\ normalized is the mean over tasks of the score divided by the single-task "
        + "expert's on the same seed. "
        + provenance(s, run) + " " + text(bestRule(lines));
    String notes = normalizedNotes(s, lines, tasks);
    if (!notes.isEmpty()) {
      caption += " " + text(notes);
    }
    return table(head, lines, interval, caption,
        "tab:" + slug(experiment) + (interval ? "-results-ci" : "-results"));
  }

  /**
   * The results table's rows: per arm, the score per task, the average and the average
   * normalized score (the last column, compared within {@link #normGroups}).
   */
  static List<Line> resultLines(Summaries s, List<String> tasks) {
    Function<Summaries.Arm, String> group = normGroups(s);
    List<Line> lines = new ArrayList<>();
    for (Summaries.Arm arm : HtmlReport.ordered(s)) {
      List<Optional<SummaryRow>> cells = new ArrayList<>();
      for (String t : tasks) {
        cells.add(s.get(arm.variant(), arm.method(), t, "score"));
      }
      cells.add(s.get(arm.variant(), arm.method(), "average", "score"));
      cells.add(s.get(arm.variant(), arm.method(), "average", "normalized"));
      lines.add(new Line(HtmlReport.label(arm), arm.method().equals("single-task"), cells,
          group.apply(arm)));
    }
    return lines;
  }

  static String forgetting(String experiment, Summaries s, List<String> tasks,
      Map<String, Object> run) {
    List<Line> lines = new ArrayList<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      List<Optional<SummaryRow>> cells = List.of(s.get(arm.variant(), arm.method(), "average", "acc"),
          s.get(arm.variant(), arm.method(), "average", "bwt"), s.get(arm.variant(), arm.method(), "average", "stage_gain"));
      if (cells.stream().anyMatch(Optional::isPresent)) {
        lines.add(new Line(HtmlReport.label(arm), false, cells));
      }
    }
    if (lines.isEmpty()) {
      return "";
    }
    String caption = text(experiment) + ": forgetting over the stage sequence, mean $\\pm$ "
        + "standard deviation over seeds. ACC: mean score after the last stage; BWT: mean change "
        + "of a "
        + "task's score from the end of its own stage to the end of training (negative = "
        + "forgotten); $\\Delta$B: what the last stage gained on its own tasks. "
        + provenance(s, run)
        + " Bold: the highest mean in its column as printed (higher is better: less forgetting "
        + "for BWT); ties are all bold.";
    return table(List.of("ACC", "BWT", "$\\Delta$B"), lines, false, caption,
        "tab:" + slug(experiment) + "-forgetting");
  }

  static String differences(String experiment, Summaries s, Map<String, Object> run) {
    List<HtmlReport.Comparison> cs = HtmlReport.comparisons(s);
    if (cs.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(header("table-differences"));
    b.append("\\begin{table}[htbp]\n\\centering\n\\small\n\\caption{").append(text(experiment))
        .append(": each variant against its method's default, the paired difference of the "
            + "average test score over seeds (variant $-$ default) with its 95\\% t-interval, the "
            + "paired t-test's p and Holm's adjustment ").append(text(HtmlReport.family(cs)))
        .append(". ").append(provenance(s, run))
        .append(" No value is bold: each row is its own comparison.}\n\\label{tab:")
        .append(slug(experiment)).append("-differences}\n")
        .append("\\begin{tabular}{lrrrr}\n\\toprule\nmethod (variant) & $\\Delta$ average "
            + "[95\\% CI] & p & Holm p & n \\\\\n\\midrule\n");
    for (HtmlReport.Comparison c : cs) {
      Statistics.Paired d = c.d();
      b.append(text(c.method() + " (" + c.variant() + ")")).append(" & ")
          .append(String.format(Locale.ROOT, "$%+.3f$ [$%+.3f$, $%+.3f$]", d.meanDiff(),
              d.ciLow(), d.ciHigh()))
          .append(" & ").append(p(d.pValue())).append(" & ").append(p(c.holm())).append(" & ")
          .append(d.n()).append(" \\\\\n");
    }
    return b.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n").toString();
  }

  private static String p(double v) {
    return Statistics.formatP(v);
  }

  /**
   * The columns' best rows: for each column the indices of the non-reference lines whose mean,
   * rounded as printed, is the column's highest; in the last column (a results table's avg.
   * normalized) the highest among the lines of the same {@link Line#normGroup}.
   */
  static List<List<Integer>> best(List<Line> lines, int columns) {
    List<List<Integer>> out = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      boolean grouped = c == columns - 1;
      Map<String, Double> top = new HashMap<>();
      for (Line l : lines) {
        if (!l.reference() && l.cells().get(c).isPresent()) {
          top.merge(grouped ? l.normGroup() : "", printed(l.cells().get(c).get().mean()),
              Math::max);
        }
      }
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        Line l = lines.get(i);
        if (!l.reference() && l.cells().get(c).isPresent()
            && printed(l.cells().get(c).get().mean()) == top.get(grouped ? l.normGroup() : "")) {
          rows.add(i);
        }
      }
      out.add(rows);
    }
    return out;
  }

  /** A value as printed: rounded half up to {@link #DECIMALS} decimals. */
  static double printed(double v) {
    return Double.isNaN(v) ? Double.NEGATIVE_INFINITY
        : new java.math.BigDecimal(String.format(Locale.ROOT, "%." + DECIMALS + "f", v))
            .doubleValue();
  }

  private static String table(List<String> head, List<Line> lines, boolean interval,
      String caption, String label) {
    int cols = head.size();
    boolean wide = cols > 5;
    List<List<Integer>> best = best(lines, cols);
    StringBuilder b = new StringBuilder(header(label.substring(4)));
    if (wide) {
      b.append("% wide: scaled to the line width (needs \\usepackage{graphicx})\n");
    }
    b.append("\\begin{table}[htbp]\n\\centering\n\\small\n\\caption{").append(caption)
        .append("}\n\\label{").append(label).append("}\n");
    if (wide) {
      b.append("\\resizebox{\\linewidth}{!}{%\n");
    }
    b.append("\\begin{tabular}{l").append("r".repeat(cols)).append("}\n\\toprule\nmethod");
    for (String h : head) {
      b.append(" & ").append(h.contains("\\") ? h : text(h));
    }
    b.append(" \\\\\n\\midrule\n");
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      b.append(text(l.label()));
      for (int c = 0; c < cols; c++) {
        b.append(" & ");
        Optional<SummaryRow> r = l.cells().get(c);
        if (r.isEmpty() || Double.isNaN(r.get().mean())) {
          b.append("--");
          continue;
        }
        String v = num(r.get().mean());
        if (best.get(c).contains(i)) {
          v = "\\mathbf{" + v + "}";
        }
        b.append("$").append(v);
        if (interval) {
          b.append("$ {\\scriptsize [").append(num(r.get().bootLow())).append(", ")
              .append(num(r.get().bootHigh())).append("]}");
        } else {
          b.append(r.get().n() > 1 ? " \\pm " + num(r.get().std()) : "").append("$");
        }
      }
      b.append(" \\\\\n");
      if (l.reference() && i + 1 < lines.size() && !lines.get(i + 1).reference()) {
        b.append("\\midrule\n");
      }
    }
    b.append("\\bottomrule\n\\end{tabular}").append(wide ? "}" : "").append("\n\\end{table}\n");
    return b.toString();
  }

  private static String header(String name) {
    return "% " + name + ": written by CPI-FT-J (cpift report); \\input it into a document that "
        + "has \\usepackage{booktabs}\n";
  }

  /** "Preset tiny; seeds 1, 2 (at most 2 per cell); commit abc1234." from the run's manifest. */
  static String provenance(Summaries s, Map<String, Object> run) {
    int nMax = s.all().stream().mapToInt(SummaryRow::n).max().orElse(0);
    return provenance(run, " (at most " + nMax + " per cell)");
  }

  static String provenance(Map<String, Object> run, String perCell) {
    return "Preset " + text(String.valueOf(run.get("preset"))) + "; seeds " + text(seeds(run))
        + perCell + "; commit \\texttt{" + text(commit(run)) + "}." + text(partial(run));
  }

  /**
   * " Partial: 49 of 85 cells finished; rows may rest on different seeds." when the run is not
   * complete, else nothing.
   */
  static String partial(Map<String, Object> run) {
    Object done = run.get("cells_finished");
    Object total = run.get("cells_total");
    return done == null || done.equals(total) ? "" : " Partial: " + done + " of " + total
        + " cells finished; rows may rest on different seeds (see each row's n).";
  }

  /** The run's seeds, comma-separated. */
  static String seeds(Map<String, Object> run) {
    Object seeds = run.get("seeds");
    return seeds instanceof List<?> l
        ? String.join(", ", l.stream().map(String::valueOf).toList()) : String.valueOf(seeds);
  }

  /** The run's commit, a full hash shortened as git does (12 digits), keeping a -dirty mark. */
  static String commit(Map<String, Object> run) {
    return String.valueOf(run.get("git_commit")).replaceFirst("^([0-9a-f]{12})[0-9a-f]{28}", "$1");
  }

  /** The testbed gate's criteria: measured, goal, pass; nothing bold (no column compares). */
  public static String criteria(org.cpift.testbed.TestbedGate.Verdict v, Map<String, Object> run) {
    StringBuilder b = new StringBuilder(header("table-criteria"));
    b.append("\\begin{table}[htbp]\n\\centering\n\\small\n\\caption{Testbed check: each "
        + "criterion with its measured value (mean over seeds), its goal and the verdict ("
        + (v.valid() ? "valid" : "not valid") + "); criteria marked * are reported, not "
        + "required. ").append(provenance(run, "")).append(" No value is bold: each row is its "
        + "own criterion.}\n\\label{tab:testbed-criteria}\n")
        .append("\\begin{tabular}{p{0.55\\linewidth}rlc}\n\\toprule\ncriterion & measured & "
            + "goal & pass \\\\\n\\midrule\n");
    for (var c : v.criteria()) {
      b.append(text(c.description())).append(c.required() ? "" : "*").append(" & $")
          .append(num(c.measured())).append("$ & ").append(text(c.goal())).append(" & ")
          .append(c.pass() ? "pass" : "fail").append(" \\\\\n");
    }
    return b.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n").toString();
  }

  /**
   * A table of plain means (one value per cell, no spread): rows by label, the row at
   * {@code reference} (or none, -1) excluded from "best"; bold as in {@link #BEST_RULE}.
   */
  public static String plain(String caption, List<String> rows, int reference,
      List<String> columns, List<double[]> values, Map<String, Object> run, String label) {
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      List<Optional<SummaryRow>> cells = new ArrayList<>();
      for (double v : values.get(i)) {
        cells.add(Double.isNaN(v) ? Optional.empty() : Optional.of(new SummaryRow("", "", "",
            "", "", 1, v, 0, v, v, v, v)));
      }
      lines.add(new Line(rows.get(i), i == reference, cells));
    }
    String rule = BEST_RULE.replace("the single-task experts (the reference)",
        reference >= 0 ? "the reference row" : "no row");
    return table(columns, lines, false, text(caption) + " " + provenance(run, "") + " " + rule,
        label);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "\\mbox{--}" : String.format(Locale.ROOT, "%." + DECIMALS + "f", v);
  }

  /** A label or name as LaTeX text: special characters escaped, nothing outside ASCII. */
  static String text(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\textbackslash{}");
        case '&', '%', '$', '#', '_', '{', '}' -> b.append('\\').append(c);
        case '~' -> b.append("\\textasciitilde{}");
        case '^' -> b.append("\\textasciicircum{}");
        case '<' -> b.append("\\textless{}");
        case '>' -> b.append("\\textgreater{}");
        case '|' -> b.append("\\textbar{}");
        case '\u03c4' -> b.append("$\\tau$");
        case '\u0394' -> b.append("$\\Delta$");
        case '\u2212', '\u2013' -> b.append("--");
        case '\u00b1' -> b.append("$\\pm$");
        case '\u00b7' -> b.append("$\\cdot$");
        case '\u00d7' -> b.append("$\\times$");
        case '\u2264' -> b.append("$\\le$");
        case '\u2265' -> b.append("$\\ge$");
        case '\u03bb' -> b.append("$\\lambda$");
        case '\u03c9' -> b.append("$\\omega$");
        case '\u03b5' -> b.append("$\\varepsilon$");
        case '\u03b8' -> b.append("$\\theta$");
        case '\u03b4' -> b.append("$\\delta$");
        case '\u2248' -> b.append("$\\approx$");
        case '\u2192' -> b.append("$\\rightarrow$");
        case '\u00bd' -> b.append("$\\frac12$");
        default -> b.append(c < 128 ? String.valueOf(c) : "?");
      }
    }
    return b.toString();
  }

  /** A file-name and label-safe form of a name. */
  static String slug(String s) {
    return HtmlReport.slug(s);
  }
}
