package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.experiment.Cell;
import org.cpift.experiment.CellResult;
import org.cpift.method.Cost;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodResult;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;

class StatisticsAndTidyTest {
  @Test
  void summaryByHand() {
    // mean 2, sample std 1, t(0.975, 2) = 4.302653, half width = 4.302653 / sqrt(3)
    Statistics.Summary s = Statistics.summarize(new double[] {1, 2, 3});
    assertEquals(3, s.n());
    assertEquals(2.0, s.mean(), 1e-12);
    assertEquals(1.0, s.std(), 1e-12);
    assertEquals(2 - 4.302653 / Math.sqrt(3), s.ciLow(), 1e-5);
    assertEquals(2 + 4.302653 / Math.sqrt(3), s.ciHigh(), 1e-5);
    Statistics.Summary one = Statistics.summarize(new double[] {0.4});
    assertEquals(0.4, one.ciLow());
    Statistics.Paired p = Statistics.paired(new double[] {2, 3, 5}, new double[] {1, 1, 2});
    assertEquals(2.0, p.meanDiff(), 1e-12); // differences 1, 2, 3
    assertTrue(p.pValue() > 0.05 && p.pValue() < 0.1, "p = " + p.pValue()); // t = 3.464, df 2
  }

  static CellResult cell(String method, long seed, Map<String, Double> scores,
      List<List<String>> groups, List<Map<String, Double>> stages) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    scores.forEach((t, v) -> s.put(t, Map.of("score", v, "answer_loss", 1.0)));
    return new CellResult(new Cell("default", method, MethodConfig.defaults(Preset.TINY).withSeed(seed)),
        "k" + method + seed + "0000000000000",
        new MethodResult(method, seed, s, new Cost(10, 100, 1, 5, 50, 2), null, groups, stages, Map.of()));
  }

  @Test
  void holmAdjustsAFamilyStepDown() {
    // by hand: sorted 0.01, 0.02, 0.03, 0.5 (m = 4): 0.04, 0.06, max(0.06, 0.06) = 0.06, 0.5
    double[] adj = Statistics.holm(new double[] {0.03, 0.5, Double.NaN, 0.01, 0.02});
    assertEquals(0.06, adj[0], 1e-12);
    assertEquals(0.5, adj[1], 1e-12);
    assertTrue(Double.isNaN(adj[2]));
    assertEquals(0.04, adj[3], 1e-12);
    assertEquals(0.06, adj[4], 1e-12);
    assertEquals(1.0, Statistics.holm(new double[] {0.6, 0.7})[0], 1e-12); // capped at 1
    assertEquals(0.8, Statistics.holm(new double[] {0.4, 0.6})[1], 1e-12); // monotone
  }

  @Test
  void bootstrapIntervalStaysInsideTheValues() {
    double[] v = {0.98, 1.0, 0.99};
    double[] b = Statistics.bootstrapMean(v);
    assertTrue(b[0] >= 0.98 && b[1] <= 1.0 && b[0] < b[1], java.util.Arrays.toString(b));
    // the t-interval of the same values runs above 1
    assertTrue(Statistics.summarize(v).ciHigh() > 1.0);
    double[] same = Statistics.bootstrapMean(new double[] {0.5, 0.5});
    assertEquals(0.5, same[0]);
    assertEquals(0.5, same[1]);
    assertEquals(java.util.Arrays.toString(b), java.util.Arrays.toString(Statistics.bootstrapMean(v)));
  }

  @Test
  void aClaimSupportedOnlyBeforeCorrectionSaysSoAndWhatHoldsAfter() {
    // sequential SFT forgets clearly on a->b (p 3.5e-4) and weakly on b->a (p 0.034); the two
    // "cut by half" tests are noise; Holm over the 4 tests: 1.4e-3, 0.10, ...
    double[][] seq = {{-0.60, -0.62, -0.64}, {-0.15, -0.25, -0.30}};
    double[][] cpi = {{-0.20, -0.45, -0.30}, {-0.10, -0.05, -0.20}};
    String[] orders = {"a->b", "b->a"};
    List<CellResult> cells = new java.util.ArrayList<>();
    for (int o = 0; o < 2; o++) {
      for (int i = 0; i < 3; i++) {
        cells.add(pairCell(orders[o], "sequential", i + 1, 0.7, 0.7 + seq[o][i]));
        cells.add(pairCell(orders[o], "cpi-ft", i + 1, 0.7, 0.7 + cpi[o][i]));
      }
    }
    Summaries s = new Summaries(Tidy.rows("forgetting", cells));
    List<Claims.Claim> out = Claims.evaluate(s, List.of(Claims.forgetting("sequential"),
        Claims.forgettingHalved("sequential", "cpi-ft (no freeze)")));
    Claims.Claim forgets = out.get(0);
    assertEquals("supported — before correction only (Holm; after correction: inconclusive)",
        forgets.status(), forgets.evidence());
    assertEquals(2, forgets.pValues().size());
    assertEquals(0.034, forgets.pValues().get(1), 1e-3);
    assertEquals(3 * forgets.pValues().get(1), forgets.holmP().get(1), 1e-12);
    assertEquals(4 * forgets.pValues().get(0), forgets.holmP().get(0), 1e-12);
    assertTrue(forgets.evidence().contains("Holm-adjusted p over the 4 tests of this report's claims"),
        forgets.evidence());
    assertEquals("inconclusive", out.get(1).status(), out.get(1).evidence());
  }

  @Test
  void aNotSupportedClaimDecidedByOneStrongTestSurvivesCorrection() {
    // CPI-FT clearly below multi-task, level with multi-stage: "not supported" is decided by the
    // first test alone, which survives Holm; the inconclusive second test must not mark it
    double[] cpi = {0.40, 0.42, 0.41, 0.43, 0.39};
    double[] mt = {0.50, 0.53, 0.50, 0.52, 0.50};
    double[] ms = {0.38, 0.45, 0.40, 0.44, 0.41};
    List<CellResult> cells = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      cells.add(cell("cpi-ft", i + 1, Map.of("a", cpi[i]), null, List.of()));
      cells.add(cell("multi-task", i + 1, Map.of("a", mt[i]), null, List.of()));
      cells.add(cell("multi-stage-random", i + 1, Map.of("a", ms[i]), null, List.of()));
    }
    List<Claims.Claim> out = Claims.evaluate(new Summaries(Tidy.rows("x", cells)),
        List.of(Claims.beatsBaselines()));
    assertEquals("not supported", out.get(0).status(), out.get(0).evidence());
    assertTrue(out.get(0).holmP().get(0) < 0.05 && out.get(0).holmP().get(1) > 0.05,
        out.get(0).holmP().toString());
  }

  @Test
  void beatingTheBaselinesIsTestedAgainstTheBestOneByItsMean() {
    // rival "near" is the stronger on average (0.45 against 0.20) though "far" wins one seed;
    // CPI-FT is above both, so the test must be the paired one against "near"
    double[] cpi = {0.50, 0.52, 0.49, 0.53, 0.51};
    double[] near = {0.44, 0.47, 0.43, 0.46, 0.45};
    double[] far = {0.10, 0.55, 0.10, 0.15, 0.10};
    List<CellResult> cells = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      cells.add(cell("cpi-ft", i + 1, Map.of("a", cpi[i]), null, List.of()));
      cells.add(cell("near", i + 1, Map.of("a", near[i]), null, List.of()));
      cells.add(cell("far", i + 1, Map.of("a", far[i]), null, List.of()));
    }
    Claims.Check check = Claims.beatsBest("beats", "cpi-ft", List.of("far", "near", "absent"));
    Claims.Claim c = check.on(new Summaries(Tidy.rows("x", cells)));
    Statistics.Paired byHand = Statistics.paired(cpi, near);
    assertEquals(List.of(byHand.pValue()), c.pValues());
    assertEquals("supported (2 of 3 rivals on all of cpi-ft's seeds so far)", c.status(),
        c.evidence());
    assertTrue(c.evidence().contains("with cpi-ft: near (chosen"), c.evidence());
    // a rival above CPI-FT on every seed: not supported
    List<CellResult> above = new java.util.ArrayList<>(cells);
    for (int i = 0; i < 5; i++) {
      above.add(cell("strong", i + 1, Map.of("a", cpi[i] + 0.05 + 0.01 * i), null, List.of()));
    }
    Claims.Claim d = Claims.beatsBest("beats", "cpi-ft", List.of("far", "near", "strong"))
        .on(new Summaries(Tidy.rows("x", above)));
    assertEquals("not supported", d.status(), d.evidence());
    assertEquals(Claims.NOT_MEASURED, Claims.beatsBest("beats", "cpi-ft", List.of("absent"))
        .on(new Summaries(Tidy.rows("x", cells))).status());
    // a rival with one lucky seed so far is ranked on that seed, where "near" is higher: the
    // test stays against "near" on all five seeds
    List<CellResult> partial = new java.util.ArrayList<>(cells);
    partial.add(cell("lucky", 2, Map.of("a", 0.46), null, List.of()));
    Claims.Claim e = Claims.beatsBest("beats", "cpi-ft", List.of("near", "lucky"))
        .on(new Summaries(Tidy.rows("x", partial)));
    assertEquals(List.of(byHand.pValue()), e.pValues(), e.evidence());
    assertEquals("supported (1 of 2 rivals on all of cpi-ft's seeds so far)", e.status());
  }

  @Test
  void theSameGapOnEverySeedIsNoEvidence() {
    // one item's difference on both seeds: the spread is rounding, not variance
    Statistics.Paired p = Statistics.paired(new double[] {0.5, 0.36}, new double[] {0.48, 0.34});
    assertTrue(p.noVariance(), p.toString());
    assertTrue(Double.isNaN(p.pValue()));
    assertEquals(p.ciLow(), p.ciHigh());
    assertTrue(!Statistics.paired(new double[] {0.5, 0.37}, new double[] {0.48, 0.34})
        .noVariance());
    assertEquals(0, Claims.Significance.INTERVAL.direction(p));
    // a value that is not finite is no test at all, not "no spread"
    Statistics.Paired nan = Statistics.paired(new double[] {Double.NaN, 0.5, 0.7},
        new double[] {0.4, 0.4, 0.3});
    assertTrue(!nan.noVariance() && Double.isNaN(nan.meanDiff()), nan.toString());
    assertEquals("inconclusive", Claims.decide(nan, Claims.Significance.INTERVAL));
    List<CellResult> cells = List.of(tauCell("pipelined", 1, 0.5), tauCell("pipelined", 2, 0.36),
        tauCell("single", 1, 0.48), tauCell("single", 2, 0.34));
    Claims.Claim c = Claims.evaluate(new Summaries(Tidy.rows("x", cells)),
        List.of(Claims.pipelinedBeatsSingleStage("pipelined", "single"))).get(0);
    assertEquals(Claims.NO_SPREAD, c.status(), c.evidence());
  }

  @Test
  void aSweepWhoseArmsShareNoSeedYetIsInconclusiveNotAnError() {
    List<CellResult> cells = List.of(tauCell("tau=0", 1, 0.3), tauCell("tau=0", 2, 0.31),
        tauCell("tau=0.1", 3, 0.5));
    Claims.Claim c = Claims.groupingHelps("tau=").on(new Summaries(Tidy.rows("tau-sweep", cells)));
    assertEquals("inconclusive (tau=0.1 and tau=0 share no seed yet)", c.status(), c.evidence());
  }

  @Test
  void normalizedAccBwtAndClaims() {
    var expert1 = cell("single-task", 1, Map.of("a", 0.8, "b", 0.5), null, List.of());
    var expert2 = cell("single-task", 2, Map.of("a", 0.6, "b", 0.5), null, List.of());
    var mt1 = cell("multi-task", 1, Map.of("a", 0.4, "b", 0.5), null, List.of());
    var mt2 = cell("multi-task", 2, Map.of("a", 0.32, "b", 0.55), null, List.of());
    var seq = cell("sequential", 1, Map.of("a", 0.2, "b", 0.6), List.of(List.of("a"), List.of("b")),
        List.of(Map.of("a", 0.7, "b", 0.1), Map.of("a", 0.2, "b", 0.6)));
    List<Row> rows = Tidy.rows("x", List.of(expert1, expert2, mt1, mt2, seq));
    Summaries s = new Summaries(rows);
    assertEquals((0.5 + 0.32 / 0.6) / 2, s.get("default", "multi-task", "a", "normalized")
        .orElseThrow().mean(), 1e-12);
    assertEquals((0.5 + 1.0 + 0.32 / 0.6 + 1.1) / 4, s.get("default", "multi-task", "average",
        "normalized")
        .orElseThrow().mean(), 1e-12);
    assertEquals(0.4, s.get("default", "sequential", "average", "acc").orElseThrow().mean(), 1e-12);
    assertEquals(-0.5, s.get("default", "sequential", "average", "bwt").orElseThrow().mean(), 1e-12);
    assertEquals(-0.5, s.get("default", "sequential", "a", "stage_drop").orElseThrow().mean(), 1e-12);
    assertEquals(-0.6, s.get("default", "sequential", "a", "delta").orElseThrow().mean(), 1e-12);
    assertEquals(0.5, s.get("default", "sequential", "b", "stage_gain").orElseThrow().mean(), 1e-12);
    assertEquals(0.5, s.get("default", "sequential", "average", "stage_gain").orElseThrow().mean(),
        1e-12);
    // an expert at 0 leaves the ratio undefined: no average normalized for that seed, rather than
    // an average over the other tasks
    var zeroExpert = cell("single-task", 3, Map.of("a", 0.0, "b", 0.5), null, List.of());
    var mt3 = cell("multi-task", 3, Map.of("a", 0.1, "b", 0.5), null, List.of());
    Summaries z = new Summaries(Tidy.rows("x", List.of(zeroExpert, mt3)));
    assertTrue(z.get("default", "multi-task", "average", "normalized").isEmpty());
    assertEquals(1.0, z.get("default", "multi-task", "b", "normalized").orElseThrow().mean(), 1e-12);
    List<Claims.Claim> claims = Claims.evaluate(s, List.of(Claims.seesaw(),
        Claims.forgetting("sequential"), Claims.beatsBaselines()));
    // a: 0.5 and 0.533, t-test against 1: p 0.022, Holm over its 2 tests 0.044
    assertEquals("supported", claims.get(0).status(), claims.get(0).evidence());
    assertEquals(0.0439, java.util.Collections.min(claims.get(0).holmP()), 1e-4);
    // one sequential seed: no interval, nothing decided
    assertEquals(Claims.ONE_SEED, claims.get(1).status(), claims.get(1).evidence());
    assertEquals("not measured here", claims.get(2).status());
    String html = HtmlReport.render("x", "test", s, List.of(expert1, mt1, seq), claims,
        new LinkedHashMap<>(Map.of("preset", "tiny", "seeds", List.of(1, 2))));
    assertTrue(html.contains("<svg") && html.contains("Seesaw") && html.contains("Forgetting"));
    assertTrue(!html.contains("http://") || html.matches("(?s).*xmlns=\"http://www.w3.org/2000/svg\".*"));
    assertTrue(!html.contains("<script") && !html.contains("https://") && !html.contains("<link"),
        "the report loads nothing");
    String csv = ReportWriter.csv(ReportWriter.summaryTable(s.all()));
    assertTrue(csv.startsWith("experiment,variant,method,task,metric,n,mean,std,ci_low,ci_high"), csv);
  }

  static CellResult variantCell(String variant, String method, long seed, double a) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("a", Map.of("score", a));
    return new CellResult(new Cell(variant, method, MethodConfig.defaults(Preset.TINY)
        .withSeed(seed)), "k" + variant + method + seed + "0000000000",
        new MethodResult(method, seed, s, Cost.NONE, null, null, List.of(), Map.of()));
  }

  @Test
  void aVariantWithExpertsOfItsOwnIsNeverNormalizedByAnotherVariants() {
    List<CellResult> cells = List.of(
        variantCell("default", "single-task", 1, 0.8), variantCell("default", "single-task", 2,
            0.8),
        variantCell("lora", "single-task", 1, 0.4), // lora's seed-2 expert is missing
        variantCell("lora", "multi-task", 1, 0.2), variantCell("lora", "multi-task", 2, 0.2),
        variantCell("other", "multi-task", 1, 0.4)); // no experts of its own: default's
    List<Row> rows = Tidy.rows("x", cells);
    List<Row> lora = rows.stream().filter(r -> r.variant().equals("lora")
        && r.method().equals("multi-task") && r.metric().equals("normalized")
        && r.task().equals("a")).toList();
    assertEquals(1, lora.size(), lora.toString());
    assertEquals(1, lora.get(0).seed());
    assertEquals(0.5, lora.get(0).value(), 1e-12, "0.2 / lora's own 0.4, not / default's 0.8");
    assertEquals(0.5, new Summaries(rows).get("other", "multi-task", "a", "normalized")
        .orElseThrow().mean(), 1e-12);
  }

  @Test
  void expertsTooWeakToDivideByAreNamedBesideTheTable() {
    List<CellResult> cells = List.of(variantCell("default", "single-task", 1, 0.8),
        variantCell("lora", "single-task", 1, 0.04), variantCell("lora", "single-task", 2, 0.05),
        variantCell("lora", "multi-task", 1, 0.2));
    Summaries s = new Summaries(Tidy.rows("x", cells));
    assertEquals("Normalized scores divide by the expert's: experts below 0.10 (lora a 0.045) "
        + "make those ratios unstable, a few items moving them by a large factor.",
        Latex.weakExperts(s, List.of("a")));
    assertTrue(Markdown.report("x", s, List.of(), new LinkedHashMap<>(Map.of("preset", "tiny")))
        .contains("experts below 0.10 (lora a 0.045)"));
    assertEquals("", Latex.weakExperts(new Summaries(Tidy.rows("x", cells.subList(0, 1))),
        List.of("a")));
  }

  static CellResult tauCell(String variant, long seed, double score) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("a", Map.of("score", score, "answer_loss", 1.0));
    return new CellResult(new Cell(variant, "cpi-ft", MethodConfig.defaults(Preset.TINY).withSeed(seed)),
        "k" + variant + seed + "000000000000", new MethodResult("cpi-ft", seed, s, Cost.NONE, null, null, List.of(), Map.of()));
  }

  @Test
  void groupingClaimTellsAPeakFromAPlateau() {
    double[] zero = {0.30, 0.32, 0.31};
    double[] peak = {0.50, 0.55, 0.52};
    double[] lower = {0.40, 0.41, 0.43};
    List<CellResult> peaked = new java.util.ArrayList<>();
    List<CellResult> flat = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peaked.add(tauCell("tau=0", i + 1, zero[i]));
      peaked.add(tauCell("tau=0.1", i + 1, peak[i]));
      peaked.add(tauCell("tau=0.3", i + 1, lower[i]));
      flat.add(tauCell("tau=0", i + 1, zero[i]));
      flat.add(tauCell("tau=0.1", i + 1, peak[i]));
      flat.add(tauCell("tau=0.3", i + 1, peak[i])); // the same groups, so the same scores
    }
    Claims.Claim c = Claims.groupingHelps("tau=").on(new Summaries(Tidy.rows("tau-sweep", peaked)));
    assertEquals("supported", c.status(), c.evidence());
    Claims.Claim f = Claims.groupingHelps("tau=").on(new Summaries(Tidy.rows("tau-sweep", flat)));
    assertEquals("partly supported (no peak: tau=0.1, tau=0.3 score the same)", f.status(), f.evidence());
    // the paper's τ = 0.1 is what is tested, not the best τ picked after seeing the data
    List<CellResult> late = new java.util.ArrayList<>();
    double[] noisy = {0.36, 0.27, 0.33}; // − tau=0: +0.06, −0.05, +0.02: no effect
    for (int i = 0; i < 3; i++) {
      late.add(tauCell("tau=0", i + 1, zero[i]));
      late.add(tauCell("tau=0.1", i + 1, noisy[i]));
      late.add(tauCell("tau=0.3", i + 1, peak[i]));
    }
    Claims.Claim l = Claims.groupingHelps("tau=").on(new Summaries(Tidy.rows("tau-sweep", late)));
    assertEquals("inconclusive", l.status(), l.evidence());
    assertTrue(l.evidence().contains("best tau=0.3; tau=0.1 − tau=0"), l.evidence());
  }

  /**
   * τ values run on different seeds are compared on the seeds they share: τ = 0.1 is not behind
   * τ = 0.3 because of a seed τ = 0.3 has not run yet.
   */
  @Test
  void groupingCurveComparesTauOnTheSeedsEveryTauRan() {
    List<CellResult> cells = new java.util.ArrayList<>();
    double[] zero = {0.30, 0.32, 0.31};
    double[] same = {0.50, 0.52, 0.20}; // seed 3 low for τ = 0.1, which τ = 0.3 has not run
    for (int i = 0; i < 3; i++) {
      cells.add(tauCell("tau=0", i + 1, zero[i]));
      cells.add(tauCell("tau=0.1", i + 1, same[i]));
      if (i < 2) {
        cells.add(tauCell("tau=0.3", i + 1, same[i]));
      }
    }
    Claims.Claim c = Claims.groupingHelps("tau=").on(new Summaries(Tidy.rows("tau-sweep", cells)));
    assertTrue(c.evidence().startsWith("on the seeds every τ ran (1, 2): tau=0: 0.310; "
        + "tau=0.1: 0.510; tau=0.3: 0.510;"), c.evidence());
    assertTrue(c.evidence().contains("(tied: tau=0.1, tau=0.3)"), c.evidence());
  }

  /**
   * A stage order run on one seed leaves that order undecided; it does not make the whole claim
   * "one seed" when the other orders have more.
   */
  @Test
  void oneOrderOnOneSeedLeavesTheOthersDeciding() {
    List<CellResult> cells = new java.util.ArrayList<>();
    // two orders on three seeds, CPI-FT's BWT far above half of sequential's; a third on one
    for (int i = 1; i <= 3; i++) {
      for (String v : List.of("a->b", "b->a")) {
        cells.add(bwtCell(v, "cpi-ft", i, -0.01 - 0.001 * i));
        cells.add(bwtCell(v, "sequential", i, -0.30 - 0.01 * i));
      }
    }
    cells.add(bwtCell("all", "cpi-ft", 1, -0.02));
    cells.add(bwtCell("all", "sequential", 1, -0.3));
    Summaries s = new Summaries(Tidy.rows("forgetting", cells));
    Claims.Claim c = Claims.forgettingHalved("sequential", "no-freeze").on(s);
    assertEquals("partly supported (on 2 of 3 stage orders; inconclusive on the rest; one seed "
        + "on 1 of 3)", c.status(), c.evidence());
  }

  /** A pair of tasks trained a then b: BWT is the change on a after stage b. */
  static CellResult bwtCell(String variant, String method, long seed, double drop) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("a", Map.of("score", 0.5 + drop, "answer_loss", 1.0));
    s.put("b", Map.of("score", 0.6, "answer_loss", 1.0));
    return new CellResult(new Cell(variant, method, MethodConfig.defaults(Preset.TINY)
        .withSeed(seed)), "k" + variant + method + seed + "00000000000", new MethodResult(method,
        seed, s, Cost.NONE, null, List.of(List.of("a"), List.of("b")),
        List.of(Map.of("a", 0.5, "b", 0.1), Map.of("a", 0.5 + drop, "b", 0.6)), Map.of()));
  }

  /**
   * A task below the expert by its own interval but not after Holm's correction is listed so:
   * the evidence says what the corrected tests decide, beside what the raw ones do.
   */
  @Test
  void evidenceSaysWhatChangesAfterCorrection() {
    assertEquals(" [after Holm's correction: Below the expert: [b] (per task)]",
        Claims.afterCorrection("a 1; b 2. Below the expert: [a, b] (per task)",
            "a 1; b 2. Below the expert: [b] (per task)"));
    assertEquals("", Claims.afterCorrection("same", "same"));
    // a clause the correction drops is named, not a neighbour that did not change
    assertEquals(" [after Holm's correction, no longer: B (n=3)]",
        Claims.afterCorrection("A (n=3); B (n=3); C (n=3)", "A (n=3); C (n=3)"));
    assertEquals(" [after Holm's correction: below: none (t)]",
        Claims.afterCorrection("x 1. below: [a] (t)", "x 1. below: none (t)"));
    assertEquals(" [after Holm's correction: B' (n=3)]",
        Claims.afterCorrection("A; B (n=3); C", "A; B' (n=3); C"));
  }

  @Test
  void anExperimentsSweepSectionReadsOnlyItsOwnLabels() {
    List<CellResult> cells = new java.util.ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      cells.add(tauCell("default", i, 0.3));
      cells.add(tauCell("tau=0.1", i, 0.4));
      cells.add(tauCell("tau=0.5", i, 0.2));
      cells.add(tauCell("tau=high", i, 0.9)); // not a number: not a point of the sweep
      cells.add(tauCell("p=1", i, 0.8)); // another parameter's label
    }
    Map<String, String> figures = new LinkedHashMap<>();
    String html = Section.sweep("tau", "tau=").html(new Summaries(Tidy.rows("tau-sweep", cells)),
        cells, figures);
    assertEquals(List.of("fig-sweep-tau-cpi-ft"), List.copyOf(figures.keySet()));
    assertTrue(html.startsWith("<h2>Sweep of tau</h2>") && html.contains(figures.get(
        "fig-sweep-tau-cpi-ft")), html);
    // one point is no curve
    cells.removeIf(c -> c.cell().variant().equals("tau=0.5"));
    assertEquals("", Section.sweep("tau", "tau=").html(new Summaries(Tidy.rows("tau-sweep",
        cells)), cells, new LinkedHashMap<>()));
  }

  @Test
  void sweepCurvesUseALogAxisAcrossOrdersOfMagnitude() {
    assertEquals("0.1", Svg.tick(0.1));
    assertEquals("0.05", Svg.tick(0.05));
    assertEquals("10", Svg.tick(10));
    double[] m = {0.3, 0.31, 0.32};
    String p = Svg.curve("p", "p", new double[] {0.1, 1, 10}, m, m, m, "score");
    assertTrue(p.contains("p, log scale"), p);
    String tau = Svg.curve("t", "tau", new double[] {0, 0.1, 0.5}, m, m, m, "score");
    assertTrue(!tau.contains("log scale"), tau);
  }

  @Test
  void variantsAreComparedWithTheDefaultPairedOverSeeds() {
    List<CellResult> cells = new java.util.ArrayList<>();
    double[] base = {0.30, 0.40, 0.35};
    double[] lower = {0.20, 0.28, 0.26}; // differences -0.10, -0.12, -0.09
    for (int i = 0; i < 3; i++) {
      cells.add(tauCell("default", i + 1, base[i]));
      cells.add(tauCell("no-fusion", i + 1, lower[i]));
    }
    String html = HtmlReport.differences(new Summaries(Tidy.rows("components", cells)));
    // mean -0.1033, sd 0.01528, half width 4.303 * 0.01528 / sqrt(3) = 0.0380
    assertTrue(html.contains("cpi-ft (no-fusion)</td><td class=\"not\">-0.103 [-0.141, -0.065]"), html);
  }

  static CellResult pairCell(String variant, String method, long seed, double aAfterA,
      double aAfterB) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("a", Map.of("score", aAfterB, "answer_loss", 1.0));
    s.put("b", Map.of("score", 0.6, "answer_loss", 1.0));
    return new CellResult(new Cell(variant, method, MethodConfig.defaults(Preset.TINY).withSeed(seed)),
        "k" + variant + method + seed + "0000000000", new MethodResult(method, seed, s, Cost.NONE,
            null, List.of(List.of("a"), List.of("b")), List.of(Map.of("a", aAfterA, "b", 0.1),
                Map.of("a", aAfterB, "b", 0.6)), Map.of()));
  }

  @Test
  void forgettingHalvedIsAPairedTestPerStageOrder() {
    List<CellResult> cells = new java.util.ArrayList<>();
    double[] seqDrop = {-0.60, -0.62, -0.64};
    double[] keeps = {-0.10, -0.12, -0.11}; // − ½·seq = +0.20, +0.19, +0.21: more than half kept
    double[] loses = {-0.50, -0.52, -0.49}; // − ½·seq = −0.20, −0.21, −0.17: less than half kept
    for (int i = 0; i < 3; i++) {
      cells.add(pairCell("a->b", "sequential", i + 1, 0.7, 0.7 + seqDrop[i]));
      cells.add(pairCell("a->b", "cpi-ft", i + 1, 0.7, 0.7 + keeps[i]));
    }
    Claims.Claim one = Claims.forgettingHalved("sequential", "cpi-ft (no freeze)").on(new Summaries(Tidy.rows("forgetting", cells)));
    assertEquals("supported", one.status(), one.evidence());
    assertTrue(one.evidence().contains("cut 82%"), one.evidence()); // 1 − 0.11 / 0.62
    for (int i = 0; i < 3; i++) {
      cells.add(pairCell("b->a", "sequential", i + 1, 0.7, 0.7 + seqDrop[i]));
      cells.add(pairCell("b->a", "cpi-ft", i + 1, 0.7, 0.7 + loses[i]));
    }
    Summaries both = new Summaries(Tidy.rows("forgetting", cells));
    Claims.Claim two = Claims.forgettingHalved("sequential", "cpi-ft (no freeze)").on(both);
    assertEquals("mixed (supported on 1, not supported on 1 of 2 stage orders)", two.status(),
        two.evidence());
    // sequential SFT forgets on both orders: every order is in the claim
    Claims.Claim seq = Claims.forgetting("sequential").on(both);
    assertEquals("supported", seq.status(), seq.evidence());
    assertTrue(seq.evidence().contains("a->b -0.620") && seq.evidence().contains("b->a -0.620"),
        seq.evidence());
  }

  static CellResult stepsCell(String variant, String method, long seed, double score,
      long steps) {
    Map<String, Map<String, Double>> s = new LinkedHashMap<>();
    s.put("a", Map.of("score", score, "answer_loss", 1.0));
    return new CellResult(new Cell(variant, method, MethodConfig.defaults(Preset.TINY)
        .withSeed(seed)), "k" + variant + method + seed + "00000000000", new MethodResult(method,
        seed, s, new Cost(steps, 0, 1, 0, 0, 0), null, null, List.of(), Map.of()));
  }

  @Test
  void groupingIsTestedAgainstTauZeroAtTheTestedBudget() {
    double[] zero = {0.30, 0.32, 0.31};
    double[] grouped = {0.50, 0.55, 0.52};
    double[] matched = {0.49, 0.56, 0.50}; // τ = 0 with as many steps: no better than grouping
    List<CellResult> cells = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cells.add(stepsCell("tau=0", "cpi-ft", i + 1, zero[i], 100));
      cells.add(stepsCell("tau=0.1", "cpi-ft", i + 1, grouped[i], 500));
    }
    // only a τ = 0 of a fifth of the steps: no verdict
    Claims.Claim unmatched = Claims.groupingHelps("tau=", "matched")
        .on(new Summaries(Tidy.rows("tau-sweep", cells)));
    assertEquals("inconclusive (no τ = 0 run at the budget of tau=0.1)", unmatched.status(),
        unmatched.evidence());
    assertTrue(unmatched.evidence().contains("tau=0.1 500 steps, tau=0 100 steps"),
        unmatched.evidence());
    for (int i = 0; i < 3; i++) {
      cells.add(stepsCell("matched", "cpi-ft", i + 1, matched[i], 500));
    }
    Claims.Claim c = Claims.groupingHelps("tau=", "matched")
        .on(new Summaries(Tidy.rows("tau-sweep", cells)));
    assertEquals("inconclusive", c.status(), c.evidence());
    assertTrue(c.evidence().contains("tau=0.1 − matched: 0.007 [-0.031, 0.045]"), c.evidence());
  }

  @Test
  void freezingsOwnPartOfForgettingIsTestedPerOrderAgainstTheUnfrozenRun() {
    List<CellResult> cells = new java.util.ArrayList<>();
    double[] frozenEnd = {0.60, 0.62, 0.58};
    double[] freeEnd = {0.40, 0.45, 0.41};
    for (int i = 0; i < 3; i++) {
      for (String[] m : new String[][] {{"frozen", "" + frozenEnd[i]}, {"free", "" + freeEnd[i]}}) {
        double end = Double.parseDouble(m[1]);
        // a: 0.7 after its own stage, `end` after b's: BWT = end − 0.7
        cells.add(cell(m[0], i + 1, Map.of("a", end, "b", 0.6), List.of(List.of("a"),
            List.of("b")), List.of(Map.of("a", 0.7, "b", 0.1), Map.of("a", end, "b", 0.6))));
      }
    }
    Summaries s = new Summaries(Tidy.rows("forgetting", cells));
    Claims.Claim c = Claims.freezingCutsForgetting("frozen", "free", "own task").on(s);
    assertEquals("supported", c.status(), c.evidence());
    // BWT differences 0.20, 0.17, 0.17: mean 0.18
    assertTrue(c.evidence().contains("default: frozen − free 0.180 [0.137, 0.223]"), c.evidence());
    assertEquals(1, c.pValues().size());
    // a second stage order where freezing makes no difference: partly supported
    List<CellResult> two = new java.util.ArrayList<>(cells);
    double[] same = {0.50, 0.55, 0.45};
    double[] other = {0.52, 0.50, 0.47};
    for (int i = 0; i < 3; i++) {
      for (Object[] m : new Object[][] {{"frozen", same[i]}, {"free", other[i]}}) {
        double end = (Double) m[1];
        CellResult x = cell((String) m[0], i + 1, Map.of("a", end, "b", 0.6),
            List.of(List.of("a"), List.of("b")),
            List.of(Map.of("a", 0.7, "b", 0.1), Map.of("a", end, "b", 0.6)));
        two.add(new CellResult(new Cell("b->a", x.cell().method(), x.cell().config()),
            x.key() + "o", x.result()));
      }
    }
    Claims.Claim p = Claims.freezingCutsForgetting("frozen", "free", "own task")
        .on(new Summaries(Tidy.rows("forgetting", two)));
    assertTrue(p.status().startsWith("partly supported (on 1 of 2 stage orders"), p.status());
    assertEquals(2, p.pValues().size());
    assertEquals(Claims.NOT_MEASURED,
        Claims.freezingCutsForgetting("frozen", "absent", "own task").on(s).status());
  }

  @Test
  void aComparisonAtEqualBudgetsShowsEachArmsSteps() {
    List<CellResult> cells = new java.util.ArrayList<>();
    double[] cpi = {0.40, 0.42, 0.45};
    double[] mt = {0.50, 0.53, 0.51};
    for (int i = 0; i < 3; i++) {
      cells.add(stepsCell("default", "cpi-ft", i + 1, cpi[i], 500));
      cells.add(stepsCell("n-p", "multi-task", i + 1, mt[i], 500));
    }
    Claims.Check check = Claims.above("CPI-FT beats multi-task SFT at equal budget.", List.of(
        new Claims.ArmRef[] {new Claims.ArmRef("default", "cpi-ft"),
            new Claims.ArmRef("n-p", "multi-task")},
        new Claims.ArmRef[] {new Claims.ArmRef("n-s", "cpi-ft"),
            new Claims.ArmRef("default", "multi-task")}));
    Claims.Claim c = check.on(new Summaries(Tidy.rows("components", cells)));
    assertEquals("not supported (1 of 2 comparisons so far)", c.status(), c.evidence());
    // the second comparison above: one each way is mixed; both above is supported
    double[] cpiNs = {0.60, 0.62, 0.66};
    double[] mtDefault = {0.50, 0.51, 0.52};
    for (int i = 0; i < 3; i++) {
      cells.add(stepsCell("n-s", "cpi-ft", i + 1, cpiNs[i], 1500));
      cells.add(stepsCell("default", "multi-task", i + 1, mtDefault[i], 1500));
    }
    Claims.Claim mixed = check.on(new Summaries(Tidy.rows("components", cells)));
    assertEquals("mixed (above in one comparison, below in another)", mixed.status(),
        mixed.evidence());
    assertEquals(2, mixed.pValues().size());
    Claims.Check second = Claims.above("x", List.<Claims.ArmRef[]>of(new Claims.ArmRef[] {
        new Claims.ArmRef("n-s", "cpi-ft"), new Claims.ArmRef("default", "multi-task")}));
    assertEquals("supported", second.on(new Summaries(Tidy.rows("components", cells))).status());
    assertTrue(c.evidence().startsWith("cpi-ft − multi-task (n-p): -0.090"), c.evidence());
    assertTrue(c.evidence().contains("(steps 500 vs 500)"), c.evidence());
  }
}
