package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.cpift.data.EncodedExample;
import org.cpift.model.Lora;
import org.cpift.model.ModelConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OSRM against independent computations: the basis is orthonormal and annihilates the other
 * tasks' mean inputs when a null space exists, and otherwise reaches min ‖X·A‖²_F = the sum of
 * the r smallest squared singular values of X (by Commons Math's SVD); the mean inputs of the
 * first attention matrices equal LayerNorm(wte + wpe) recomputed in Java; an OSRM expert starts
 * from adapters orthogonal to the other tasks' inputs and is keyed apart from a random-start one.
 */
class OsrmTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path cache;

  @Test
  void theBasisIsOrthonormalAndAnnihilatesTheOtherTasksMeans() {
    SplittableRandom rnd = new SplittableRandom(2);
    int in = 12;
    int r = 3;
    List<double[]> rows = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      rows.add(gaussian(rnd, in));
    }
    double[] a = Osrm.basis(rows, in, r, floats(gaussian(rnd, in * r)));
    assertOrthonormal(a, in, r);
    for (double[] x : rows) {
      for (int c = 0; c < r; c++) {
        double dot = 0;
        for (int i = 0; i < in; i++) {
          dot += x[i] * a[i * r + c];
        }
        assertEquals(0, dot, 1e-9);
      }
    }
  }

  @Test
  void withoutANullSpaceTheBasisMinimizesTheProjection() {
    SplittableRandom rnd = new SplittableRandom(4);
    int in = 8;
    int r = 3;
    List<double[]> rows = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      rows.add(gaussian(rnd, in));
    }
    double[] a = Osrm.basis(rows, in, r, floats(gaussian(rnd, in * r)));
    assertOrthonormal(a, in, r);
    double proj = 0;
    for (double[] x : rows) {
      for (int c = 0; c < r; c++) {
        double dot = 0;
        for (int i = 0; i < in; i++) {
          dot += x[i] * a[i * r + c];
        }
        proj += dot * dot;
      }
    }
    double[] sv = new SingularValueDecomposition(new Array2DRowRealMatrix(
        rows.toArray(double[][]::new))).getSingularValues(); // descending
    double smallest = 0;
    for (int k = 0; k < r; k++) {
      smallest += sv[sv.length - 1 - k] * sv[sv.length - 1 - k];
    }
    assertEquals(smallest, proj, 1e-8 * Math.max(1, smallest));
  }

  @Test
  void meanInputsOfTheFirstAttentionMatricesAreTheNormalizedEmbeddings() {
    ModelConfig cfg = ModelConfig.tiny(40).withContextLength(16);
    SplittableRandom rnd = new SplittableRandom(9);
    ParamSnapshot p;
    try (ModelSession m = ModelSession.create(cfg, null, 3)) {
      p = m.parameters();
    }
    ParamSnapshot params = new ParamSnapshot(); // non-trivial norm gains and biases
    for (Param q : p.params()) {
      params.put(q.name().startsWith("h0/ln1/") ? q.withData(floats(gaussian(rnd, q.size())))
          : q);
    }
    int[][] seqs = {{3, 7, 9, 1, 30}, {5, 2}, {11, 12, 13, 14, 15, 16, 17, 18}};
    List<EncodedExample> ex = new ArrayList<>();
    for (int[] s : seqs) {
      ex.add(new EncodedExample(s, 1, null, false));
    }
    Map<String, double[]> got;
    try (ModelSession m = ModelSession.create(cfg, null, 0)) {
      m.loadParameters(params);
      got = m.matrixInputMeans(ex, List.of("h0/attn/wq", "h0/attn/wv"), 2);
    }
    int d = cfg.dModel();
    float[] wte = params.get("wte").data();
    float[] wpe = params.get("wpe").data();
    float[] g = params.get("h0/ln1/g").data();
    float[] b = params.get("h0/ln1/b").data();
    double[] want = new double[d];
    for (int[] s : seqs) {
      int len = s.length - 1; // the input positions of a sequence
      for (int t = 0; t < len; t++) {
        double[] x = new double[d];
        double mu = 0;
        for (int c = 0; c < d; c++) {
          x[c] = wte[s[t] * d + c] + wpe[t * d + c];
          mu += x[c] / d;
        }
        double var = 0;
        for (int c = 0; c < d; c++) {
          var += (x[c] - mu) * (x[c] - mu) / d;
        }
        for (int c = 0; c < d; c++) {
          want[c] += ((x[c] - mu) / Math.sqrt(var + cfg.normEps()) * g[c] + b[c]) / len
              / seqs.length;
        }
      }
    }
    for (int c = 0; c < d; c++) {
      assertEquals(want[c], got.get("h0/attn/wq")[c], 1e-4, "feature " + c);
    }
    assertTrue(Arrays.equals(got.get("h0/attn/wq"), got.get("h0/attn/wv")), "q and v share x");
  }

  @Test
  void anOsrmExpertStartsOrthogonalToTheOtherTasksInputs() {
    Lora lora = new Lora(2, 4, List.of("wq", "w2")).withInit(Lora.Init.OSRM);
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
        Preset.TINY).training().withLora(lora)).withBudgets(b -> b.withExpertSteps(4)).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code", "logic"), cache), cfg);
    Task math = ctx.tasks().get(0);
    ParamSnapshot start = Osrm.initialize(ctx, math, lora, 5);
    List<String> matrices = start.names().stream().filter(n -> n.endsWith(".lora_A"))
        .map(Lora::matrixOf).toList();
    assertEquals(4, matrices.size());
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(ctx.base().params());
      for (Task t : ctx.tasks().subList(1, 3)) {
        List<EncodedExample> ex = ctx.encode(ctx.sample(t, Osrm.SAMPLES,
            ctx.seed("osrm/" + t.name())), "check");
        Map<String, double[]> means = m.matrixInputMeans(ex, matrices, 8);
        for (String w : matrices) {
          Param a = start.get(Lora.a(w));
          int in = (int) a.shape()[0];
          double[] ad = new double[a.size()];
          for (int j = 0; j < ad.length; j++) {
            ad[j] = a.data()[j];
          }
          assertOrthonormal(ad, in, 2, 1e-6);
          double norm = Math.sqrt(Arrays.stream(means.get(w)).map(v -> v * v).sum());
          for (int c = 0; c < 2; c++) {
            double dot = 0;
            for (int i = 0; i < in; i++) {
              dot += means.get(w)[i] * ad[i * 2 + c];
            }
            assertEquals(0, dot / norm, 1e-5, w + " column " + c + " against " + t.name());
          }
        }
      }
    }
    // its own task's inputs are not among those it is made orthogonal to
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(ctx.base().params());
      Map<String, double[]> own = m.matrixInputMeans(ctx.encode(ctx.sample(math, Osrm.SAMPLES,
          ctx.seed("osrm/" + math.name())), "check"), matrices, 8);
      for (String w : matrices) {
        Param a = start.get(Lora.a(w));
        int in = (int) a.shape()[0];
        double norm = Math.sqrt(Arrays.stream(own.get(w)).map(v -> v * v).sum());
        double largest = 0;
        for (int c = 0; c < 2; c++) {
          double dot = 0;
          for (int i = 0; i < in; i++) {
            dot += own.get(w)[i] * a.data()[i * 2 + c];
          }
          largest = Math.max(largest, Math.abs(dot / norm));
        }
        assertTrue(largest > 1e-3, w + ": A is orthogonal to its own task's inputs too ("
            + largest + ")");
      }
    }
    // the expert trains from there, under a key of its own
    ProbeFineTuning.Expert e = ProbeFineTuning.expert(ctx, math);
    assertTrue(Double.isFinite(e.valScore()));
    MethodContext random = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code", "logic"), cache), cfg.withTraining(cfg.training().withLora(
        lora.withInit(Lora.Init.RANDOM))));
    assertNotEquals(ProbeFineTuning.key(ctx, math, 4), ProbeFineTuning.key(random, math, 4));
    assertEquals(2 * 2 * 2, ProbeFineTuning.adapters(ctx, math).names().size(),
        "its A and B factors were kept");
  }

  @Test
  void aMatchedStartHasOsrmsDirectionsAtTheRandomStartsColumnNorms() {
    Lora lora = new Lora(3, 6, List.of("wq", "w1"));
    MethodConfig cfg = MethodConfig.defaults(Preset.TINY).withTraining(MethodConfig.defaults(
        Preset.TINY).training().withLora(lora.withInit(Lora.Init.OSRM))).withSeed(1);
    MethodContext ctx = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code", "logic"), cache), cfg);
    Task math = ctx.tasks().get(0);
    ParamSnapshot unit = Osrm.initialize(ctx, math, lora.withInit(Lora.Init.OSRM), 5);
    ParamSnapshot matched = Osrm.initialize(ctx, math, lora.withInit(Lora.Init.OSRM_MATCHED), 5);
    ParamSnapshot random = lora.initialize(ctx.base().params(), 5);
    int r = 3;
    int checked = 0;
    for (String n : random.names()) {
      if (!n.endsWith(".lora_A")) {
        assertArrayEquals(random.get(n).data(), matched.get(n).data(), n + " is the random start");
        continue;
      }
      float[] u = unit.get(n).data();
      float[] m = matched.get(n).data();
      float[] z = random.get(n).data();
      int in = u.length / r;
      for (int c = 0; c < r; c++) {
        double zz = 0;
        double mm = 0;
        for (int i = 0; i < in; i++) {
          zz += (double) z[i * r + c] * z[i * r + c];
          mm += (double) m[i * r + c] * m[i * r + c];
        }
        assertEquals(Math.sqrt(zz), Math.sqrt(mm), 1e-6 * Math.sqrt(zz),
            n + " column " + c + " has the random start's norm");
        for (int i = 0; i < in; i++) {
          assertEquals(u[i * r + c] * Math.sqrt(zz), m[i * r + c], 1e-6,
              n + " column " + c + " keeps OSRM's direction");
        }
        checked++;
      }
    }
    assertEquals(2 * 2 * r, checked, "two layers of wq and w1 in the tiny model");
    // each start is an expert of its own
    MethodContext ctxMatched = MethodRunner.context(new MethodRunner.Inputs(
        ROOT.resolve("benchmarks-data/base/tiny"), ROOT.resolve("benchmarks-data/suite-v1"),
        List.of("math", "code", "logic"), cache), cfg.withTraining(cfg.training().withLora(
        lora.withInit(Lora.Init.OSRM_MATCHED))));
    assertNotEquals(ProbeFineTuning.key(ctx, math, 4), ProbeFineTuning.key(ctxMatched, math, 4));
  }

  @Test
  void matchingNormsScalesEachColumnToTheStartsNorm() {
    double[] basis = {1, 0, 0, 1, 0, 0}; // [3, 2]: e0 and e1
    float[] start = {3, 0, 4, 2, 0, 0}; // columns (3, 4, 0) and (0, 2, 0): norms 5 and 2
    assertArrayEquals(new double[] {5, 0, 0, 2, 0, 0}, Osrm.matchNorms(basis, start, 2), 1e-12);
  }

  private static void assertOrthonormal(double[] a, int in, int r) {
    assertOrthonormal(a, in, r, 1e-9);
  }

  private static void assertOrthonormal(double[] a, int in, int r, double tol) {
    for (int c = 0; c < r; c++) {
      for (int e = 0; e < r; e++) {
        double dot = 0;
        for (int i = 0; i < in; i++) {
          dot += a[i * r + c] * a[i * r + e];
        }
        assertEquals(c == e ? 1 : 0, dot, tol);
      }
    }
  }

  private static double[] gaussian(SplittableRandom rnd, int n) {
    double[] v = new double[n];
    for (int j = 0; j < n; j++) {
      v[j] = rnd.nextGaussian();
    }
    return v;
  }

  private static float[] floats(double[] v) {
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = (float) v[j];
    }
    return out;
  }
}
