package org.cpift.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cpift.merge.MergeContext;
import org.cpift.merge.TaskArithmetic;
import org.cpift.merge.TaskVectorGeometry;
import org.cpift.method.MethodConfig;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodRunner;
import org.cpift.method.ProbeFineTuning;
import org.cpift.method.SuiteEvaluator;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.ModelSession;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's measurements on the tiny preset with smoke budgets, each checked against an
 * independent computation from the same cached experts; a second measurement is read back from
 * the cache unchanged.
 */
class TestbedCheckTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path cache;

  /** The tiny base on suite-v1's {@code tasks}, with budgets small enough for a unit test. */
  private MethodContext context(List<String> tasks) {
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY)
        .withBudgets(b -> new MethodConfig.Budgets(4, 0, 3, 16))
        .withEvaluation(e -> new MethodConfig.Evaluation(4, false)).withSeed(3);
    return MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        tasks, cache), cfg);
  }

  @Test
  void measurementsMatchIndependentComputationsAndAreCached() throws Exception {
    MethodContext ctx = context(List.of("math", "code", "logic"));
    TestbedCheck.Measurement m = TestbedCheck.measure(ctx, SuiteEvaluator.Split.TEST);
    assertEquals("test", m.split());
    assertEquals(List.of("math", "code", "logic"), m.tasks());
    assertEquals(3, m.midpoints().size());
    assertEquals(TestbedCheck.LAMBDAS.size(), m.lambdaVal().size());
    double best = m.lambdaVal().values().stream().mapToDouble(Double::doubleValue).max()
        .orElseThrow();
    assertEquals(best, m.lambdaVal().get(Double.toString(m.bestLambda())));

    List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
    List<ParamSnapshot> params = experts.stream().map(ProbeFineTuning.Expert::params).toList();
    TaskVectorGeometry g = TaskVectorGeometry.of(ctx.base().params(), m.tasks(), params);
    for (int i = 0; i < 3; i++) {
      assertEquals(g.relativeNorm(i), m.relativeNorm().get(m.tasks().get(i)), 1e-12);
      assertTrue(m.relativeNorm().get(m.tasks().get(i)) > 0);
    }
    // the math+code midpoint, recomputed by hand: θ0 + (δ_math + δ_code)/2
    ParamSnapshot base = ctx.base().params();
    ParamSnapshot mid = new ParamSnapshot();
    for (var p : base.params()) {
      float[] out = p.data().clone();
      float[] a = params.get(0).get(p.name()).data();
      float[] b = params.get(1).get(p.name()).data();
      for (int j = 0; j < out.length; j++) {
        out[j] = out[j] + ((a[j] - out[j]) + (b[j] - out[j])) / 2;
      }
      mid.put(p.withData(out));
    }
    try (ModelSession s = ModelSession.create(ctx.base().config(), null, 0)) {
      s.loadParameters(mid);
      Map<String, Map<String, Double>> scores = SuiteEvaluator.evaluate(s, ctx.base().tokenizer(),
          ctx.tasks().subList(0, 2), SuiteEvaluator.Split.TEST, 4);
      assertEquals(scores.get("math").get("score"), m.midpoints().get(0).scoreA(), 1e-12);
      assertEquals(scores.get("code").get("score"), m.midpoints().get(0).scoreB(), 1e-12);
    }
    // the half task vector of code, by hand: θ0 + δ_code/2, scored on code
    ParamSnapshot half = new ParamSnapshot();
    for (var p : base.params()) {
      float[] out = p.data().clone();
      float[] b = params.get(1).get(p.name()).data();
      for (int j = 0; j < out.length; j++) {
        out[j] = out[j] + (b[j] - out[j]) * 0.5f;
      }
      half.put(p.withData(out));
    }
    try (ModelSession s = ModelSession.create(ctx.base().config(), null, 0)) {
      s.loadParameters(half);
      assertEquals(SuiteEvaluator.evaluate(s, ctx.base().tokenizer(), ctx.tasks().subList(1, 2),
          SuiteEvaluator.Split.TEST, 4).get("code").get("score"), m.half().get("code"), 1e-12);
    }
    // the plain average is task arithmetic at λ = 1/N
    try (ModelSession s = ModelSession.create(ctx.base().config(), null, 0)) {
      s.loadParameters(new TaskArithmetic(1.0 / 3).merge(new MergeContext(base, params, m.tasks(),
          null)));
      assertEquals(SuiteEvaluator.evaluate(s, ctx.base().tokenizer(), ctx.tasks(),
          SuiteEvaluator.Split.TEST, 4), m.average());
    }
    // measured once: the second call reads the cached file
    assertEquals(1, entries());
    TestbedCheck.Measurement again = TestbedCheck.measure(ctx, SuiteEvaluator.Split.TEST);
    assertEquals(m.base(), again.base());
    assertEquals(m.midpoints(), again.midpoints());
    assertEquals(m.half(), again.half());
    assertEquals(m.bestLambda(), again.bestLambda());
  }

  @Test
  void onValidationEveryScoreIsAValidationScoreAndMultiTaskIsTheCellsModel() throws Exception {
    MethodContext ctx = context(List.of("math", "code"));
    TestbedCheck.Measurement m = TestbedCheck.measure(ctx, SuiteEvaluator.Split.VAL);
    assertEquals("val", m.split());
    List<ParamSnapshot> params = ProbeFineTuning.experts(ctx).stream()
        .map(ProbeFineTuning.Expert::params).toList();
    ParamSnapshot base = ctx.base().params();
    try (ModelSession s = ModelSession.create(ctx.base().config(), null, 0)) {
      s.loadParameters(base);
      assertEquals(SuiteEvaluator.evaluate(s, ctx.base().tokenizer(), ctx.tasks(),
          SuiteEvaluator.Split.VAL, 4), m.base());
      s.loadParameters(params.get(1));
      assertEquals(SuiteEvaluator.evaluate(s, ctx.base().tokenizer(), ctx.tasks().subList(1, 2),
          SuiteEvaluator.Split.VAL, 4).get("code"), m.expert().get("code"));
      // task arithmetic on validation: the chosen λ's validation scores
      s.loadParameters(new TaskArithmetic(m.bestLambda()).merge(new MergeContext(base, params,
          m.tasks(), null)));
      assertEquals(SuiteEvaluator.evaluate(s, ctx.base().tokenizer(), ctx.tasks(),
          SuiteEvaluator.Split.VAL, 4), m.taskArithmetic());
    }
    // the test measurement keeps its own cache entry
    TestbedCheck.Measurement t = TestbedCheck.measure(ctx, SuiteEvaluator.Split.TEST);
    assertEquals("test", t.split());
    assertEquals(2, entries());
    // multi-task SFT retrained for the gate is the method's own model: the same test scores
    var both = TestbedCheck.multiTask(ctx);
    assertEquals(new org.cpift.method.Baselines.MultiTask().run(ctx).scores(), both.get("test"));
    assertEquals(3, entries());
    assertEquals(both, TestbedCheck.multiTask(ctx), "read back from the cache");
  }

  /** The cached measurements (their lock files, in {@code .locks/}, left out). */
  private long entries() throws java.io.IOException {
    try (var files = Files.list(cache.resolve("testbed"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
  }
}
