package org.cpift.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every experiment's claims in one Markdown page ({@code reports/<preset>/claims.md}): a table of
 * the verdicts with how complete each experiment's run is, then each claim's evidence. The
 * verdicts are those of the experiments' own reports; nothing is decided here.
 */
public final class ClaimsIndex {
  private ClaimsIndex() {}

  /** How far an experiment's run is: finished and planned cells (null when not known). */
  public record Progress(int finished, int total) {
    String text() {
      return finished == total ? "all " + total : finished + " of " + total;
    }
  }

  /**
   * @param preset the preset the reports are of
   * @param claims per experiment (in the order to show), its claims
   * @param progress per experiment, its cells finished and planned (absent: not known)
   */
  public static String markdown(String preset, Map<String, List<Claims.Claim>> claims,
      Map<String, Progress> progress) {
    StringBuilder b = new StringBuilder("# Claims of the paper at the ").append(preset)
        .append(" preset\n\n");
    b.append("Each claim as its experiment's report decides it (figures, tables and charts: "
        + "`<experiment>/report.md` and `report.html` beside this file). A claim's tests are "
        + "decided by their 95% intervals, then again after Holm's correction over the tests of "
        + "its report's claims; a claim whose status changes under the correction is marked "
        + "\"before correction only\". No claim is decided from one seed. An experiment whose "
        + "cells have not all finished is partial: its verdicts may change.\n\n");
    b.append("| experiment | cells finished | claim | status | Holm-adjusted p |\n")
        .append("|---|---:|---|---|---|\n");
    claims.forEach((experiment, list) -> {
      Progress p = progress.get(experiment);
      for (Claims.Claim c : list) {
        b.append("| ").append(Markdown.cell(experiment)).append(" | ")
            .append(p == null ? "?" : p.text()).append(" | ")
            .append(Markdown.cell(c.statement())).append(" | **")
            .append(Markdown.cell(c.status())).append("** | ").append(holm(c)).append(" |\n");
      }
    });
    claims.forEach((experiment, list) -> {
      if (list.isEmpty()) {
        return;
      }
      b.append("\n## ").append(experiment).append("\n\n");
      for (Claims.Claim c : list) {
        b.append("- ").append(c.statement()).append(" **").append(c.status()).append("**. ")
            .append(c.evidence()).append('\n');
      }
    });
    return b.toString();
  }

  private static String holm(Claims.Claim c) {
    if (c.holmP().isEmpty()) {
      return "–";
    }
    return String.join(", ", c.holmP().stream().map(p -> Double.isNaN(p) ? "n/a"
        : String.format(Locale.ROOT, "%.3g", p)).toList());
  }
}
