package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cpift.report.Section;
import org.cpift.report.Statistics;
import org.cpift.report.Summaries;

/**
 * What a core size's effect on CPI-FT's average score is made of, as steps that each change one
 * thing, paired over seeds: a larger core transplants more of each expert intact and also freezes
 * more in later stages (the step through the same core with nothing frozen separates the two); a
 * smaller core overlaps more, so tasks share stages and the pipeline trains fewer steps (the step
 * through the same core with each task its own stage separates that budget from the core's size).
 * Holm's adjustment runs over the steps' tests; a total (the sweep's own comparison) is shown
 * beside them, outside the family.
 */
final class CoreSizeSources {
  /**
   * A row: CPI-FT's average score in variant {@code to} minus that in {@code from}.
   *
   * @param total the sum of the steps before it (not one of Holm's tests)
   */
  record Step(String name, String from, String to, boolean total) {}

  private final List<Step> steps;

  CoreSizeSources(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  record Line(Step step, double from, double to, Statistics.Paired d, double holm) {}

  /** The steps whose two rows share a seed, Holm-adjusted over the non-total ones. */
  List<Line> lines(Summaries s) {
    List<Line> out = new ArrayList<>();
    for (Step st : steps) {
      s.paired(st.to(), "cpi-ft", st.from(), "cpi-ft", "average", "score").ifPresent(d ->
          out.add(new Line(st, mean(s, st.from()), mean(s, st.to()), d, Double.NaN)));
    }
    List<Line> tests = out.stream().filter(l -> !l.step().total()).toList();
    double[] holm = Statistics.holm(tests.stream().mapToDouble(l -> l.d().pValue()).toArray());
    List<Line> adjusted = new ArrayList<>();
    int k = 0;
    for (Line l : out) {
      adjusted.add(l.step().total() ? l : new Line(l.step(), l.from(), l.to(), l.d(), holm[k++]));
    }
    return adjusted;
  }

  private static double mean(Summaries s, String variant) {
    return s.get(variant, "cpi-ft", "average", "score").map(r -> r.mean()).orElse(Double.NaN);
  }

  static String[] cells(Line l) {
    return new String[] {l.step().name(), l.step().from() + " → " + l.step().to(),
        String.format(Locale.ROOT, "%.3f → %.3f", l.from(), l.to()), l.d().interval(),
        Statistics.formatP(l.d().pValue()),
        l.step().total() ? "—" : Statistics.formatP(l.holm()), String.valueOf(l.d().n())};
  }

  static final String[] HEAD = {"step", "rows (from → to)", "average score",
      "Δ [95% CI]", "paired t p", "Holm-adjusted p", "n"};
  static final boolean[] RIGHT = {false, false, true, true, true, true, true};
  static final String TITLE = "What a core size's effect is made of";
  static final String CAPTION = "CPI-FT's average test score, each step changing one thing, "
      + "paired over the seeds both rows ran. A larger core both transplants more of each expert "
      + "and freezes more in later stages: the row with nothing frozen separates the two. A "
      + "smaller core makes tasks share stages, so the pipeline trains fewer steps: the row with "
      + "each task its own stage keeps the default's five stages and budget. Holm over the steps' "
      + "tests (not the totals), this table's own family.";

  /** The table as a report section. */
  Section section() {
    return Section.table(TITLE, HEAD, RIGHT, CAPTION,
        s -> lines(s).stream().map(CoreSizeSources::cells).toList());
  }
}
