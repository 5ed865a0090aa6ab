package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.cpift.report.Section;
import org.cpift.report.Statistics;
import org.cpift.report.Summaries;

/**
 * The base-anchored fusion against multi-task SFT and default CPI-FT, a comparison added to
 * main-results after the ambiguities experiment had picked ω = 1 on seeds 1–3's test scores: on
 * the seeds it was not picked on, on all seeds, and with ω chosen on validation instead. Paired
 * over seeds; Holm over this table's tests, a family of its own outside the report's claims.
 */
final class AnchoredFusionCheck {
  /** A row of the results table: a method under a variant. */
  record Arm(String variant, String method) {
    String label() {
      return variant.equals("default") ? method : method + " (" + variant + ")";
    }
  }

  /** A comparison: row {@code a} minus row {@code b}, over the seeds {@code seeds} admits. */
  record Comparison(String name, Arm a, Arm b, Predicate<Long> seeds, String seedsLabel) {}

  record Line(Comparison c, Set<Long> seeds, double meanA, double meanB, Statistics.Paired d,
      double holm) {}

  private final List<Comparison> comparisons;

  AnchoredFusionCheck(List<Comparison> comparisons) {
    this.comparisons = List.copyOf(comparisons);
  }

  /** The comparisons with at least two paired seeds, Holm over those shown. */
  List<Line> lines(Summaries s) {
    List<Line> out = new ArrayList<>();
    for (Comparison c : comparisons) {
      Map<Long, Double> va = s.perSeed(c.a().variant(), c.a().method(), "average", "score");
      Map<Long, Double> vb = s.perSeed(c.b().variant(), c.b().method(), "average", "score");
      Set<Long> seeds = new TreeSet<>(va.keySet());
      seeds.retainAll(vb.keySet());
      seeds.removeIf(c.seeds().negate());
      if (seeds.size() < 2) {
        continue;
      }
      double[] xa = seeds.stream().mapToDouble(va::get).toArray();
      double[] xb = seeds.stream().mapToDouble(vb::get).toArray();
      out.add(new Line(c, seeds, Statistics.summarize(xa).mean(), Statistics.summarize(xb).mean(),
          Statistics.paired(xa, xb), Double.NaN));
    }
    double[] holm = Statistics.holm(out.stream().mapToDouble(l -> l.d().pValue()).toArray());
    List<Line> adjusted = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      Line l = out.get(i);
      adjusted.add(new Line(l.c(), l.seeds(), l.meanA(), l.meanB(), l.d(), holm[i]));
    }
    return adjusted;
  }

  static String[] cells(Line l) {
    return new String[] {l.c().name(), l.c().a().label() + " − " + l.c().b().label(),
        l.c().seedsLabel() + " " + l.seeds(),
        String.format(Locale.ROOT, "%.3f − %.3f", l.meanA(), l.meanB()), l.d().interval(),
        Statistics.formatP(l.d().pValue()), Statistics.formatP(l.holm()),
        String.valueOf(l.d().n())};
  }

  static final String[] HEAD = {"comparison", "rows", "seeds", "average score", "Δ [95% CI]",
      "paired t p", "Holm-adjusted p", "n"};
  static final boolean[] RIGHT = {false, false, false, true, true, true, true, true};
  static final String TITLE = "The paper's base-anchored fusion against multi-task SFT "
      + "(added after the ablations)";
  static final String CAPTION = "Average test score, paired over the seeds shown. ω = 1 was "
      + "picked as the best fusion on the test scores of seeds 1–3 (ambiguities), so only its "
      + "other seeds test it fresh; ω on validation chooses ω per seed from 0.2, 0.5, 0.75 and 1 "
      + "by the final model's validation score, never seeing test, though the variant itself was "
      + "conceived after those test scores. A comparison needs two paired seeds to be shown. Holm "
      + "over this table's tests, a family of its own, apart from the claims'.";

  /** The table as a report section. */
  Section section() {
    return Section.table(TITLE, HEAD, RIGHT, CAPTION,
        s -> lines(s).stream().map(AnchoredFusionCheck::cells).toList());
  }
}
