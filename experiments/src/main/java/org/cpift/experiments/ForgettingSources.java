package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cpift.report.Section;
import org.cpift.report.Statistics;
import org.cpift.report.Summaries;

/**
 * Where CPI-FT's smaller forgetting comes from, per stage order: its BWT against sequential
 * SFT's, taken apart in three steps that each change one thing, paired over seeds. Sequential
 * SFT trains each stage S steps on the task's full data from the base; CPI-FT's pipeline from the
 * base with nothing frozen trains P steps on a sample (the stage budget); from the fused model
 * (the fused start); and with earlier stages' cores frozen (freezing). Holm's adjustment runs
 * over the steps' tests of the table.
 */
final class ForgettingSources {
  /** A row of a step: the BWT of {@code to} minus that of {@code from}. */
  record Step(String name, String from, String to) {}

  private final List<Step> steps;

  ForgettingSources(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** One measured step of one stage order (the total: CPI-FT − sequential, not in Holm's family). */
  record Line(String order, Step step, double bwtFrom, double bwtTo, Statistics.Paired d,
      double holm, boolean total, double accFrom, double accTo, Statistics.Paired acc) {}

  /**
   * The steps of every stage order whose rows all have a BWT on the same seeds (so the steps add
   * up to the total), then the order's total; Holm over the steps' tests.
   */
  List<Line> lines(Summaries s) {
    List<String> orders = new ArrayList<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!orders.contains(arm.variant()) && s.get(arm.variant(), arm.method(), "average", "bwt")
          .isPresent()) {
        orders.add(arm.variant());
      }
    }
    List<String> chain = new ArrayList<>();
    chain.add(steps.get(0).from());
    steps.forEach(st -> chain.add(st.to()));
    Step total = new Step("total", chain.get(0), chain.get(chain.size() - 1));
    List<Line> out = new ArrayList<>();
    for (String order : orders) {
      var seeds = s.perSeed(order, chain.get(0), "average", "bwt").keySet();
      if (seeds.isEmpty() || chain.stream().anyMatch(row -> !s.perSeed(order, row, "average",
          "bwt").keySet().equals(seeds))) {
        continue;
      }
      for (Step step : steps) {
        out.add(line(s, order, step, false));
      }
      out.add(line(s, order, total, true));
    }
    List<Line> tests = out.stream().filter(l -> !l.total()).toList();
    double[] holm = Statistics.holm(tests.stream().mapToDouble(l -> l.d().pValue()).toArray());
    List<Line> adjusted = new ArrayList<>();
    int k = 0;
    for (Line l : out) {
      adjusted.add(l.total() ? l : new Line(l.order(), l.step(), l.bwtFrom(), l.bwtTo(), l.d(),
          holm[k++], false, l.accFrom(), l.accTo(), l.acc()));
    }
    return adjusted;
  }

  private static Line line(Summaries s, String order, Step step, boolean total) {
    return new Line(order, step, mean(s, order, step.from(), "bwt"),
        mean(s, order, step.to(), "bwt"),
        s.paired(order, step.to(), order, step.from(), "average", "bwt").orElseThrow(),
        Double.NaN, total, mean(s, order, step.from(), "acc"), mean(s, order, step.to(), "acc"),
        s.paired(order, step.to(), order, step.from(), "average", "acc").orElse(null));
  }

  private static double mean(Summaries s, String order, String row, String metric) {
    return s.get(order, row, "average", metric).map(r -> r.mean()).orElse(Double.NaN);
  }

  static String[] cells(Line l) {
    Statistics.Paired d = l.d();
    return new String[] {l.order(), l.step().name(), l.step().from() + " → " + l.step().to(),
        String.format(Locale.ROOT, "%+.3f → %+.3f", l.bwtFrom(), l.bwtTo()),
        d.interval(), Statistics.formatP(d.pValue()),
        l.total() ? "—" : Statistics.formatP(l.holm()),
        Double.isNaN(l.accFrom()) || Double.isNaN(l.accTo()) ? "–"
            : String.format(Locale.ROOT, "%.3f → %.3f", l.accFrom(), l.accTo()),
        l.acc() == null ? "–" : l.acc().interval(),
        String.valueOf(d.n())};
  }

  static final String[] HEAD = {"stage order", "step", "rows (from → to)", "BWT",
      "Δ BWT [95% CI]", "paired t p", "Holm-adjusted p", "ACC", "Δ ACC [95% CI]", "n"};

  static final String CAPTION = "For each stage order whose rows all have the same seeds: each "
      + "step changes the set-up in one respect (the stage budget changes the steps and the data "
      + "of a stage together: S steps on the task's full data against P steps on a sample; then "
      + "the fused start; then freezing), and Δ BWT is the second row's BWT minus the first's, "
      + "paired over seeds (positive: less forgetting). The total, CPI-FT − sequential SFT, is "
      + "the steps' sum. Holm over the steps' tests (not the totals), this table's own family, "
      + "apart from the claims'. ACC, the mean final score over the order's tasks, beside it: a "
      + "step that learns less in each stage also has less to forget.";

  static final String TITLE = "Where CPI-FT's smaller forgetting comes from";
  static final boolean[] RIGHT = {false, false, false, true, true, true, true, true, true, true};

  /** The table as a report section. */
  Section section() {
    return Section.table(TITLE, HEAD, RIGHT, CAPTION,
        s -> lines(s).stream().map(ForgettingSources::cells).toList());
  }
}
