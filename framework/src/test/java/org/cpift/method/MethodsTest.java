package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.Preset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every method for seconds on the tiny preset, with the committed base and suite (a few steps,
 * a few test examples); and the freezing guarantee of pipelined SFT.
 */
class MethodsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir static Path cache;

  static MethodContext ctx;

  @BeforeAll
  static void context() {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY)
        .withBudgets(b -> new MethodConfig.Budgets(4, 0, 3, 16))
        .withEvaluation(e -> new MethodConfig.Evaluation(3, true)).withSeed(5);
    ctx = MethodRunner.context(new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), List.of("math", "code", "logic"),
        cache), cfg);
  }

  /**
   * Validation scores (which only choose hyperparameters) skip the answer loss; their score is
   * the decoded answers' metric all the same, recomputed here by hand.
   */
  @Test
  void validationScoresSkipTheLossButNotTheScore() {
    Task t = ctx.tasks().get(1);
    try (org.cpift.train.ModelSession m = org.cpift.train.ModelSession.create(
        ctx.base().config(), null, 0)) {
      m.loadParameters(ctx.base().params());
      Map<String, Double> val = SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), t,
          SuiteEvaluator.Split.VAL, 6);
      Map<String, Double> test = SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), t,
          SuiteEvaluator.Split.TEST, 6);
      assertTrue(!val.containsKey("answer_loss") && test.containsKey("answer_loss"), val + " " + test);
      var records = t.val().subList(0, 6);
      var ex = org.cpift.data.EncodedExample.encodeAll(records, ctx.base().tokenizer(),
          m.config().contextLength(), "val");
      List<String> answers = org.cpift.train.Evaluator.greedyAnswers(m, ctx.base().tokenizer(), ex,
          t.maxAnswerChars() + 1, 64, false);
      double sum = 0;
      for (int i = 0; i < 6; i++) {
        sum += t.metric().score(answers.get(i), records.get(i).answer());
      }
      assertEquals(sum / 6, val.get("score"), 1e-12);
    }
  }

  @Test
  void aBaseOfAnotherPresetsShapeIsRefusedBeforeAnyWork() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.cpift.util.CpiftException.class,
        () -> MethodRunner.context(new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/small"),
            ROOT.resolve("benchmarks-data/suite-v1"), List.of("math"), cache),
            MethodConfig.defaults(Preset.TINY)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("is a d=192, 4-layer")
        && e.getMessage().contains("preset tiny builds d=64, 2-layer"), e.getMessage());
  }

  @Test
  void linesAfterMultiTaskTracesTheSuiteAndTheBasesCorpusAlongAlpha() throws Exception {
    MethodResult r = Methods.create("lines-posthoc-multi-task").run(ctx);
    List<?> curve = (List<?>) r.details().get("curve");
    assertEquals(LinesPosthoc.ALPHAS.size(), curve.size());
    Map<?, ?> last = (Map<?, ?>) curve.get(curve.size() - 1);
    Map<String, Double> row = r.scores().get("math");
    // α = 1 is the unedited model
    assertEquals(1.0, last.get("alpha"));
    assertEquals(row.get("generic_loss_unedited"), (Double) last.get("generic_loss"));
    double bestVal = curve.stream().mapToDouble(p -> (Double) ((Map<?, ?>) p).get("val_normalized"))
        .max().orElseThrow();
    Map<?, ?> chosen = (Map<?, ?>) curve.stream().filter(p -> ((Map<?, ?>) p).get("alpha")
        .equals(row.get("alpha"))).findFirst().orElseThrow();
    assertEquals(bestVal, (Double) chosen.get("val_normalized"));
    assertEquals(row.get("generic_loss"), (Double) chosen.get("generic_loss"));
    // the base's loss on its own corpus: near the loss it ended pretraining with (per char)
    double finalLoss = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        ROOT.resolve("benchmarks-data/base/tiny/manifest.json").toFile()).get("final_loss")
        .asDouble();
    assertEquals(finalLoss, row.get("generic_loss_base"), 0.25);
    for (Map<String, Double> m : r.scores().values()) {
      assertEquals(row.get("generic_loss_base"), m.get("generic_loss_base"));
      assertTrue(m.get("score") >= 0 && m.get("score") <= 1);
    }
  }

  @Test
  void theBasesCorpusMustBeTheOneItWasPretrainedOn(@TempDir Path dir) throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
        ROOT.resolve("benchmarks-data/base/tiny/manifest.json").toFile());
    MethodContext moved = new MethodContext(ctx.base(), ctx.baseHash(), dir, ctx.tasks(),
        ctx.config(), ctx.cache());
    var missing = org.junit.jupiter.api.Assertions.assertThrows(
        org.cpift.util.CpiftException.class, () -> GenericAbility.of(moved));
    assertTrue(missing.getMessage().contains("manifest.json"), missing.getMessage());
    ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("data").get("train"))
        .put("sha256", "0".repeat(64))
        .put("path", ROOT.resolve(manifest.get("data").get("train").get("path").asText())
            .toString());
    mapper.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    var changed = org.junit.jupiter.api.Assertions.assertThrows(
        org.cpift.util.CpiftException.class, () -> GenericAbility.of(moved));
    assertTrue(changed.getMessage().contains("but the base was pretrained on 000"),
        changed.getMessage());
  }

  @Test
  void aDiffPrunedRunEndsWithTheTargetNumberOfChangedEntries() {
    org.cpift.model.DiffPruning dp = new org.cpift.model.DiffPruning(2.0);
    MethodContext d = new MethodContext(ctx.base(), ctx.baseHash(), ctx.baseDir(), ctx.tasks(),
        ctx.config().withTraining(ctx.config().training().withDiffPruning(dp)), ctx.cache());
    ParamSnapshot base = ctx.base().params();
    try (org.cpift.train.ModelSession m = d.session(base, 3)) {
      d.train(m, d.trainData(ctx.tasks()), 6, 3, null);
      ParamSnapshot inSession = m.parameters();
      ParamSnapshot pruned = MethodContext.parameters(m);
      long n = base.params().stream().mapToLong(Param::size).sum();
      long k = Math.round(n * 2.0 / 100);
      long changed = org.cpift.model.DiffPruning.changedEntries(base, pruned);
      assertTrue(changed <= k && changed >= 0.9 * k, changed + " changed entries, target " + k);
      long nonZero = 0;
      for (Param p : base.params()) {
        // the base stays frozen in the session; only its diff carries the update
        org.junit.jupiter.api.Assertions.assertArrayEquals(p.data(),
            inSession.get(p.name()).data(), p.name());
        for (float w : inSession.get(org.cpift.model.DiffPruning.diff(p.name())).data()) {
          nonZero += w != 0 ? 1 : 0;
        }
      }
      assertTrue(nonZero <= k, nonZero + " non-zero diff entries after the fixed-mask phase");
    }
  }

  @Test
  void theDiffPruningScoreTakesTheEntriesADiffPrunedProbeKeeps() {
    MethodConfig c = ctx.config().withCore(k -> k.withScore(
        org.cpift.core.ImportanceScore.DIFF_PRUNING).withTopPercent(1.0)
        .withExcludeEmbeddingsAndNorms(false));
    MethodContext d = new MethodContext(ctx.base(), ctx.baseHash(), ctx.baseDir(), ctx.tasks(), c,
        ctx.cache());
    List<org.cpift.core.CoreRegion> cores = CoreRegions.of(d, ProbeFineTuning.experts(d));
    for (int i = 0; i < ctx.tasks().size(); i++) {
      ParamSnapshot probe = ProbeFineTuning.diffPrunedProbe(d, ctx.tasks().get(i), 1.0).params();
      ParamMask core = cores.get(i).mask();
      long changed = 0;
      for (Param p : ctx.base().params().params()) {
        float[] a = p.data();
        float[] b = probe.get(p.name()).data();
        BitSet bits = core.get(p.name());
        for (int j = 0; j < a.length; j++) {
          if (a[j] != b[j]) {
            changed++;
            assertTrue(bits.get(j), p.name() + "[" + j + "] changed by the probe, not in the core");
          }
        }
      }
      // the probe keeps 1% of the entries, the core's size: the core is exactly its mask
      assertEquals(changed, cores.get(i).size(), ctx.tasks().get(i).name());
    }
    // the probes are training the score needs: a method using it counts their steps as shared
    long probeSteps = 0;
    for (org.cpift.task.Task t : ctx.tasks()) {
      Cost pc = ProbeFineTuning.diffPrunedProbe(d, t, 1.0).cost();
      assertTrue(pc.steps() > 0, "a diff-pruned probe trains");
      probeSteps += pc.steps();
    }
    int steps = ctx.config().budgets().expertSteps();
    assertEquals(probeSteps, CoreRegions.scoringCost(d, steps).sharedSteps());
    assertEquals(0, CoreRegions.scoringCost(ctx, steps).sharedSteps(),
        "|delta| needs no extra training");
    // experts fine-tuned by diff pruning at the core's size are the probes: counted once, as experts
    MethodContext same = new MethodContext(ctx.base(), ctx.baseHash(), ctx.baseDir(), ctx.tasks(),
        c.withTraining(c.training().withDiffPruning(new org.cpift.model.DiffPruning(1.0))),
        ctx.cache());
    assertEquals(0, CoreRegions.scoringCost(same, steps).sharedSteps(), "the probe is the expert");
    // a caller that counted runs of another length (CPI-FT with shorter probes) did not count it
    assertEquals(probeSteps, CoreRegions.scoringCost(same, steps + 1).sharedSteps(),
        "runs of another length are not the probe");
    MethodContext other = new MethodContext(ctx.base(), ctx.baseHash(), ctx.baseDir(), ctx.tasks(),
        c.withTraining(c.training().withDiffPruning(new org.cpift.model.DiffPruning(2.0))),
        ctx.cache());
    assertEquals(probeSteps, CoreRegions.scoringCost(other, steps).sharedSteps(),
        "experts kept at 2% are not the 1% probes");
  }

  @Test
  void everyMethodRunsAndScoresEveryTask() {
    for (String name : Methods.NAMES) {
      MethodResult r = Methods.create(name).run(ctx);
      assertEquals(name, r.method());
      assertEquals(List.of("math", "code", "logic"), List.copyOf(r.scores().keySet()), name);
      for (Map<String, Double> m : r.scores().values()) {
        double s = m.get("score");
        assertTrue(s >= 0 && s <= 1, name + " score " + s);
        assertTrue(Double.isFinite(m.get("answer_loss")), name);
      }
      if (name.equals("cpi-ft") || name.equals("dpi")) {
        assertNotNull(r.jaccard());
        assertEquals(3, r.groups().stream().mapToInt(List::size).sum());
        assertEquals(r.groups().size(), r.stageScores().size());
      }
      if (name.equals("cpi-ft")) {
        assertEquals(r.scores().keySet(), ((Map<?, ?>) r.details().get("fused_scores")).keySet());
      }
    }
    // the experts were trained once and then read from the cache
    assertEquals(3, entries(cache.resolve("experts")));
  }

  @Test
  void earlierStageCoresStayBitIdenticalThroughPipelinedSft() {
    List<Task> tasks = ctx.tasks();
    ParamSnapshot start = ctx.base().params();
    Map<String, ParamMask> cores = new LinkedHashMap<>();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    for (Task t : tasks) {
      ParamMask m = new ParamMask();
      for (Param p : start.params()) {
        BitSet b = new BitSet();
        for (int j = 0; j < p.size(); j++) {
          if (rnd.nextDouble() < 0.02) {
            b.set(j);
          }
        }
        m.put(p.name(), b);
      }
      cores.put(t.name(), m);
    }
    List<List<Task>> stages = List.of(List.of(tasks.get(0)), List.of(tasks.get(1)),
        List.of(tasks.get(2)));
    // training is deterministic, so the state after stage k of the 3-stage run equals the result
    // of running only the first k stages
    ParamSnapshot afterStage1 = PipelinedSft.run(ctx, start, stages.subList(0, 1), cores, 5, 16,
        true, "freeze-test").params();
    ParamSnapshot afterStage2 = PipelinedSft.run(ctx, start, stages.subList(0, 2), cores, 5, 16,
        true, "freeze-test").params();
    PipelinedSft.Result r = PipelinedSft.run(ctx, start, stages, cores, 5, 16, true, "freeze-test");
    ParamMask core1 = cores.get(tasks.get(0).name());
    ParamMask core2 = cores.get(tasks.get(1).name());
    long moved = 0;
    long checked = 0;
    for (Param p : start.params()) {
      float[] after = r.params().get(p.name()).data();
      BitSet c1 = core1.get(p.name());
      BitSet c2only = core2.get(p.name());
      c2only.andNot(c1);
      for (int j = 0; j < p.size(); j++) {
        if (c1.get(j)) {
          // stage-1 core: trained in stage 1, then frozen through stages 2 and 3
          assertEquals(Float.floatToRawIntBits(afterStage1.get(p.name()).data()[j]),
              Float.floatToRawIntBits(after[j]), p.name() + "[" + j + "] (stage-1 core) moved");
          checked++;
        } else if (c2only.get(j)) {
          // stage-2 core: frozen only in stage 3
          assertEquals(Float.floatToRawIntBits(afterStage2.get(p.name()).data()[j]),
              Float.floatToRawIntBits(after[j]), p.name() + "[" + j + "] (stage-2 core) moved");
          checked++;
        } else if (after[j] != afterStage2.get(p.name()).data()[j]) {
          moved++;
        }
      }
    }
    assertTrue(checked > 1000, "frozen entries checked: " + checked);
    assertTrue(moved > 1000, "trainable entries should move in stage 3: " + moved);
    // without freezing the same run moves stage-1 core entries in later stages
    ParamSnapshot unfrozen = PipelinedSft.run(ctx, start, stages, cores, 5, 16, false,
        "freeze-test").params();
    long coreMoved = 0;
    for (Param p : start.params()) {
      BitSet c1 = core1.get(p.name());
      for (int j = c1.nextSetBit(0); j >= 0; j = c1.nextSetBit(j + 1)) {
        coreMoved += unfrozen.get(p.name()).data()[j] != afterStage1.get(p.name()).data()[j] ? 1 : 0;
      }
    }
    assertTrue(coreMoved > 100, "without freezing, stage-1 cores move: " + coreMoved);
  }


  @Test
  void cellsThatResolveToTheSameStagePlanShareOnePipelinedModel(@TempDir Path dir) {
    List<String> order = List.of("logic", "math", "code");
    MethodConfig eachTask = ctx.config().withStaging(s -> s.withMode(
        MethodConfig.GroupingMode.EACH_TASK).withOrder(org.cpift.cluster.StageOrdering.Policy.EXPLICIT, order));
    // K = 3 fixed groups of three tasks: the same singleton stages, reached another way
    MethodConfig fixedK = eachTask.withStaging(s -> s.withGrouping(s.grouping().withFixedGroups(3))
        .withMode(MethodConfig.GroupingMode.OVERLAP));
    MethodConfig oneStage = eachTask.withStaging(s -> s.withMode(MethodConfig.GroupingMode.ONE_STAGE));
    MethodResult a = new CpiFt(false).run(context(dir.resolve("shared"), eachTask));
    MethodResult b = new CpiFt(false).run(context(dir.resolve("shared"), fixedK));
    MethodResult c = new CpiFt(false).run(context(dir.resolve("shared"), oneStage));
    MethodResult bAlone = new CpiFt(false).run(context(dir.resolve("alone"), fixedK));

    assertEquals(List.of(List.of("logic"), List.of("math"), List.of("code")), b.groups());
    assertEquals(false, a.details().get("pipeline_reused"));
    assertEquals(true, b.details().get("pipeline_reused"));
    assertEquals(false, c.details().get("pipeline_reused"));
    assertEquals(false, bAlone.details().get("pipeline_reused"));
    // the reused model is the one the cell would have trained itself
    assertEquals(bAlone.scores(), b.scores());
    assertEquals(bAlone.stageScores(), b.stageScores());
    assertEquals(bAlone.details().get("fused_scores"), b.details().get("fused_scores"));
    assertEquals(a.scores(), b.scores());
    // each trained pipeline is stored by its plan and by its fused start
    assertEquals(4, entries(dir.resolve("shared/pipelines")));
    // the no-fusion ablation: a third model, trained from the base (no fused model to score)
    MethodResult noFusion = new CpiFt(false).run(context(dir.resolve("shared"), eachTask.withFusion(
        f -> f.withSkip(true))));
    assertEquals(false, noFusion.details().get("pipeline_reused"));
    assertTrue(!noFusion.details().containsKey("fused_scores"));
    assertEquals(5, entries(dir.resolve("shared/pipelines")));
  }

  /**
   * Fusion options that give the same fused bits share the pipelined model: with one task the
   * fold of one model is that model, whether by SLERP or linear interpolation.
   */
  @Test
  void fusionOptionsGivingTheSameStartShareOnePipelinedModel(@TempDir Path dir) {
    MethodConfig slerp = ctx.config();
    MethodConfig linear = slerp.withFusion(f -> f.withInterpolation(
        org.cpift.merge.Interpolation.LINEAR));
    MethodResult a = new CpiFt(false).run(oneTask(dir.resolve("shared"), slerp));
    MethodResult b = new CpiFt(false).run(oneTask(dir.resolve("shared"), linear));
    MethodResult bAlone = new CpiFt(false).run(oneTask(dir.resolve("alone"), linear));
    assertEquals(false, a.details().get("pipeline_reused"));
    assertEquals(false, b.details().get("pipeline_reused"), "another plan key");
    assertEquals(true, b.details().get("pipeline_reused_same_start"));
    assertEquals(null, bAlone.details().get("pipeline_reused_same_start"));
    // the shared model is the one the cell trains alone, bit for bit in its scores
    assertEquals(bAlone.scores(), b.scores());
    assertEquals(bAlone.stageScores(), b.stageScores());
    assertEquals(bAlone.details().get("fused_scores"), b.details().get("fused_scores"));
    assertEquals(3, entries(dir.resolve("shared/pipelines")));
  }

  /**
   * ω chosen on validation trains (or reuses) each ω's pipeline as that ω's own cell does, scores
   * each final model on validation as recomputed here, and keeps the best: its test scores are
   * the chosen ω's cell's, bit for bit.
   */
  @Test
  void omegaChosenOnValidationIsTheBestFinalModelOfItsGrid(@TempDir Path dir) {
    MethodConfig anchored = ctx.config().withFusion(f -> f.withAnchor(
        org.cpift.merge.CoreParameterFusion.Anchor.BASE, 1.0));
    // not ascending: the pick must not follow the grid's order
    List<Double> grid = List.of(1.0, 0.3);
    Map<Double, MethodResult> fixed = new java.util.LinkedHashMap<>();
    Map<Double, Double> val = new java.util.LinkedHashMap<>();
    for (double w : grid) {
      MethodContext c = context(dir.resolve("fixed"), anchored.withFusion(
          f -> f.withAnchor(org.cpift.merge.CoreParameterFusion.Anchor.BASE, w)));
      c.keepFinalModel();
      fixed.put(w, new CpiFt(false).run(c));
      Map<String, Double> expertVal = new java.util.LinkedHashMap<>();
      ProbeFineTuning.probes(c).forEach(e -> expertVal.put(e.task(), e.valScore()));
      val.put(w, Baselines.normalizedValidation(c, c.finalParams(), expertVal));
    }
    MethodResult chosen = new CpiFt(false).run(context(dir.resolve("grid"),
        anchored.withFusion(f -> f.withOmegaGrid(grid))));
    assertTrue(Double.isFinite(val.get(1.0)) && Double.isFinite(val.get(0.3))
        && !val.get(1.0).equals(val.get(0.3)), "a pick to check: " + val);
    double best = val.get(1.0) > val.get(0.3) ? 1.0 : 0.3;
    assertEquals(best, chosen.details().get("omega"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> tried =
        (List<Map<String, Object>>) chosen.details().get("validation_grid");
    assertEquals(2, tried.size());
    for (Map<String, Object> t : tried) {
      assertEquals(val.get((Double) t.get("omega")), (Double) t.get("val_normalized"), 0.0);
    }
    assertEquals(fixed.get(best).scores(), chosen.scores());
    assertEquals(fixed.get(best).stageScores(), chosen.stageScores());
    assertEquals(List.of(false, false), tried.stream().map(t -> t.get("pipeline_reused")).toList());
    // the grid's cell trains every ω's pipeline: two plans, each stored by plan and start
    assertEquals(4, entries(dir.resolve("grid/pipelines")));
    // a fixed-ω cell run later in the same cache reuses the grid's pipeline for its ω
    MethodResult later = new CpiFt(false).run(context(dir.resolve("grid"), anchored.withFusion(
        f -> f.withAnchor(org.cpift.merge.CoreParameterFusion.Anchor.BASE, 0.3))));
    assertEquals(true, later.details().get("pipeline_reused"));
    assertEquals(fixed.get(0.3).scores(), later.scores());
  }

  /** Ties on validation go to the larger ω, in any grid order; a number beats NaN. */
  @Test
  void omegaSelectionBreaksTiesTowardTheLargerOmega() {
    assertTrue(CpiFt.better(0.5, 0.3, 0.4, 1.0));
    assertTrue(!CpiFt.better(0.4, 0.3, 0.4, 1.0));
    assertTrue(CpiFt.better(0.4, 1.0, 0.4, 0.3));
    assertTrue(CpiFt.better(0.1, 0.3, Double.NaN, 1.0));
    assertTrue(!CpiFt.better(Double.NaN, 1.0, 0.1, 0.3));
    assertTrue(CpiFt.better(Double.NaN, 1.0, Double.NaN, 0.3));
  }

  private static MethodContext oneTask(Path cacheDir, MethodConfig cfg) {
    return MethodRunner.context(new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), List.of("logic"), cacheDir), cfg);
  }

  private static MethodContext context(Path cacheDir, MethodConfig cfg) {
    return MethodRunner.context(new MethodRunner.Inputs(ROOT.resolve("benchmarks-data/base/tiny"),
        ROOT.resolve("benchmarks-data/suite-v1"), List.of("math", "code", "logic"), cacheDir), cfg);
  }


  /** Cache entries in {@code dir} (its lock folder, {@code .locks}, aside). */
  static int entries(Path dir) {
    String[] names = Files.exists(dir) ? dir.toFile().list() : new String[0];
    return (int) java.util.Arrays.stream(names).filter(n -> !n.startsWith(".")).count();
  }

  @Test
  void onlyDiffPruningPutsTheGatesRuleInAKey() {
    MethodConfig c = MethodConfig.defaults(Preset.TINY);
    java.util.Map<String, Object> plain = new java.util.LinkedHashMap<>();
    Methods.putDiffGates(plain, c);
    assertTrue(plain.isEmpty(), "other keys stay as they were");
    for (MethodConfig d : List.of(c.withTraining(c.training().withDiffPruning(
        new org.cpift.model.DiffPruning(1.0))), c.withCore(x -> x.withScore(
        org.cpift.core.ImportanceScore.DIFF_PRUNING)))) {
      java.util.Map<String, Object> k = new java.util.LinkedHashMap<>();
      Methods.putDiffGates(k, d);
      assertEquals(java.util.Map.of("diff_gates", org.cpift.model.DiffPruning.GATE_RULE), k);
    }
  }
}
