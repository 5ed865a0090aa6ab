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
   * @param total the sum of the steps since the last total, which it ends (not one of Holm's
   *     tests)
   */
  record Step(String name, String from, String to, boolean total) {}

  private final List<Step> steps;

  CoreSizeSources(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  record Line(Step step, double from, double to, Statistics.Paired d, double holm) {}

  /**
   * The chains of steps (each ends at its total) whose rows all ran the same seeds, so that the
   * steps add up to the total and every mean shown covers the seeds its test pairs; Holm over the
   * steps shown (not the totals).
   */
  List<Line> lines(Summaries s) {
    List<Line> out = new ArrayList<>();
    List<Step> chain = new ArrayList<>();
    for (Step st : steps) {
      chain.add(st);
      if (!st.total()) {
        continue;
      }
      java.util.Set<Long> seeds = s.perSeed(chain.get(0).from(), "cpi-ft", "average", "score")
          .keySet();
      boolean same = !seeds.isEmpty() && chain.stream().allMatch(c ->
          s.perSeed(c.from(), "cpi-ft", "average", "score").keySet().equals(seeds)
              && s.perSeed(c.to(), "cpi-ft", "average", "score").keySet().equals(seeds));
      if (same) {
        for (Step c : chain) {
          out.add(new Line(c, mean(s, c.from()), mean(s, c.to()),
              s.paired(c.to(), "cpi-ft", c.from(), "cpi-ft", "average", "score").orElseThrow(),
              Double.NaN));
        }
      }
      chain.clear();
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
      + "paired over seeds; a chain of steps is shown once all its rows ran the same seeds, so "
      + "the steps add up to its total. A larger core both transplants more of each expert and "
      + "freezes more in later stages: the rows with nothing frozen separate the two. A "
      + "smaller core makes tasks share stages, so the pipeline trains fewer steps: the row with "
      + "each task its own stage keeps the default's five stages and budget. Holm over the steps' "
      + "tests (not the totals), this table's own family.";

  /** The table as a report section. */
  Section section() {
    return Section.table(TITLE, HEAD, RIGHT, CAPTION,
        s -> lines(s).stream().map(CoreSizeSources::cells).toList());
  }
}
