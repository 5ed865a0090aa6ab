package org.cpift.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A report's results and claims as GitHub-flavoured Markdown ({@code report.md}), for a README or
 * a lab notebook: the results table (mean ± standard deviation over seeds and the seeds behind
 * each row; the best mean per column in bold, decided as in the LaTeX tables) and every claim with
 * its status, evidence and raw and Holm-adjusted p-values.
 */
public final class Markdown {
  private Markdown() {}

  public static String report(String experiment, Summaries s, List<Claims.Claim> claims,
      Map<String, Object> run) {
    List<String> tasks = s.tasks();
    List<String> head = new ArrayList<>(tasks);
    head.add("average");
    head.add("avg. normalized");
    List<Latex.Line> lines = Latex.resultLines(s, tasks);
    List<List<Integer>> best = Latex.best(lines, head.size());
    StringBuilder b = new StringBuilder("## ").append(experiment).append("\n\n");
    String partial = Latex.partial(run);
    if (!partial.isEmpty()) {
      b.append("**").append(partial.strip()).append("**\n\n");
    }
    b.append("| method |");
    head.forEach(h -> b.append(' ').append(cell(h)).append(" |"));
    b.append(" seeds |\n|---|").append("---:|".repeat(head.size())).append("---:|\n");
    for (int i = 0; i < lines.size(); i++) {
      Latex.Line l = lines.get(i);
      b.append("| ").append(cell(l.label())).append(" |");
      for (int c = 0; c < head.size(); c++) {
        Optional<SummaryRow> r = l.cells().get(c);
        if (r.isEmpty() || Double.isNaN(r.get().mean())) {
          b.append(" – |");
          continue;
        }
        String v = num(r.get().mean());
        b.append(' ').append(best.get(c).contains(i) ? "**" + v + "**" : v)
            .append(r.get().n() > 1 ? " ± " + num(r.get().std()) : "").append(" |");
      }
      // the seeds behind the row: those of its average score
      b.append(' ').append(l.cells().get(tasks.size()).map(r -> String.valueOf(r.n())).orElse("–"))
          .append(" |\n");
    }
    int nMax = s.all().stream().mapToInt(SummaryRow::n).max().orElse(0);
    b.append("\nTest score per task, mean ± standard deviation over seeds; avg. normalized is the "
        + "mean over tasks of the score divided by the single-task expert's on the same seed. ")
        .append(provenance(run, " (at most " + nMax + " per cell)")).append(' ')
        .append(Latex.bestRule(lines));
    String notes = Latex.normalizedNotes(s, lines, tasks);
    b.append(notes.isEmpty() ? "" : " " + notes).append('\n');
    List<Claims.Claim> shown = claims.stream()
        .filter(c -> !c.status().equals(Claims.NOT_MEASURED)).toList();
    if (!shown.isEmpty()) {
      b.append("\n### Claims\n\n");
      for (Claims.Claim c : shown) {
        b.append("- ").append(c.statement()).append(" **").append(c.status()).append("**. ")
            .append(c.evidence()).append('\n');
      }
    }
    return b.toString();
  }

  /** "Preset small; seeds 1, 2 (at most 2 per cell); commit `abc123456789`." */
  static String provenance(Map<String, Object> run, String perCell) {
    return "Preset " + run.get("preset") + "; seeds " + Latex.seeds(run) + perCell + "; commit `"
        + Latex.commit(run) + "`.";
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%." + Latex.DECIMALS + "f", v);
  }

  /** Text for a table cell: a pipe would end the cell. */
  static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
