package org.cpift.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.experiment.CellResult;

/**
 * Per row of a report that groups tasks by core overlap (CPI-FT, DPI): the core share p, the
 * threshold τ, the range of the tasks' pairwise Jaccard overlaps, how many pairs reach τ, the
 * groups the runs formed and the fine-tuning steps they took. A sweep of p or τ changes the
 * number of stages, and with it the pipeline's budget: this table says when a row's score moved
 * because its stages did.
 */
public final class Stages {
  private Stages() {}

  /**
   * One row: {@code jMin}/{@code jMax} are the smallest and largest off-diagonal entries of the
   * Jaccard matrix averaged over the row's seeds, {@code pairsAtTau} the pairs of that mean
   * matrix with J ≥ τ out of {@code pairs}; {@code groupings} maps each grouping the seeds
   * formed (groups in task order) to how many seeds formed it, most frequent first;
   * {@code rule} is null when the groups came from J ≥ τ, else what formed them instead (an
   * ablation's fixed plan or a fixed number of groups), and τ played no part.
   */
  public record Line(String variant, String method, double topPercent, double tau, String rule,
      double jMin, double jMax, int pairsAtTau, int pairs, Map<String, Integer> groupings,
      double stages, double steps, int seeds) {}

  /** What formed a cell's groups when τ did not (null when it did). */
  static String rule(CellResult c) {
    var staging = c.cell().config().staging();
    return switch (staging.mode()) {
      case EACH_TASK -> "each task its own stage";
      case ONE_STAGE -> "one stage";
      case OVERLAP -> staging.grouping().fixedGroups() > 0
          ? staging.grouping().fixedGroups() + " groups (dendrogram cut)" : null;
    };
  }

  /** The rows, in the cells' first-seen order; cells without a Jaccard matrix are left out. */
  public static List<Line> of(List<CellResult> cells) {
    Map<String, List<CellResult>> byRow = new LinkedHashMap<>();
    for (CellResult c : cells) {
      double[][] j = c.result().jaccard();
      if (j != null && j.length > 1 && c.result().groups() != null) {
        byRow.computeIfAbsent(c.cell().variant() + "\u0000" + c.cell().label(),
            k -> new ArrayList<>()).add(c);
      }
    }
    List<Line> out = new ArrayList<>();
    for (List<CellResult> row : byRow.values()) {
      CellResult first = row.get(0);
      int n = first.result().jaccard().length;
      double[][] mean = new double[n][n];
      List<CellResult> used = row.stream().filter(c -> c.result().jaccard().length == n).toList();
      for (CellResult c : used) {
        for (int i = 0; i < n; i++) {
          for (int k = 0; k < n; k++) {
            mean[i][k] += c.result().jaccard()[i][k] / used.size();
          }
        }
      }
      double tau = first.cell().config().staging().grouping().tau();
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      int atTau = 0;
      for (int i = 0; i < n; i++) {
        for (int k = i + 1; k < n; k++) {
          lo = Math.min(lo, mean[i][k]);
          hi = Math.max(hi, mean[i][k]);
          atTau += mean[i][k] >= tau ? 1 : 0;
        }
      }
      List<String> order = new ArrayList<>(first.result().scores().keySet());
      Map<String, Integer> groupings = new LinkedHashMap<>();
      double stages = 0;
      double steps = 0;
      for (CellResult c : used) {
        groupings.merge(groupsText(c.result().groups(), order), 1, Integer::sum);
        stages += c.result().groups().size() / (double) used.size();
        steps += c.result().cost().steps() / (double) used.size();
      }
      Map<String, Integer> sorted = new LinkedHashMap<>();
      groupings.entrySet().stream()
          .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
          .forEach(e -> sorted.put(e.getKey(), e.getValue()));
      out.add(new Line(first.cell().variant(), first.cell().label(),
          first.cell().config().corePercent(), tau, rule(first), lo, hi, atTau, n * (n - 1) / 2, sorted,
          stages, steps, used.size()));
    }
    return out;
  }

  /**
   * "[math, logic] [code]": the groups, each and their list in the tasks' {@code order} (the
   * stage order is a separate choice, which the ordering policy may make differently per seed).
   */
  static String groupsText(List<List<String>> groups, List<String> order) {
    java.util.Comparator<String> byTask = java.util.Comparator.comparingInt(order::indexOf);
    List<List<String>> sorted = new ArrayList<>();
    groups.forEach(g -> sorted.add(g.stream().sorted(byTask).toList()));
    sorted.sort((a, b) -> byTask.compare(a.get(0), b.get(0)));
    List<String> out = new ArrayList<>();
    sorted.forEach(g -> out.add(g.toString()));
    return String.join(" ", out);
  }

  /**
   * The groupings of a row: "[a] [b] (2 of 3 seeds); [a, b] (1 of 3 seeds)"; the grouping alone
   * when every seed formed it.
   */
  static String groupingsText(Line l) {
    List<String> parts = new ArrayList<>();
    for (var e : l.groupings().entrySet()) {
      parts.add(l.groupings().size() == 1 ? e.getKey()
          : e.getKey() + " (" + e.getValue() + " of " + l.seeds() + " seeds)");
    }
    return String.join("; ", parts);
  }

  static String label(Line l) {
    return l.variant().equals("default") ? l.method() : l.method() + " (" + l.variant() + ")";
  }

  static String num(double v, String format) {
    return String.format(Locale.ROOT, format, v);
  }

  /** Three significant digits without trailing zeros: 0.5, 1, 2.5. */
  static String plain(double v) {
    return new java.math.BigDecimal(num(v, "%.3g")).stripTrailingZeros().toPlainString();
  }

  static String[] cells(Line l) {
    return new String[] {label(l), plain(l.topPercent()),
        l.rule() == null ? "τ = " + plain(l.tau()) : l.rule(),
        num(l.jMin(), "%.3f") + "–" + num(l.jMax(), "%.3f"),
        l.rule() == null ? l.pairsAtTau() + " of " + l.pairs() : "—",
        groupingsText(l), plain(l.stages()), num(l.steps(), "%.0f"),
        String.valueOf(l.seeds())};
  }

  static final String[] HEAD = {"method", "core p (%)", "groups formed by", "Jaccard between tasks",
      "pairs with J ≥ τ", "groups", "stages", "own steps", "seeds"};

  static final String CAPTION = "Jaccard: the smallest and largest overlap of two tasks' core "
      + "regions, from the matrix averaged over the row's seeds; pairs with J ≥ τ counted on that "
      + "matrix. Groups as the runs formed them, in task order (their stage order "
      + "is the ordering policy's; the grouping of each seed when seeds differ). "
      + "Groups formed by τ: the row's dendrogram cut at J = τ; an ablation's fixed plan ignores τ "
      + "(pairs: —). Own steps: the row's fine-tuning steps, mean over seeds, the experts' "
      + "excluded; they show whether a row's budget moved with its number of stages.";

  static final String TITLE = "Core overlap and stages per row";
  static final boolean[] RIGHT = {false, true, false, true, true, false, true, true, true};

  /** The table as an HTML section, or "" when no row groups by overlap. */
  public static String html(List<CellResult> cells) {
    List<Line> lines = of(cells);
    return lines.isEmpty() ? "" : Section.htmlTable(TITLE, HEAD,
        lines.stream().map(Stages::cells).toList(), CAPTION);
  }

  /** The table as Markdown, or "" when no row groups by overlap. */
  public static String markdown(List<CellResult> cells) {
    List<Line> lines = of(cells);
    return lines.isEmpty() ? "" : Section.markdownTable(TITLE, HEAD, RIGHT,
        lines.stream().map(Stages::cells).toList(), CAPTION);
  }
}
