package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cpift.experiment.CellResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report outputs meant for papers, checked against computations made here: LaTeX tables with
 * the true best in bold, charts that scale (viewBox, no fixed width), a method's colour kept
 * across reports, heatmap text legible by the WCAG contrast formula, whiskers inside [0, 1].
 */
class PaperReportsTest {
  @TempDir Path dir;

  static final List<String> TASKS = List.of("math", "code", "logic");

  /** Scores of method m on task t for seed s: fixed, distinct, near both ends of [0, 1]. */
  static double score(int m, int t, int s) {
    double[][] base = {{0.9, 0.2, 0.5}, {0.7, 0.4, 0.98}, {0.6, 0.02, 0.3}, {0.8, 0.35, 0.97},
        {0.1, 0.1, 0.1}};
    return Math.min(1, Math.max(0, base[m % base.length][t] + (s == 1 ? 0.02 : s == 2 ? -0.02
        : 0.015) * (t + 1)));
  }

  static final List<String> METHODS = List.of("single-task", "multi-task", "cpi-ft", "ties",
      "slerp");

  static List<CellResult> cells(List<String> methods) {
    List<CellResult> out = new ArrayList<>();
    for (String m : methods) {
      for (int s = 1; s <= 3; s++) {
        Map<String, Double> sc = new LinkedHashMap<>();
        for (int t = 0; t < TASKS.size(); t++) {
          sc.put(TASKS.get(t), score(METHODS.indexOf(m), t, s));
        }
        out.add(StatisticsAndTidyTest.cell(m, s, sc, null, List.of()));
      }
    }
    return out;
  }

  static Map<String, Object> run() {
    return new LinkedHashMap<>(Map.of("preset", "tiny", "seeds", List.of(1, 2, 3), "git_commit",
        "abc1234", "finished_at", "now"));
  }

  @Test
  void theBoldCellIsTheColumnsTrueBestAndTheCaptionSaysWhy() {
    Summaries s = new Summaries(Tidy.rows("x", cells(METHODS)));
    String tex = Latex.tables("main-results", s, run()).get("table-results");
    assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule")
        && tex.contains("\\bottomrule"), tex);
    assertTrue(tex.contains("Preset tiny; seeds 1, 2, 3") && tex.contains("abc1234"), tex);
    assertTrue(tex.contains("Bold: the highest mean"), tex);
    // rows of the table, by method label
    Map<String, String[]> rows = new HashMap<>();
    for (String line : tex.split("\n")) {
      if (line.endsWith("\\\\") && !line.startsWith("method")) {
        String[] f = line.substring(0, line.length() - 2).split(" & ");
        rows.put(f[0].trim(), f);
      }
    }
    // independently: per column the best mean (3 decimals) over the non-expert methods
    for (int t = 0; t < TASKS.size(); t++) {
      double best = Double.NEGATIVE_INFINITY;
      for (String m : METHODS) {
        if (!m.equals("single-task")) {
          best = Math.max(best, round(mean(METHODS.indexOf(m), t)));
        }
      }
      for (String m : METHODS) {
        String cell = rows.get(m)[1 + t];
        boolean bold = cell.contains("\\mathbf{");
        boolean shouldBe = !m.equals("single-task") && round(mean(METHODS.indexOf(m), t)) == best;
        assertEquals(shouldBe, bold, m + " on " + TASKS.get(t) + ": " + cell);
        assertTrue(cell.contains(String.format(Locale.ROOT, "%.3f", mean(METHODS.indexOf(m), t))),
            cell);
      }
    }
    // the interval table shows the bootstrap bounds; on the scores (not the normalized
    // average, a ratio) they stay in [0, 1]
    String ci = Latex.tables("main-results", s, run()).get("table-results-ci");
    int n = 0;
    for (String line : ci.split("\n")) {
      if (!line.endsWith("\\\\") || line.startsWith("method")) {
        continue;
      }
      String[] f = line.split(" & ");
      for (int c = 1; c <= TASKS.size() + 1; c++) {
        Matcher b = Pattern.compile("\\[(-?[0-9.]+), (-?[0-9.]+)\\]").matcher(f[c]);
        assertTrue(b.find(), f[c]);
        n++;
        assertTrue(Double.parseDouble(b.group(1)) >= 0 && Double.parseDouble(b.group(2)) <= 1,
            b.group());
      }
    }
    assertEquals(METHODS.size() * (TASKS.size() + 1), n, ci);
    assertEquals("a\\_b \\& c\\% \\#1 --", Latex.text("a_b & c% #1 \u2212"));
  }

  /**
   * Where variants have experts of their own (peft: full fine-tuning and LoRA), avg. normalized
   * divides each variant by different experts, so its best is decided within each variant: a
   * variant with weak experts gets a high ratio that is not a better model.
   */
  @Test
  void avgNormalizedIsComparedOnlyBetweenRowsOfTheSameExperts() {
    List<CellResult> cells = new ArrayList<>();
    // variant "full": experts 0.8, the method 0.6 (ratio 0.75); "lora": experts 0.2, the
    // method 0.19 (ratio 0.95) and a second method 0.1 (ratio 0.5)
    double[][] spec = {{0.8, 0.6, -1}, {0.2, 0.19, 0.1}};
    String[] variants = {"full", "lora"};
    for (int v = 0; v < 2; v++) {
      for (int s = 1; s <= 2; s++) {
        String[] methods = {"single-task", "cpi-ft", "ties"};
        for (int m = 0; m < 3; m++) {
          if (spec[v][m] < 0) {
            continue;
          }
          Map<String, Map<String, Double>> sc = new LinkedHashMap<>();
          for (String t : TASKS) {
            sc.put(t, Map.of("score", spec[v][m] + 0.001 * s, "answer_loss", 1.0));
          }
          cells.add(new CellResult(new org.cpift.experiment.Cell(variants[v], methods[m],
              org.cpift.method.MethodConfig.defaults(org.cpift.train.Preset.TINY).withSeed(s)),
              "k" + v + m + s + "00000000000", new org.cpift.method.MethodResult(methods[m], s,
              sc, new org.cpift.method.Cost(10, 100, 1, 5, 50, 2), null, null, List.of(),
              Map.of())));
        }
      }
    }
    Summaries s = new Summaries(Tidy.rows("peft", cells));
    List<Latex.Line> lines = Latex.resultLines(s, TASKS);
    List<List<Integer>> best = Latex.best(lines, TASKS.size() + 2);
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      at.put(lines.get(i).label(), i);
    }
    int full = at.keySet().stream().filter(l -> l.contains("cpi-ft") && l.contains("full"))
        .map(at::get).findFirst().orElseThrow();
    int lora = at.keySet().stream().filter(l -> l.contains("cpi-ft") && l.contains("lora"))
        .map(at::get).findFirst().orElseThrow();
    int ties = at.keySet().stream().filter(l -> l.contains("ties")).map(at::get).findFirst()
        .orElseThrow();
    List<Integer> norm = best.get(TASKS.size() + 1);
    // each variant's best ratio is bold: full's 0.75 as well as lora's 0.95; lora's 0.5 is not
    assertTrue(norm.contains(full) && norm.contains(lora) && !norm.contains(ties), lines + " "
        + norm);
    // the average score is one comparison over all rows: full's cpi-ft (0.6) alone
    assertEquals(List.of(full), best.get(TASKS.size()));
    assertTrue(Latex.bestRule(lines).contains("within each variant"), Latex.bestRule(lines));
    // with one set of experts nothing changes: the rule is the plain one
    Summaries one = new Summaries(Tidy.rows("x", cells(METHODS)));
    assertEquals(Latex.BEST_RULE, Latex.bestRule(Latex.resultLines(one, TASKS)));
    String md = Markdown.report("peft", s, List.of(), run());
    assertTrue(md.contains("within each variant"), md);
  }

  static double mean(int m, int t) {
    return (score(m, t, 1) + score(m, t, 2) + score(m, t, 3)) / 3;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  @Test
  void chartsScaleToThePageAndStandaloneFilesAreWellFormed() throws Exception {
    Summaries s = new Summaries(Tidy.rows("x", cells(METHODS)));
    Map<String, String> figures = new LinkedHashMap<>();
    String html = HtmlReport.render("x", "d", s, cells(METHODS), List.of(), run(), List.of(), figures);
    Matcher open = Pattern.compile("<svg[^>]*>").matcher(html);
    int charts = 0;
    while (open.find()) {
      charts++;
      String tag = open.group();
      assertTrue(tag.contains("viewBox=\"0 0 "), tag);
      assertFalse(Pattern.compile("\\swidth=").matcher(tag).find(), "fixed width: " + tag);
      assertFalse(Pattern.compile("\\sheight=").matcher(tag).find(), "fixed height: " + tag);
    }
    assertTrue(charts >= 2 && figures.containsKey("fig-scores-by-task")
        && figures.containsKey("fig-seesaw"), figures.keySet().toString());
    var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    for (var f : figures.entrySet()) {
      String file = Svg.standalone(f.getValue());
      assertTrue(file.startsWith("<?xml") && file.contains("<style>"), f.getKey());
      // well-formed XML with its own size, as a paper's toolchain reads it
      var doc = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
          file.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      var root = doc.getDocumentElement();
      String[] vb = root.getAttribute("viewBox").split(" ");
      assertEquals(vb[2], root.getAttribute("width"), f.getKey());
      assertEquals(vb[3], root.getAttribute("height"), f.getKey());
    }
  }

  @Test
  void manyMethodsWrapIntoRowsInsideThePageWidth() {
    List<String> cats = List.of("math", "code", "logic", "instructions", "dialogue", "average");
    List<String> names = new ArrayList<>(org.cpift.method.Methods.NAMES);
    names.addAll(org.cpift.method.Methods.EXTRA);
    List<Svg.Series> series = new ArrayList<>();
    for (String n : names) {
      double[] m = new double[cats.size()];
      java.util.Arrays.fill(m, 0.5);
      series.add(new Svg.Series(n, m, m, m));
    }
    String svg = Svg.bars("t", cats, series, 1.0, Double.NaN, "score");
    Matcher vb = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
    assertTrue(vb.find());
    int w = Integer.parseInt(vb.group(1));
    assertTrue(w <= Svg.MAX_WIDTH, "width " + w);
    // every bar, label and legend entry inside the viewBox
    Matcher x = Pattern.compile(
        "<(?:rect|text) x=\"([0-9.]+)\"(?: y=\"[0-9.-]+\" width=\"([0-9.]+)\")?").matcher(svg);
    while (x.find()) {
      double right = Double.parseDouble(x.group(1))
          + (x.group(2) == null ? 0 : Double.parseDouble(x.group(2)));
      assertTrue(right <= w, "beyond the chart: " + x.group());
    }
    for (String c : cats) {
      assertTrue(svg.contains(">" + c + "</text>"), c);
    }
    // fifteen series: fifteen distinct looks (colour and pattern)
    Set<String> looks = new HashSet<>(legend(svg).values());
    assertEquals(names.size(), looks.size(), legend(svg).toString());
  }

  /** The legend of a chart: name to colour/pattern. */
  static Map<String, String> legend(String svg) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher k = Pattern.compile("<g class=\"key\" data-name=\"([^\"]+)\" data-colour=\"([^\"]+)\" "
        + "data-pattern=\"([^\"]+)\"").matcher(svg);
    while (k.find()) {
      out.put(k.group(1), k.group(2) + "/" + k.group(3));
    }
    return out;
  }

  @Test
  void aMethodKeepsItsColourInEveryReport() {
    List<String> a = List.of("single-task", "multi-task", "cpi-ft", "ties", "slerp");
    List<String> b = List.of("slerp", "cpi-ft", "ties");
    String ha = HtmlReport.bars(new Summaries(Tidy.rows("a", cells(a))), TASKS);
    String hb = HtmlReport.bars(new Summaries(Tidy.rows("b", cells(b))), TASKS);
    Map<String, String> la = legend(ha);
    Map<String, String> lb = legend(hb);
    assertEquals(a.size(), la.size());
    for (String m : b) {
      assertEquals(la.get(m), lb.get(m), m);
    }
    assertEquals(a.size(), new HashSet<>(la.values()).size(), "distinct within a chart: " + la);
    // the issue's pair: single-task and slerp no longer share a colour
    assertFalse(la.get("single-task").split("/")[0].equals(la.get("slerp").split("/")[0]),
        la.toString());
    // bars are filled with their legend's colour (or its pattern)
    assertTrue(ha.contains("fill=\"" + la.get("cpi-ft").split("/")[0] + "\""), ha);
  }

  /** WCAG 2 relative luminance and contrast, written out here. */
  static double lum(String hex) {
    double r = chan(Integer.parseInt(hex.substring(1, 3), 16));
    double g = chan(Integer.parseInt(hex.substring(3, 5), 16));
    double b = chan(Integer.parseInt(hex.substring(5, 7), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  static double chan(int v) {
    double c = v / 255.0;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  @Test
  void heatmapNumbersContrastWithTheirCells() {
    int n = 6;
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i][j] = i == j ? 1 : (i * n + j) / (double) (n * n);
      }
    }
    String svg = Svg.heatmap("J", List.of("a", "b", "c", "d", "e", "instructions"), m);
    Matcher c = Pattern.compile("<rect [^>]*fill=\"(#[0-9a-fA-F]{6})\"/><text [^>]*fill=\""
        + "(#[0-9a-fA-F]{6})\"[^>]*>([0-9.]+)</text>").matcher(svg);
    int cells = 0;
    while (c.find()) {
      cells++;
      double l1 = lum(c.group(1));
      double l2 = lum(c.group(2));
      double ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      assertTrue(ratio >= 4.5, c.group(3) + " on " + c.group(1) + ": " + ratio);
    }
    assertEquals(n * n, cells, svg);
    assertFalse(svg.contains("class=\"ax\" text-anchor=\"middle\">0."),
        "cell values must not take the axis class, whose CSS fill overrides theirs");
  }

  @Test
  void whiskersAreTheBootstrapBoundsAndStayInTheUnitInterval() {
    Summaries s = new Summaries(Tidy.rows("x", cells(METHODS)));
    String svg = HtmlReport.bars(s, TASKS);
    Matcher w = Pattern.compile("<line [^>]*y1=\"([0-9.-]+)\" y2=\"([0-9.-]+)\" class=\"err\" "
        + "data-low=\"([^\"]+)\" data-high=\"([^\"]+)\"").matcher(svg);
    int n = 0;
    boolean tHigh = false;
    while (w.find()) {
      n++;
      double lo = Double.parseDouble(w.group(3));
      double hi = Double.parseDouble(w.group(4));
      assertTrue(lo >= 0 && hi <= 1 && lo <= hi, w.group());
      // the whisker lies in the plot area: between the 0 line (y = 210) and the 1 line (y = 30)
      for (int g = 1; g <= 2; g++) {
        double y = Double.parseDouble(w.group(g));
        assertTrue(y >= 30 - 1e-9 && y <= 210 + 1e-9, w.group());
      }
    }
    assertEquals(METHODS.size() * (TASKS.size() + 1), n, svg);
    // and they are the percentile bootstrap: for the scores near 1 the t-interval runs above 1
    for (String m : METHODS) {
      for (int t = 0; t < TASKS.size(); t++) {
        int mi = METHODS.indexOf(m);
        double[] v = {score(mi, t, 1), score(mi, t, 2), score(mi, t, 3)};
        double[] boot = Statistics.bootstrapMean(v);
        assertTrue(svg.contains(String.format(Locale.ROOT, "data-low=\"%.6g\" data-high=\"%.6g\"",
            boot[0], boot[1])), m + " " + TASKS.get(t));
        tHigh |= Statistics.summarize(v).ciHigh() > 1;
      }
    }
    assertTrue(tHigh, "the data should have a t-interval above 1 for this test to mean something");
  }

  @Test
  void reportWriterWritesOnlyTheFormatsAskedFor() throws IOException {
    List<CellResult> cs = cells(METHODS);
    ReportWriter.write(dir.resolve("tex"), "x", "d", cs, run(), List.of(), List.of(),
        java.util.EnumSet.of(ReportFormat.TEX, ReportFormat.SVG));
    assertTrue(Files.isRegularFile(dir.resolve("tex/table-results.tex")));
    assertTrue(Files.isRegularFile(dir.resolve("tex/fig-scores-by-task.svg")));
    assertTrue(Files.isRegularFile(dir.resolve("tex/manifest.json")));
    assertFalse(Files.exists(dir.resolve("tex/report.html")));
    assertFalse(Files.exists(dir.resolve("tex/results.csv")));
    assertFalse(Files.exists(dir.resolve("tex/report.md")));
    ReportWriter.write(dir.resolve("all"), "x", "d", cs, run(), List.of());
    for (String f : List.of("report.html", "results.csv", "summary.csv", "table-results.tex",
        "table-results-ci.tex", "fig-scores-by-task.svg", "fig-seesaw.svg", "report.md")) {
      assertTrue(Files.isRegularFile(dir.resolve("all").resolve(f)), f);
    }
  }

  @Test
  void aRenderingThatFailsLeavesTheFolderAsItWas() throws IOException {
    Path out = dir.resolve("kept");
    ReportWriter.write(out, "x", "d", cells(METHODS), run(), List.of());
    Map<String, byte[]> before = new java.util.TreeMap<>();
    try (var files = Files.list(out)) {
      for (Path f : files.toList()) {
        before.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    // another rendering, of fewer methods, whose own section fails after the CSV, manifest, page
    // and figures are rendered (Markdown is rendered last)
    Section failing = new Section() {
      @Override
      public String html(Summaries s, List<CellResult> cells, Map<String, String> figures) {
        return "";
      }

      @Override
      public String markdown(Summaries s, List<CellResult> cells) {
        throw new IllegalStateException("planted failure");
      }
    };
    assertThrows(IllegalStateException.class, () -> ReportWriter.write(out, "x", "d",
        cells(METHODS.subList(0, 2)), run(), List.of(), List.of(failing), ReportFormat.all()));
    Map<String, byte[]> after = new java.util.TreeMap<>();
    try (var files = Files.list(out)) {
      for (Path f : files.toList()) {
        after.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
  }

  static Map<String, Map<String, Double>> scores3(double a, double b, double c) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    out.put("a", Map.of("score", a));
    out.put("b", Map.of("score", b));
    out.put("c", Map.of("score", c));
    return out;
  }

  /** The gate's page, its LaTeX tables and figure files, on planted measurements. */
  static void writeTestbed(Path out) {
    var m = new org.cpift.testbed.TestbedCheck.Measurement(1, List.of("a", "b", "c"),
        scores3(0.10, 0.20, 0.05), scores3(0.60, 0.80, 0.50),
        Map.of("a", 0.02, "b", 0.01, "c", 0.029),
        new double[][] {{1, 0.3, -0.1}, {0.3, 1, 0.2}, {-0.1, 0.2, 1}},
        List.of(new org.cpift.testbed.TestbedCheck.Midpoint("a", "b", 0.55, 0.70),
            new org.cpift.testbed.TestbedCheck.Midpoint("a", "c", 0.50, 0.45),
            new org.cpift.testbed.TestbedCheck.Midpoint("b", "c", 0.75, 0.40)),
        Map.of("0.3", 0.7, "0.5", 0.6), 0.3, scores3(0.45, 0.60, 0.35),
        scores3(0.35, 0.50, 0.30), new double[][] {{1, 0.05, 0.12}, {0.05, 1, 0.02},
            {0.12, 0.02, 1}}, Map.of("a", 0.6, "b", 0.8, "c", 0.5),
        Map.of("a", 0.5, "b", 0.6, "c", 0.4), "val");
    var ceiling = new org.cpift.testbed.TestbedCheck.Ceiling(Map.of("a", 0.0, "b", 0.0, "c", 0.0),
        1.0);
    var mt = scores3(0.5, 0.72, 0.45);
    var verdict = org.cpift.testbed.TestbedGate.judge(List.of(m), List.of(mt), ceiling,
        org.cpift.testbed.TestbedGate.Criteria.defaults());
    TestbedReport.write(out, List.of(m), List.of(mt), ceiling, verdict, run());
  }

  @Test
  void theTestbedPageWritesItsTablesAndFigures() throws IOException {
    writeTestbed(dir);
    for (String f : List.of("report.html", "table-criteria.tex", "table-scores.tex",
        "fig-scores-by-task.svg", "fig-cosine.svg", "fig-jaccard.svg",
        "fig-task-arithmetic-lambda.svg")) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    // every score names its split: validation here
    assertTrue(Files.readString(dir.resolve("report.html")).contains("<b>validation</b> split"));
    assertTrue(Files.readString(dir.resolve("measurements.csv")).contains(",val,base_score,"));
    // bold per column: the highest of base, task arithmetic, average, multi-task (the experts
    // are the reference): a 0.5 (multi-task), b 0.72 (multi-task), c 0.45 (multi-task)
    String tex = Files.readString(dir.resolve("table-scores.tex"));
    assertTrue(tex.contains("validation score per task"), tex);
    for (String line : tex.split("\n")) {
      if (line.startsWith("multi-task SFT")) {
        assertEquals(3, line.split("mathbf", -1).length - 1, line);
      } else if (line.endsWith("\\\\") && !line.startsWith("method")) {
        assertFalse(line.contains("mathbf"), line);
      }
    }
  }

  /** The tables compile as they are in a minimal document (Debian: texlive-latex-recommended). */
  @Test
  @Tag("latex")
  void tablesCompileWithPdflatex() throws Exception {
    boolean has;
    try {
      has = new ProcessBuilder("pdflatex", "--version").redirectErrorStream(true).start()
          .waitFor() == 0;
    } catch (IOException e) {
      has = false;
    }
    assumeTrue(has, "pdflatex is not installed (apt-get install texlive-latex-recommended)");
    List<CellResult> cs = new ArrayList<>(cells(METHODS));
    // a variant too, for the table of differences, and a name with LaTeX's special characters
    for (int s = 1; s <= 3; s++) {
      Map<String, Map<String, Double>> sc = new LinkedHashMap<>();
      for (String t : TASKS) {
        sc.put(t, Map.of("score", 0.4 + 0.01 * s));
      }
      cs.add(new CellResult(new org.cpift.experiment.Cell("tau=0.1_%&#", "cpi-ft",
          org.cpift.method.MethodConfig.defaults(org.cpift.train.Preset.TINY).withSeed(s)),
          "kv" + s + "00000000000000", new org.cpift.method.MethodResult("cpi-ft", s, sc,
              org.cpift.method.Cost.NONE, null, null, List.of(), Map.of())));
    }
    Summaries s = new Summaries(Tidy.rows("main_results", cs));
    Map<String, String> tables = Latex.tables("main_results", s, run());
    assertTrue(tables.containsKey("table-differences"), tables.keySet().toString());
    StringBuilder doc = new StringBuilder("\\documentclass{article}\n\\usepackage{booktabs}\n"
        + "\\usepackage{graphicx}\n\\begin{document}\n");
    for (var t : tables.entrySet()) {
      Files.writeString(dir.resolve(t.getKey() + ".tex"), t.getValue());
      doc.append("\\input{").append(t.getKey()).append("}\n");
    }
    Path gate = dir.resolve("gate");
    writeTestbed(gate);
    doc.append("\\input{gate/table-criteria}\n\\input{gate/table-scores}\n");
    Files.writeString(dir.resolve("paper.tex"), doc.append("\\end{document}\n").toString());
    Process p = new ProcessBuilder("pdflatex", "-interaction=nonstopmode", "-halt-on-error",
        "paper.tex").directory(dir.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    assertTrue(Files.size(dir.resolve("paper.pdf")) > 1000, log);
    assertFalse(log.contains("Undefined control sequence"), log);
  }
}
