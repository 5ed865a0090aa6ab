package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.experiment.CellResult;
import org.junit.jupiter.api.Test;

class MarkdownTest {
  @Test
  void theResultsTableAndClaimsReadAsMarkdown() {
    double[] cpi = {0.40, 0.42, 0.41};
    double[] mt = {0.50, 0.53, 0.50};
    List<CellResult> cells = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cells.add(StatisticsAndTidyTest.cell("single-task", i + 1, Map.of("a", 0.8), null,
          List.of()));
      cells.add(StatisticsAndTidyTest.cell("cpi-ft", i + 1, Map.of("a", cpi[i]), null,
          List.of()));
      cells.add(StatisticsAndTidyTest.cell("multi-task", i + 1, Map.of("a", mt[i]), null,
          List.of()));
    }
    cells.add(StatisticsAndTidyTest.cell("dpi", 1, Map.of("a", 0.3), null, List.of()));
    Summaries s = new Summaries(Tidy.rows("x", cells));
    List<Claims.Claim> claims = Claims.evaluate(s, List.of(Claims.beatsBaselines(),
        Claims.forgetting("sequential")));
    Map<String, Object> run = new LinkedHashMap<>(Map.of("preset", "tiny", "seeds",
        List.of(1, 2, 3), "git_commit", "0123456789abcdef0123456789abcdef01234567"));
    String md = Markdown.report("x", s, claims, run);
    assertTrue(md.startsWith("## x\n\n| method | a | average | avg. normalized | seeds |\n"
        + "|---|---:|---:|---:|---:|\n"), md);
    // the expert is the reference row (never bold); multi-task has the best mean, in bold
    assertTrue(md.contains("| single-task | 0.800 ± 0.000 | 0.800 ± 0.000 | 1.000 ± 0.000 | 3 |"),
        md);
    assertTrue(md.contains("| multi-task | **0.510** ± 0.017 | **0.510** ± 0.017 | **0.63"), md);
    // one seed: no spread printed
    assertTrue(md.contains("| dpi | 0.300 | 0.300 | 0.375 | 1 |"), md);
    assertTrue(md.contains("seeds 1, 2, 3 (at most 3 per cell); commit `0123456789ab`."), md);
    // only the claims the report measures, with the status in bold and the Holm-adjusted p
    assertTrue(md.contains("### Claims\n\n- CPI-FT beats multi-task SFT"), md);
    assertTrue(md.contains("**not supported (only against multi-task so far)**"), md);
    assertTrue(md.contains("Holm-adjusted p over the 1 tests of this report's claims"), md);
    assertTrue(!md.contains("Forgetting"), md);
    assertEquals("a \\| b", Markdown.cell("a | b"));
    assertTrue(!md.contains("covers fewer seeds"), md);
  }

  /**
   * A seed whose expert scored 0 on a task has no average normalized score; each format's
   * results table says which rows' avg. normalized covers fewer seeds than their average.
   */
  @Test
  void aRowWhoseNormalizedAverageMissesASeedSaysSo() {
    List<CellResult> cells = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // seed 3's expert scores 0 on b
      cells.add(StatisticsAndTidyTest.cell("single-task", i + 1, Map.of("a", 0.8, "b",
          i == 2 ? 0.0 : 0.5), null, List.of()));
      cells.add(StatisticsAndTidyTest.cell("multi-task", i + 1, Map.of("a", 0.5, "b", 0.4),
          null, List.of()));
    }
    Summaries s = new Summaries(Tidy.rows("x", cells));
    assertEquals(2, s.get("default", "multi-task", "average", "normalized").orElseThrow().n());
    assertEquals(3, s.get("default", "multi-task", "average", "score").orElseThrow().n());
    Map<String, Object> run = new LinkedHashMap<>(Map.of("preset", "tiny", "seeds",
        List.of(1, 2, 3), "git_commit", "0123456789abcdef0123456789abcdef01234567"));
    String sentence = "Avg. normalized covers fewer seeds than the average for single-task "
        + "(2 of 3), multi-task (2 of 3): on the other seeds a task has no ratio (its expert "
        + "scored 0, or has not run yet).";
    String md = Markdown.report("x", s, List.of(), run);
    // seeds 1-2: (0.5/0.8 + 0.4/0.5) / 2 = 0.7125; the seeds column counts the average's 3
    // (the tasks' column order follows Map.of's, which varies between runs)
    assertTrue(md.contains(" | **0.450** ± 0.000 | **0.713** ± 0.000 | 3 |\n"), md);
    assertTrue(md.contains(sentence), md);
    assertTrue(HtmlReport.table(s, s.tasks()).contains(sentence));
    assertTrue(Latex.results("x", s, s.tasks(), run, false)
        .contains(Latex.text(sentence)));
  }
}
