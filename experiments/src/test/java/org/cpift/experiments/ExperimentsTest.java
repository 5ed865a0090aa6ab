package org.cpift.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.experiment.Cell;
import org.cpift.experiment.Experiment;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.method.MethodConfig;
import org.cpift.model.Lora;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every experiment end to end on the tiny preset with smoke budgets, and resume. */
class ExperimentsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path dir;

  ExperimentRun.Paths paths(String name) {
    return new ExperimentRun.Paths(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), dir.resolve("runs"), dir.resolve("reports/" + name));
  }

  /**
   * Every experiment end to end (11 minutes here while other jobs ran, so with -Pslow; the
   * default suite runs one, stage-vs-single, in {@link #rerunRecomputesNothing}).
   */
  @Test
  @org.junit.jupiter.api.Tag("slow")
  void everyExperimentRunsAndWritesItsReport() throws IOException {
    for (ReportedExperiment e : Experiments.ALL) {
      ExperimentRun.run(e, Preset.TINY, List.of(1L), paths(e.name()), "test", ExperimentRun::quick);
      assertReportWritten(e.name(), dir.resolve("reports/" + e.name()));
    }
  }

  /** A complete report: its files, its results' header, its claims and a manifest timing every cell. */
  static void assertReportWritten(String name, Path r) throws IOException {
    for (String f : List.of("results.csv", "summary.csv", "manifest.json", "report.html")) {
      assertTrue(Files.size(r.resolve(f)) > 0, name + "/" + f);
    }
    assertTrue(Files.readString(r.resolve("results.csv"))
        .startsWith("experiment,variant,method,task,seed,metric,value,config_hash"));
    String html = Files.readString(r.resolve("report.html"));
    assertTrue(html.contains("<svg") && html.contains("Claims of the paper"), name);
    JsonNode m = Json.MAPPER.readTree(r.resolve("manifest.json").toFile());
    assertEquals(m.get("cells_total").asInt(), m.get("cells_finished").asInt());
    assertTrue(m.has("git_commit") && m.has("machine") && m.has("versions"));
    // every cell computed in this test run has its wall time (shared cells too)
    assertEquals(m.get("cells_total").asInt(), m.get("cells_timed").asInt(), name);
    assertTrue(m.get("cells_wall_seconds").asDouble() > 0, name);
  }

  /**
   * peft (named only, not in a plain reproduce): its full variant is main-results' own cells, its
   * LoRA variants' configurations carry the adapters, and it runs and reports like the others.
   */
  @Test
  void peftSharesTheFullCellsAndRunsItsLoraVariants() throws IOException {
    ReportedExperiment peft = Experiments.get("peft");
    assertTrue(Experiments.ALL.stream().noneMatch(e -> e.name().equals("peft")));
    List<String> tasks = List.of("math", "code");
    List<Cell> cells = peft.cells(Preset.SMALL, List.of(1L), tasks);
    // 5 methods in full; 6 (with CoPA) per rank; OSRM experts for all but multi-task; CPI-FT
    // also with the weights training, beside its experts' single-task rows
    assertEquals(5 + 6 * 2 + 5 * 2 + 2 * 2, cells.size());
    java.util.Set<Object> main = new java.util.HashSet<>();
    Experiments.get("main-results").cells(Preset.SMALL, List.of(1L), tasks)
        .forEach(c -> main.add(List.of(c.method(), c.config())));
    for (Cell c : cells) {
      if (c.variant().equals("full")) {
        assertTrue(main.contains(List.of(c.method(), c.config())), c.method());
      } else {
        Lora lora = c.config().training().lora();
        assertEquals(2e-4, lora.lr(), "adapters at LoRA's own rate: " + c.variant());
        assertEquals(c.variant(), "lora-r" + lora.rank()
            + (lora.frozenEntries() == Lora.FrozenEntries.WEIGHTS ? "-weights" : "")
            + (lora.init() == Lora.Init.OSRM_MATCHED ? "-osrm" : ""));
      }
    }
  }

  /** peft end to end at tiny (a minute here; run with -Pslow). */
  @Test
  @org.junit.jupiter.api.Tag("slow")
  void peftRunsAndReportsItsLoraVariants() throws IOException {
    ReportedExperiment peft = Experiments.get("peft");
    ExperimentRun.run(peft, Preset.TINY, List.of(1L), paths("peft"), "test", ExperimentRun::quick);
    String csv = Files.readString(dir.resolve("reports/peft/results.csv"));
    assertTrue(csv.contains("lora-r16") && csv.contains("cpi-ft"), csv.substring(0, 300));
    // the page says what each variant trains: tiny's adapters at r 16 on every attention and
    // MLP matrix are 2·(4·16·128 + 2·16·320) = 36,864 entries
    String html = Files.readString(dir.resolve("reports/peft/report.html"));
    assertTrue(html.contains("What each variant trains") && html.contains("<td>lora-r16</td>"
        + "<td>36,864</td>"), html.substring(Math.max(0, html.indexOf("What each") - 10)));
    // its three claims are decided on its own rows: every arm they compare ran (a claim whose
    // arms are missing is "not measured here" and left out of report.md)
    String md = Files.readString(dir.resolve("reports/peft/report.md"));
    for (String claim : List.of("CPI-FT beats multi-task SFT with full fine-tuning and with LoRA",
        "With LoRA experts (r 4 and 16), CPI-FT beats task arithmetic, TIES and CoPA",
        "OSRM-started LoRA experts")) {
      assertTrue(md.contains("- " + claim), claim + " in\n" + md);
    }
    assertTrue(!md.contains("comparisons so far)"), "every comparison of every claim ran:\n" + md);
  }

  /** A rerun of an experiment (stage-vs-single: its cells are few and quick) recomputes none. */
  @Test
  void rerunRecomputesNothing() throws IOException {
    ReportedExperiment e = Experiments.get("stage-vs-single");
    ExperimentRun.run(e, Preset.TINY, List.of(1L, 2L), paths("c1"), "test", ExperimentRun::quick);
    assertReportWritten(e.name(), dir.resolve("reports/c1"));
    java.util.Map<Path, Object> before = new java.util.HashMap<>();
    for (Path p : Files.list(dir.resolve("runs/cells")).toList()) {
      before.put(p, Files.getLastModifiedTime(p));
    }
    ExperimentRun.run(e, Preset.TINY, List.of(1L, 2L), paths("c2"), "test", ExperimentRun::quick);
    java.util.Map<Path, Object> after = new java.util.HashMap<>();
    for (Path p : Files.list(dir.resolve("runs/cells")).toList()) {
      after.put(p, Files.getLastModifiedTime(p));
    }
    assertEquals(before, after, "no cell was recomputed or rewritten");
    assertEquals(Files.readString(dir.resolve("reports/c1/results.csv")),
        Files.readString(dir.resolve("reports/c2/results.csv")));
  }

  @Test
  void stageVsSingleGivesSingleStageTheSuitesTotalBudget() {
    for (List<String> tasks : List.of(List.of("a", "b", "c"), List.of("a", "b", "c", "d", "e"))) {
      List<Cell> cells = Experiments.get("stage-vs-single").cells(Preset.SMALL, List.of(1L), tasks);
      int perStage = cells.stream().filter(c -> c.variant().equals("pipelined")).findFirst()
          .orElseThrow().config().budgets().pipelineSteps();
      int single = cells.stream().filter(c -> c.variant().equals("single-stage")).findFirst()
          .orElseThrow().config().budgets().pipelineSteps();
      assertEquals(tasks.size() * perStage, single, "equal total steps for " + tasks);
      // each pipelined stage draws its own sample: the single stage one as large as theirs
      int sample = cells.get(0).config().budgets().stageSamples();
      assertEquals(tasks.size() * sample, cells.stream()
          .filter(c -> c.variant().equals("single-stage")).findFirst().orElseThrow().config()
          .budgets().stageSamples());
    }
  }

  /**
   * Forgetting needs tasks trained one after another: CPI-FT and its control train each stage on
   * its own task as sequential SFT does; the default stage data (every task in every stage) has
   * its own rows, with the configurations they had before (their cached cells stay valid).
   */
  @Test
  void forgettingTrainsCpiFtsStagesOnTheirOwnTask() {
    List<Cell> cells = Experiments.get("forgetting").cells(Preset.SMALL, List.of(1L),
        List.of("math", "code", "logic"));
    for (Cell c : cells) {
      if (!c.method().equals("cpi-ft")) {
        continue;
      }
      var pl = c.config().pipeline();
      boolean mixed = c.label().contains("every task in every stage");
      assertEquals(mixed ? MethodConfig.defaults(Preset.SMALL).pipeline().stageData()
          : MethodConfig.StageData.STAGE_ONLY, pl.stageData(), c.label() + " " + c.variant());
      assertEquals(!c.label().contains("no freeze"), pl.freeze(), c.label());
      assertEquals(c.label().contains("no fusion"), c.config().fusion().skip(), c.label());
    }
    assertEquals(3 * 5, cells.stream().filter(c -> c.method().equals("cpi-ft")).count(),
        "5 CPI-FT rows in each of the 3 variants");
    // each step of the decomposition changes one thing: no-fusion-no-freeze is no-freeze's
    // configuration with fusion skipped, on the same tasks
    for (String v : List.of("math->code", "code->math", "all-tasks")) {
      Cell noFreeze = cells.stream().filter(c -> c.variant().equals(v)
          && c.label().equals(Forgetting.NO_FREEZE)).findFirst().orElseThrow();
      Cell fromBase = cells.stream().filter(c -> c.variant().equals(v)
          && c.label().equals(Forgetting.NO_FUSION_NO_FREEZE)).findFirst().orElseThrow();
      assertEquals(noFreeze.config().withFusion(f -> f.withSkip(true)), fromBase.config(), v);
      assertEquals(noFreeze.tasks(), fromBase.tasks(), v);
    }
    // the mixed rows keep the configurations the CPI-FT rows had before (so their cells)
    MethodConfig d = MethodConfig.defaults(Preset.SMALL).withSeed(1);
    java.util.function.Function<List<String>, MethodConfig> before = order -> d.withStaging(s -> s
        .withOrder(org.cpift.cluster.StageOrdering.Policy.EXPLICIT, order)
        .withMode(MethodConfig.GroupingMode.EACH_TASK)).withEvaluation(e -> e.withEachStage(true));
    MethodConfig allTasks = d.withStaging(s -> s.withMode(MethodConfig.GroupingMode.EACH_TASK))
        .withEvaluation(e -> e.withEachStage(true)).withStaging(s -> s.withOrder(
            org.cpift.cluster.StageOrdering.Policy.TASK_ORDER, List.of()));
    for (Cell c : cells) {
      if (c.label().equals("cpi-ft (every task in every stage)")) {
        MethodConfig expected = switch (c.variant()) {
          case "math->code" -> before.apply(List.of("math", "code"));
          case "code->math" -> before.apply(List.of("code", "math"));
          default -> allTasks;
        };
        assertEquals(expected, c.config(), c.variant());
        assertEquals(c.variant().equals("all-tasks") ? List.of() : List.of("math", "code"),
            c.tasks());
      }
    }
  }

  @Test
  void mainResultsAnchoredRowIsTheAmbiguitiesCellAtTheSameSeed() {
    List<String> tasks = List.of("a", "b");
    Cell main = Experiments.get("main-results").cells(Preset.SMALL, List.of(1L, 4L), tasks)
        .stream().filter(c -> c.variant().equals(MainResults.ANCHORED) && c.config().seed() == 1)
        .findFirst().orElseThrow();
    Cell abl = Experiments.get("ambiguities").cells(Preset.SMALL, List.of(1L), tasks).stream()
        .filter(c -> c.variant().equals(MainResults.ANCHORED)).findFirst().orElseThrow();
    assertEquals(abl.config(), main.config());
    assertEquals("anchor=base ω=1.0", MainResults.ANCHORED, "the ambiguities label at commit d63a1d8");
    assertEquals(MethodConfig.defaults(Preset.SMALL).withSeed(1).withFusion(f -> f.withAnchor(
        CoreParameterFusion.Anchor.BASE, 1.0)), main.config());
  }

  @Test
  void mainResultsValidationChosenRowIsTheAmbiguitiesCellAndKeysOutAnEmptyGrid() {
    List<String> tasks = List.of("a", "b");
    Cell main = Experiments.get("main-results").cells(Preset.SMALL, List.of(2L), tasks)
        .stream().filter(c -> c.variant().equals(MainResults.ANCHORED_ON_VALIDATION))
        .findFirst().orElseThrow();
    Cell abl = Experiments.get("ambiguities").cells(Preset.SMALL, List.of(2L), tasks).stream()
        .filter(c -> c.variant().equals(MainResults.ANCHORED_ON_VALIDATION)).findFirst()
        .orElseThrow();
    assertEquals(abl.config(), main.config());
    assertEquals(List.of(0.2, 0.5, 0.75, 1.0), main.config().fusion().omegaGrid());
    assertEquals(CoreParameterFusion.Anchor.BASE, main.config().fusion().anchor());
    // a fixed ω is keyed as before the grid existed: no omegaGrid in its key's tree
    var fixed = org.cpift.util.CacheKey.tree(MethodConfig.defaults(Preset.SMALL).fusion());
    assertTrue(!fixed.has("omegaGrid") && fixed.has("omega"), fixed.toString());
    assertTrue(org.cpift.util.CacheKey.tree(main.config().fusion()).has("omegaGrid"));
    // every fixed ω of the grid is also its own ambiguities row
    for (double w : Ambiguities.OMEGA_GRID) {
      assertTrue(Experiments.get("ambiguities").cells(Preset.SMALL, List.of(2L), tasks).stream()
          .anyMatch(c -> c.variant().equals(Ambiguities.anchoredLabel(w))), "row for ω " + w);
    }
  }

  /**
   * The anchored rows against multi-task SFT on planted scores: ω = 1's fresh comparison pairs
   * only seeds 4 and 5, the others every shared seed; each difference is recomputed by hand, and
   * Holm runs over the comparisons shown.
   */
  @Test
  void anchoredFusionCheckPairsTheSeedsEachComparisonNames() {
    java.util.Map<String[], double[]> score = new java.util.LinkedHashMap<>();
    score.put(new String[] {"default", "multi-task"}, new double[] {0.50, 0.52, 0.51, 0.49, 0.50});
    score.put(new String[] {"default", "cpi-ft"}, new double[] {0.41, 0.42, 0.40, 0.43, 0.41});
    score.put(new String[] {MainResults.ANCHORED, "cpi-ft"}, new double[] {0.53, 0.55, 0.54, 0.52, 0.56});
    // ω on validation ran seeds 1–4 only
    score.put(new String[] {MainResults.ANCHORED_ON_VALIDATION, "cpi-ft"},
        new double[] {0.52, 0.55, 0.54, 0.50, Double.NaN});
    List<org.cpift.report.Row> rows = new java.util.ArrayList<>();
    score.forEach((arm, x) -> {
      for (int i = 0; i < 5; i++) {
        if (!Double.isNaN(x[i])) {
          rows.add(new org.cpift.report.Row("main-results", arm[0], arm[1], "average", i + 1,
              "score", x[i], "h"));
        }
      }
    });
    var lines = MainResults.ANCHORED_CHECK.lines(new org.cpift.report.Summaries(rows));
    assertEquals(4, lines.size());
    assertEquals(java.util.Set.of(4L, 5L), lines.get(0).seeds());
    assertEquals(((0.52 - 0.49) + (0.56 - 0.50)) / 2, lines.get(0).d().meanDiff(), 1e-12);
    assertEquals(java.util.Set.of(1L, 2L, 3L, 4L, 5L), lines.get(1).seeds());
    assertEquals((0.03 + 0.03 + 0.03 + 0.03 + 0.06) / 5, lines.get(1).d().meanDiff(), 1e-12);
    assertEquals(java.util.Set.of(1L, 2L, 3L, 4L), lines.get(2).seeds());
    assertEquals((0.02 + 0.03 + 0.03 + 0.01) / 4, lines.get(2).d().meanDiff(), 1e-12);
    assertEquals((0.11 + 0.13 + 0.14 + 0.07) / 4, lines.get(3).d().meanDiff(), 1e-12);
    assertEquals("cpi-ft (" + MainResults.ANCHORED_ON_VALIDATION + ") − cpi-ft",
        AnchoredFusionCheck.cells(lines.get(3))[1]);
    double smallest = lines.stream().mapToDouble(l -> l.d().pValue()).min().orElseThrow();
    assertEquals(Math.min(1, 4 * smallest), lines.stream().filter(l -> l.d().pValue() == smallest)
        .findFirst().orElseThrow().holm(), 1e-12, "Holm over the four comparisons");
    // before seed 5 the fresh comparison has one seed: it is left out, Holm over three
    rows.removeIf(r -> r.seed() == 5);
    var some = MainResults.ANCHORED_CHECK.lines(new org.cpift.report.Summaries(rows));
    assertEquals(List.of("ω = 1, all seeds", "ω on validation",
        "ω on validation against the default fusion"),
        some.stream().map(l -> l.c().name()).toList());
  }

  @Test
  void aGridOfOmegaIsRefusedWithoutTheBaseAnchorOrOutsideItsRange() {
    var f = MethodConfig.defaults(Preset.SMALL).fusion();
    var noAnchor = assertThrows(IllegalArgumentException.class,
        () -> f.withOmegaGrid(List.of(0.5, 1.0)));
    assertTrue(noAnchor.getMessage().contains("--fusion-anchor base"), noAnchor.getMessage());
    var anchored = f.withAnchor(CoreParameterFusion.Anchor.BASE, 1.0);
    assertThrows(IllegalArgumentException.class, () -> anchored.withOmegaGrid(List.of(0.5, 1.5)));
    assertThrows(IllegalArgumentException.class, () -> anchored.withOmegaGrid(List.of(0.5, 0.5)));
    assertThrows(IllegalArgumentException.class, () -> anchored.withOmegaGrid(List.of(0.5)));
    assertThrows(IllegalArgumentException.class,
        () -> anchored.withSkip(true).withOmegaGrid(List.of(0.5, 1.0)));
    // ω is unused under a grid: one value in the key, whatever was set before
    assertEquals(1.0, f.withAnchor(CoreParameterFusion.Anchor.BASE, 0.3)
        .withOmegaGrid(List.of(0.5, 1.0)).omega());
  }

  @Test
  void pSweepsControlsChangeOneThingAndTheirStepsArePairedDifferences() {
    List<Cell> cells = Experiments.get("p-sweep").cells(Preset.SMALL, List.of(1L),
        List.of("a", "b", "c"));
    Cell noFreeze = cells.stream().filter(c -> c.variant().equals(PSweep.NO_FREEZE_AT_10))
        .findFirst().orElseThrow();
    Cell p10 = cells.stream().filter(c -> c.variant().equals("p=10")).findFirst().orElseThrow();
    assertEquals(p10.config().withPipeline(pl -> pl.withFreeze(false)), noFreeze.config());
    Cell noFreeze1 = cells.stream().filter(c -> c.variant().equals(PSweep.NO_FREEZE_AT_1))
        .findFirst().orElseThrow();
    Cell p1 = cells.stream().filter(c -> c.variant().equals("p=1")).findFirst().orElseThrow();
    assertEquals(p1.config().withPipeline(pl -> pl.withFreeze(false)), noFreeze1.config());
    assertEquals(noFreeze1.config(), Experiments.get("components").cells(Preset.SMALL,
        List.of(1L), List.of("a", "b", "c")).stream().filter(c -> c.variant().equals("no-freeze"))
        .findFirst().orElseThrow().config(), "components' no-freeze cells, shared");
    assertEquals(noFreeze1.config().withCore(k -> k.withTopPercent(10)), noFreeze.config());
    Cell stages = cells.stream().filter(c -> c.variant().equals(PSweep.STAGES_AT_0_1))
        .findFirst().orElseThrow();
    Cell p01 = cells.stream().filter(c -> c.variant().equals("p=0.1")).findFirst().orElseThrow();
    assertEquals(p01.config().withStaging(st -> st.withMode(MethodConfig.GroupingMode.EACH_TASK)),
        stages.config());
    // average score per seed (1, 2, 3) of each row
    java.util.Map<String, double[]> score = new java.util.LinkedHashMap<>();
    score.put("p=1", new double[] {0.40, 0.42, 0.41});
    score.put(PSweep.NO_FREEZE_AT_1, new double[] {0.41, 0.42, 0.40});
    score.put(PSweep.NO_FREEZE_AT_10, new double[] {0.45, 0.47, 0.44});
    score.put("p=10", new double[] {0.44, 0.47, 0.45});
    score.put(PSweep.STAGES_AT_0_1, new double[] {0.38, 0.41, 0.40});
    score.put("p=0.1", new double[] {0.30, 0.29, 0.31});
    List<org.cpift.report.Row> rows = new java.util.ArrayList<>();
    score.forEach((v, x) -> {
      for (int i = 0; i < 3; i++) {
        rows.add(new org.cpift.report.Row("p-sweep", v, "cpi-ft", "average", i + 1, "score",
            x[i], "h"));
      }
    });
    var s = new org.cpift.report.Summaries(rows);
    List<CoreSizeSources.Line> lines = PSweep.SOURCES.lines(s);
    assertEquals(7, lines.size());
    double[] expected = {(0.01 + 0 - 0.01) / 3, (0.04 + 0.05 + 0.04) / 3,
        (-0.01 + 0 + 0.01) / 3, (0.04 + 0.05 + 0.04) / 3, (-0.02 - 0.01 - 0.01) / 3,
        (-0.08 - 0.12 - 0.09) / 3, (-0.10 - 0.13 - 0.10) / 3};
    for (int k = 0; k < 7; k++) {
      assertEquals(expected[k], lines.get(k).d().meanDiff(), 1e-12, lines.get(k).step().name());
    }
    assertEquals(lines.get(0).d().meanDiff() + lines.get(1).d().meanDiff()
        + lines.get(2).d().meanDiff(), lines.get(3).d().meanDiff(), 1e-12,
        "the steps add up to p=10 − p=1");
    assertTrue(Double.isNaN(lines.get(3).holm()) && Double.isNaN(lines.get(6).holm()));
    double smallest = lines.stream().filter(l -> !l.step().total())
        .mapToDouble(l -> l.d().pValue()).min().orElseThrow();
    assertEquals(Math.min(1, 5 * smallest), lines.stream().filter(l -> !l.step().total()
        && l.d().pValue() == smallest).findFirst().orElseThrow().holm(), 1e-12,
        "Holm over the five steps");
    // a chain whose rows have not all run the same seeds is left out whole
    List<org.cpift.report.Row> partial = new java.util.ArrayList<>(rows);
    partial.removeIf(r -> r.variant().equals(PSweep.NO_FREEZE_AT_10) && r.seed() == 3);
    List<CoreSizeSources.Line> some = PSweep.SOURCES.lines(new org.cpift.report.Summaries(partial));
    assertEquals(List.of("smaller core, same five stages", "its overlaps merging stages", "total"),
        some.stream().map(l -> l.step().name()).toList());
  }

  /**
   * The forgetting report's decomposition on planted BWTs: each step is the paired difference of
   * its two rows, computed here by hand, and the steps add up to CPI-FT − sequential SFT.
   */
  @Test
  void forgettingSourcesTakeTheDifferenceApartStepByStep() {
    // BWT per seed (1, 2, 3) of each row on one stage order
    java.util.Map<String, double[]> bwt = new java.util.LinkedHashMap<>();
    bwt.put(Forgetting.SEQUENTIAL, new double[] {-0.20, -0.24, -0.22});
    bwt.put(Forgetting.NO_FUSION_NO_FREEZE, new double[] {-0.15, -0.16, -0.14});
    bwt.put(Forgetting.NO_FREEZE, new double[] {-0.10, -0.13, -0.10});
    bwt.put("cpi-ft", new double[] {-0.10, -0.12, -0.10});
    List<org.cpift.report.Row> rows = new java.util.ArrayList<>();
    bwt.forEach((m, v) -> {
      for (int i = 0; i < 3; i++) {
        rows.add(new org.cpift.report.Row("forgetting", "math->code", m, "average", i + 1, "bwt",
            v[i], "h"));
      }
    });
    for (int i = 0; i < 3; i++) {
      rows.add(new org.cpift.report.Row("forgetting", "math->code", Forgetting.SEQUENTIAL,
          "average", i + 1, "acc", 0.30, "h"));
      rows.add(new org.cpift.report.Row("forgetting", "math->code",
          Forgetting.NO_FUSION_NO_FREEZE, "average", i + 1, "acc", 0.20, "h"));
    }
    // a second order where one row lacks seed 3: left out (its steps would not add up)
    bwt.forEach((m, v) -> {
      for (int i = 0; i < (m.equals("cpi-ft") ? 2 : 3); i++) {
        rows.add(new org.cpift.report.Row("forgetting", "code->math", m, "average", i + 1, "bwt",
            v[i], "h"));
      }
    });
    var s = new org.cpift.report.Summaries(rows);
    List<ForgettingSources.Line> lines = new ForgettingSources(Forgetting.STEPS).lines(s);
    assertEquals(4, lines.size(), "three steps and the total of math->code only");
    double[] expected = {(0.05 + 0.08 + 0.08) / 3, (0.05 + 0.03 + 0.04) / 3, (0 + 0.01 + 0) / 3};
    double sum = 0;
    for (int k = 0; k < 3; k++) {
      assertEquals(expected[k], lines.get(k).d().meanDiff(), 1e-12, lines.get(k).step().name());
      assertEquals(3, lines.get(k).d().n());
      sum += lines.get(k).d().meanDiff();
    }
    ForgettingSources.Line total = lines.get(3);
    assertTrue(total.total());
    assertEquals((0.10 + 0.12 + 0.12) / 3, total.d().meanDiff(), 1e-12);
    assertEquals(total.d().meanDiff(), sum, 1e-12, "the steps add up to cpi-ft − sequential");
    assertTrue(Double.isNaN(total.holm()), "the total is not one of Holm's tests");
    // Holm over the three steps' p-values, by hand: sorted ascending, (m − i)·p, running max
    double[] raw = lines.stream().limit(3).mapToDouble(l -> l.d().pValue()).toArray();
    Integer[] idx = {0, 1, 2};
    java.util.Arrays.sort(idx, (a, b) -> Double.compare(raw[a], raw[b]));
    double running = 0;
    for (int i = 0; i < 3; i++) {
      running = Math.min(1, Math.max(running, (3 - i) * raw[idx[i]]));
      assertEquals(running, lines.get(idx[i]).holm(), 1e-12);
    }
    String md = new ForgettingSources(Forgetting.STEPS).section().markdown(s, List.of());
    assertTrue(md.contains("| math->code | fused start | " + Forgetting.NO_FUSION_NO_FREEZE
        + " → " + Forgetting.NO_FREEZE + " | -0.150 → -0.110 | +0.040 ["), md);
    // ACC planted on math->code only for sequential SFT and the budget row: the budget step's
    // Δ ACC is theirs, the fused start's (no ACC on its second row) is shown as missing
    assertTrue(md.contains("| 0.300 → 0.200 | -0.100 [-0.100, -0.100] | 3 |"), md);
    assertTrue(md.contains("| – | – | 3 |"), md);
    assertTrue(!md.contains("code->math"), md);
  }

  /** The τ = 0 run at the grouped pipeline's budget, and components' N·S control on full data. */
  @Test
  void budgetMatchedVariantsTrainAsLongOnAsManyItems() {
    List<String> tasks = List.of("a", "b", "c", "d", "e");
    MethodConfig.Budgets b = MethodConfig.defaults(Preset.SMALL).budgets();
    Cell matched = Experiments.get("tau-sweep").cells(Preset.SMALL, List.of(1L), tasks).stream()
        .filter(c -> c.variant().equals(TauSweep.ZERO_MATCHED)).findFirst().orElseThrow();
    assertEquals(0.0, matched.config().staging().grouping().tau());
    assertEquals(5 * b.pipelineSteps(), matched.config().budgets().pipelineSteps());
    assertEquals(5 * b.stageSamples(), matched.config().budgets().stageSamples());
    Cell ns = Experiments.get("components").cells(Preset.SMALL, List.of(1L), tasks).stream()
        .filter(c -> c.variant().equals(Components.CPI_AT_MT_BUDGET)).findFirst().orElseThrow();
    assertEquals(5 * b.expertSteps(), ns.config().budgets().pipelineTotalSteps());
    assertEquals(Integer.MAX_VALUE, ns.config().budgets().stageSamples(), "every item");
  }

  @Test
  void experimentsNamingTasksRefuseASuiteWithoutThem() {
    List<String> suite = List.of("math", "dialogue", "instructions");
    CpiftException f = assertThrows(CpiftException.class,
        () -> Experiments.get("forgetting").cells(Preset.SMALL, List.of(1L), suite));
    assertTrue(f.getMessage().contains("[code]") && f.getMessage().contains("forgetting"),
        f.getMessage());
    CpiftException l = assertThrows(CpiftException.class,
        () -> Experiments.get("low-resource").cells(Preset.SMALL, List.of(1L), suite));
    assertTrue(l.getMessage().contains("[logic]"), l.getMessage());
  }
}
