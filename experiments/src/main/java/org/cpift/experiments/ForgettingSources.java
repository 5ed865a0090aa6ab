package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.cpift.experiment.CellResult;
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
final class ForgettingSources implements Section {
  /** A row of a step: the BWT of {@code to} minus that of {@code from}. */
  record Step(String name, String from, String to) {}

  private final List<Step> steps;

  ForgettingSources(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** One measured step of one stage order. */
  record Line(String order, Step step, Statistics.Paired d, double holm) {}

  List<Line> lines(Summaries s) {
    List<String> orders = new ArrayList<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!orders.contains(arm.variant()) && s.get(arm.variant(), arm.method(), "average", "bwt")
          .isPresent()) {
        orders.add(arm.variant());
      }
    }
    List<String> names = new ArrayList<>();
    List<Statistics.Paired> tests = new ArrayList<>();
    List<Step> of = new ArrayList<>();
    for (String order : orders) {
      for (Step step : steps) {
        Optional<Statistics.Paired> d = s.paired(order, step.to(), order, step.from(), "average",
            "bwt");
        if (d.isPresent()) {
          names.add(order);
          of.add(step);
          tests.add(d.get());
        }
      }
    }
    double[] holm = Statistics.holm(tests.stream().mapToDouble(Statistics.Paired::pValue)
        .toArray());
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < tests.size(); i++) {
      out.add(new Line(names.get(i), of.get(i), tests.get(i), holm[i]));
    }
    return out;
  }

  static String p(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3g", v);
  }

  static String[] cells(Line l) {
    Statistics.Paired d = l.d();
    return new String[] {l.order(), l.step().name(), l.step().from() + " → " + l.step().to(),
        String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", d.meanDiff(), d.ciLow(), d.ciHigh()),
        p(d.pValue()), p(l.holm()), String.valueOf(d.n())};
  }

  static final String[] HEAD = {"stage order", "step", "rows (from → to)",
      "Δ BWT [95% CI]", "paired t p", "Holm-adjusted p", "n"};

  static final String CAPTION = "Each step changes one thing between two rows of the table "
      + "above; Δ BWT is the second row's BWT minus the first's, paired over seeds (positive: "
      + "less forgetting). The steps add up to CPI-FT − sequential SFT. Holm over the steps' tests "
      + "of this table (its own family, apart from the claims').";

  static final String TITLE = "Where CPI-FT's smaller forgetting comes from";
  static final boolean[] RIGHT = {false, false, false, true, true, true, true};

  @Override
  public String html(Summaries s, List<CellResult> cells, Map<String, String> figures) {
    List<Line> lines = lines(s);
    return lines.isEmpty() ? "" : Section.htmlTable(TITLE, HEAD,
        lines.stream().map(ForgettingSources::cells).toList(), CAPTION);
  }

  @Override
  public String markdown(Summaries s, List<CellResult> cells) {
    List<Line> lines = lines(s);
    return lines.isEmpty() ? "" : Section.markdownTable(TITLE, HEAD, RIGHT,
        lines.stream().map(ForgettingSources::cells).toList(), CAPTION);
  }
}
