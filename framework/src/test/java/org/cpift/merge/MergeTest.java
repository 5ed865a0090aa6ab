package org.cpift.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.junit.jupiter.api.Test;

class MergeTest {
  static ParamSnapshot snap(float... v) {
    return new ParamSnapshot(List.of(new Param("w", new long[] {v.length}, v)));
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void slerpEndpointsAndUnitNorm() {
    float[] a = {1, 0, 0};
    float[] b = {0, 1, 0};
    assertArrayEquals(a, Slerp.slerp(a, b, 0), 1e-7f);
    assertArrayEquals(b, Slerp.slerp(a, b, 1), 1e-7f);
    for (double t : new double[] {0.1, 0.25, 0.5, 0.9}) {
      float[] m = Slerp.slerp(a, b, t);
      assertEquals(1.0, norm(m), 1e-6, "unit inputs stay on the unit sphere at t=" + t);
      assertEquals(Math.cos(t * Math.PI / 2), m[0], 1e-6);
      assertEquals(Math.sin(t * Math.PI / 2), m[1], 1e-6);
    }
  }

  @Test
  void slerpFallsBackToLerpForColinearAndTinyVectors() {
    float[] a = {1, 2, 3};
    float[] b = {2, 4, 6.0001f};
    float[] m = Slerp.slerp(a, b, 0.25);
    for (int j = 0; j < 3; j++) {
      assertEquals(0.75 * a[j] + 0.25 * b[j], m[j], 1e-6);
    }
    float[] zero = {0, 0, 0};
    assertArrayEquals(new float[] {0.5f, 1f, 1.5f}, Slerp.slerp(zero, a, 0.5), 1e-7f);
  }

  @Test
  void slerpOfAntiparallelVectorsIsLinear() {
    float[] a = {1, 0};
    float[] b = {-1, 0};
    // |cos| = 1 > 0.9995: linear interpolation through the origin, as mergekit does
    assertArrayEquals(new float[] {0.5f, 0}, Slerp.slerp(a, b, 0.25), 1e-7f);
    assertArrayEquals(new float[] {0f, 0}, Slerp.slerp(a, b, 0.5), 1e-7f);
  }

  @Test
  void slerpOverIncludedEntriesOnly() {
    float[] a = {1, 0, 7};
    float[] b = {0, 1, -7};
    BitSet inc = new BitSet();
    inc.set(0, 2);
    float[] m = Slerp.slerp(a, b, 0.5, inc, Slerp.COLINEAR);
    assertEquals(Math.sqrt(0.5), m[0], 1e-6); // angle measured over entries 0,1 only: 90°
    assertEquals(Math.sqrt(0.5), m[1], 1e-6);
    assertEquals(7f, m[2]); // excluded entry keeps the first vector's value
  }

  @Test
  void foldedSlerpGivesEqualWeightsForColinearInputs() {
    List<float[]> xs = List.of(new float[] {1, 1}, new float[] {2, 2}, new float[] {3, 3});
    assertArrayEquals(new float[] {2, 2}, Interpolation.SLERP.combine(xs, null, Slerp.COLINEAR), 1e-6f);
    assertArrayEquals(new float[] {2, 2}, Interpolation.LINEAR.combine(xs, null, Slerp.COLINEAR), 1e-6f);
    List<float[]> unit = List.of(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1});
    float[] k = Interpolation.MULTI_SLERP.combine(unit, null, Slerp.COLINEAR);
    float c = (float) (1 / Math.sqrt(3));
    assertArrayEquals(new float[] {c, c, c}, k, 1e-5f); // the symmetric spherical mean
    float[] f = Interpolation.SLERP.combine(unit, null, Slerp.COLINEAR);
    assertEquals(1.0, norm(f), 1e-5);
  }

  @Test
  void karcherMeanCountsANearlyOppositeDirection() {
    // three at e1 and one at angle π − δ from e1 (tilted toward e2): the spherical mean
    // minimizes 3θ² + (π − δ − θ)², so it lies at θ = (π − δ)/4 from e1 toward e2
    double delta = 0.01;
    float[] e1 = {1, 0, 0};
    float[] far = {(float) -Math.cos(delta), (float) Math.sin(delta), 0};
    float[] k = Interpolation.MULTI_SLERP.combine(List.of(e1, e1, e1, far), null, Slerp.COLINEAR);
    double theta = (Math.PI - delta) / 4;
    assertArrayEquals(new float[] {(float) Math.cos(theta), (float) Math.sin(theta), 0}, k, 1e-5f);
    // exactly opposite directions have no unique mean: the arithmetic mean, not a silent pick
    float[] neg = {-1, 0, 0};
    assertArrayEquals(Interpolation.LINEAR.combine(List.of(e1, e1, e1, neg), null, Slerp.COLINEAR),
        Interpolation.MULTI_SLERP.combine(List.of(e1, e1, e1, neg), null, Slerp.COLINEAR), 0f);
  }

  /** θ0 = (1, 1, 1, 1); δ1 = (2, −1, 0, 0.5), δ2 = (1, 1, −3, 0.5). */
  static MergeContext ctx() {
    return new MergeContext(snap(1, 1, 1, 1), List.of(snap(3, 0, 1, 1.5f), snap(2, 2, -2, 1.5f)),
        List.of("a", "b"), List.of(new ParamMask().set("w", 0, 1), new ParamMask().set("w", 1, 2)));
  }

  @Test
  void taskArithmeticByHand() {
    // θ0 + 0.5·(δ1 + δ2) = 1 + 0.5·(3, 0, −3, 1)
    assertArrayEquals(new float[] {2.5f, 1f, -0.5f, 1.5f},
        new TaskArithmetic(0.5).merge(ctx()).get("w").data(), 1e-6f);
  }

  @Test
  void tiesByHand() {
    // k = 50%: δ1 keeps {2, −1}, δ2 keeps {−3, 1}? |δ2| = (1, 1, 3, .5): top-2 = 3 and the first 1
    // trimmed δ1 = (2, −1, 0, 0), δ2 = (1, 0, −3, 0); elected signs (+, −, −, none)
    // disjoint means: (1.5, −1, −3, 0); θ = θ0 + 1·means
    assertArrayEquals(new float[] {2.5f, 0f, -2f, 1f}, new Ties(50, 1.0).merge(ctx()).get("w").data(),
        1e-6f);
  }

  @Test
  void tiesElectsSignByMass() {
    MergeContext c = new MergeContext(snap(0), List.of(snap(1), snap(1), snap(-5)),
        List.of("a", "b", "c"), null);
    // mass 1 + 1 − 5 < 0: only the negative entry is averaged
    assertArrayEquals(new float[] {-5f}, new Ties(100, 1.0).merge(c).get("w").data(), 1e-6f);
  }

  @Test
  void dareDropsAndRescales() {
    Dare dare = new Dare(MergeOptions.defaults().withDareDropRate(0.75), false);
    float[] d = new float[10000];
    java.util.Arrays.fill(d, 1f);
    float[] out = dare.dropAndRescale(d, new SplittableRandom(3));
    int kept = 0;
    for (float x : out) {
      assertTrue(x == 0f || x == 4f);
      kept += x == 4f ? 1 : 0;
    }
    assertEquals(2500, kept, 150); // ~ (1 − p)·n kept, each scaled by 1/(1 − p)
    // with p = 0 DARE-TA equals task arithmetic
    MergeMethod dareTa = MergeRegistry.create("dare-ta", MergeOptions.defaults().withDareDropRate(0)
        .withLambda(0.5));
    assertArrayEquals(new TaskArithmetic(0.5).merge(ctx()).get("w").data(),
        dareTa.merge(ctx()).get("w").data(), 1e-6f);
    MergeMethod dareTies = MergeRegistry.create("dare-ties", MergeOptions.defaults()
        .withDareDropRate(0).withTiesTopPercent(50));
    assertArrayEquals(new Ties(50, 1.0).merge(ctx()).get("w").data(),
        dareTies.merge(ctx()).get("w").data(), 1e-6f);
  }

  @Test
  void localizeStitchAveragesSharedEntries() {
    // entry 0: a only (δ 2); 1: a and b (−1, 1 → 0); 2: b only (−3); 3: nobody
    assertArrayEquals(new float[] {3f, 1f, -2f, 1f},
        new LocalizeStitch().merge(ctx()).get("w").data(), 1e-6f);
  }

  @Test
  void transplantCopiesCoreEntriesExactlyAndResolvesOverlaps() {
    MergeContext c = ctx();
    var cfg = CoreParameterFusion.Config.paper();
    float[] fused = CoreParameterFusion.fuse(c.base(), c.experts(), c.cores(), cfg).get("w").data();
    assertEquals(3f, fused[0]);  // only a owns entry 0
    assertEquals(0f, fused[1]);  // both own entry 1 with equal |δ| = 1: the earlier stage (a) wins
    assertEquals(-2f, fused[2]); // only b
    assertEquals(1.5f, fused[3], 1e-6f); // non-core: slerp of colinear 1.5, 1.5
    float[] later = CoreParameterFusion.fuse(c.base(), c.experts(), c.cores(),
        cfg.withOverlap(CoreParameterFusion.OverlapPolicy.LATER_STAGE)).get("w").data();
    assertEquals(2f, later[1]);
    float[] avg = CoreParameterFusion.fuse(c.base(), c.experts(), c.cores(),
        cfg.withOverlap(CoreParameterFusion.OverlapPolicy.AVERAGE)).get("w").data();
    assertEquals(1f, avg[1]);
  }

  @Test
  void baseAnchoredFusionSumsEachTaskModelsSlerpFromTheBase() {
    // 8 non-core entries; two task models far from the base (spherical) and the ω = 1 endpoint
    SplittableRandom rnd = new SplittableRandom(11);
    float[] th0 = gauss(rnd, 8);
    float[] a = gauss(rnd, 8);
    float[] b = gauss(rnd, 8);
    var cfg = CoreParameterFusion.Config.paper();
    List<ParamSnapshot> experts = List.of(snap(a), snap(b));
    List<ParamMask> noCores = List.of(new ParamMask(), new ParamMask());
    for (double w : new double[] {0.3, 1.0}) {
      float[] got = CoreParameterFusion.fuse(snap(th0), experts, noCores,
          cfg.withAnchor(CoreParameterFusion.Anchor.BASE, w)).get("w").data();
      float[] sa = Slerp.slerp(th0, a, w);
      float[] sb = Slerp.slerp(th0, b, w);
      for (int j = 0; j < 8; j++) {
        assertEquals(th0[j] + (sa[j] - th0[j]) + (sb[j] - th0[j]), got[j], 1e-5f);
        if (w == 1.0) {
          assertEquals(th0[j] + (a[j] - th0[j]) + (b[j] - th0[j]), got[j], 1e-5f);
        }
      }
      // the spherical weights differ from the linear ones here: the test can tell them apart
      assertTrue(Math.abs(sa[0] - (th0[0] + w * (a[0] - th0[0]))) > 1e-4 || w == 1.0);
    }
    // small task vectors are colinear with the base: θ0 + ω·(δa + δb), cores transplanted
    MergeContext c = ctx();
    float[] got = CoreParameterFusion.fuse(c.base(), c.experts(), c.cores(),
        cfg.withAnchor(CoreParameterFusion.Anchor.BASE, 0.5)).get("w").data();
    assertEquals(3f, got[0]);
    assertEquals(-2f, got[2]);
    // entry 3 is the only non-core one: one-entry vectors are colinear, so 1 + 0.5·(0.5 + 0.5)
    assertEquals(1.5f, got[3], 1e-6f);
    assertThrows(IllegalArgumentException.class,
        () -> cfg.withAnchor(CoreParameterFusion.Anchor.BASE, 0));
    assertThrows(IllegalArgumentException.class, () -> cfg.withAnchor(
        CoreParameterFusion.Anchor.BASE, 0.5).withGranularity(CoreParameterFusion.Granularity.PER_ROW));
  }

  @Test
  void mergeGridsAreTheDeclaredCandidatesOrTheGivenValues() {
    MergeOptions o = MergeOptions.defaults();
    assertEquals(10, MergeRegistry.grid("task-arithmetic", o).size());
    assertEquals(15, MergeRegistry.grid("ties", o).size());
    assertEquals(20, MergeRegistry.grid("dare-ta", o).size());
    assertEquals(List.of(o), MergeRegistry.grid("slerp", o));
    MergeOptions fixed = o.withLambda(0.7).withSelectOnValidation(false);
    assertEquals(List.of(fixed), MergeRegistry.grid("task-arithmetic", fixed));
    assertTrue(MergeRegistry.grid("ties", o).stream().allMatch(x -> x.seed() == o.seed()));
  }

  @Test
  void registryKnowsTheBaselinesAndRejectsUnknownNames() {
    assertTrue(MergeRegistry.names().containsAll(List.of("task-arithmetic", "ties", "dare-ta",
        "dare-ties", "lines", "lines-ties", "slerp", "linear", "localize-stitch")));
    assertThrows(org.cpift.util.CpiftException.class,
        () -> MergeRegistry.create("nope", MergeOptions.defaults()));
  }

  /** The pairwise fold, m_k = slerp(m_{k-1}, x_k; 1/k), written out with {@link Slerp}. */
  static float[] pairwiseFold(List<float[]> xs, BitSet include) {
    float[] m = xs.get(0);
    for (int k = 2; k <= xs.size(); k++) {
      m = Slerp.slerp(m, xs.get(k - 1), 1.0 / k, include, Slerp.COLINEAR);
    }
    return m;
  }

  /** The two-pass Gram-matrix fold equals the pairwise fold, with and without masks. */
  @Test
  void gramFoldEqualsPairwiseFold() {
    SplittableRandom rnd = new SplittableRandom(5);
    int n = 5000;
    for (int k : new int[] {2, 3, 5}) {
      List<float[]> xs = new java.util.ArrayList<>();
      float[] base = new float[n];
      for (int j = 0; j < n; j++) {
        base[j] = (float) rnd.nextGaussian();
      }
      for (int i = 0; i < k; i++) {
        float[] x = new float[n];
        for (int j = 0; j < n; j++) {
          x[j] = base[j] + (float) (0.7 * rnd.nextGaussian());
        }
        xs.add(x);
      }
      BitSet dense = new BitSet(n);
      dense.set(0, n);
      BitSet sparse = new BitSet(n);
      for (int j = 0; j < n; j++) {
        if (rnd.nextInt(10) == 0) {
          sparse.set(j);
        } else {
          dense.clear(j);
          dense.set(j, rnd.nextInt(10) != 0);
        }
      }
      for (BitSet include : java.util.Arrays.asList(null, dense, sparse)) {
        float[] want = pairwiseFold(xs, include);
        float[] got = Interpolation.SLERP.combine(xs, include, Slerp.COLINEAR);
        for (int j = 0; j < n; j++) {
          assertEquals(want[j], got[j], 2e-5 * (1 + Math.abs(want[j])), "k=" + k + " entry " + j);
          if (include != null && !include.get(j)) {
            assertEquals(xs.get(0)[j], got[j], "excluded entry " + j + " keeps the first model's value");
          }
        }
      }
    }
    // an infinite excluded entry (a core entry) does not leak into the included ones
    float[] inf0 = {Float.POSITIVE_INFINITY, 1, 2};
    float[] inf1 = {0, 2, 1};
    BitSet tail = new BitSet();
    tail.set(1, 3);
    assertArrayEquals(pairwiseFold(List.of(inf0, inf1), tail),
        Interpolation.SLERP.combine(List.of(inf0, inf1), tail, Slerp.COLINEAR), 1e-6f);
    // nearly colinear inputs and a zero vector take the linear branch in both
    float[] a = {1, 2, 3};
    float[] b = {2, 4, 6.0001f};
    float[] z = {0, 0, 0};
    for (List<float[]> xs : List.of(List.of(a, b), List.of(a, z, b), List.of(z, a))) {
      assertArrayEquals(pairwiseFold(xs, null), Interpolation.SLERP.combine(xs, null, Slerp.COLINEAR), 1e-5f);
    }
  }

  @Test
  void slerpGranularitySetsTheVectorTheAngleIsMeasuredOver() {
    SplittableRandom rnd = new SplittableRandom(11);
    float[][] a = {gauss(rnd, 6), gauss(rnd, 3)};
    float[][] b = {gauss(rnd, 6), gauss(rnd, 3)};
    ParamSnapshot base = two(new float[6], new float[3]);
    ParamSnapshot ea = two(a[0], a[1]);
    ParamSnapshot eb = two(b[0], b[1]);
    ParamMask ca = new ParamMask();
    BitSet row0 = new BitSet();
    row0.set(1);
    ca.put("m", row0);
    ParamMask cb = new ParamMask();
    BitSet last = new BitSet();
    last.set(2);
    cb.put("v", last);
    var cfg = CoreParameterFusion.Config.paper();
    // per row: each row of m [2, 3] on its own (entry 1 is a's core); v (1-D) whole
    ParamSnapshot perRow = CoreParameterFusion.fuse(base, List.of(ea, eb), List.of(ca, cb),
        cfg.withGranularity(CoreParameterFusion.Granularity.PER_ROW));
    BitSet r0 = new BitSet();
    r0.set(0);
    r0.set(2);
    float[] want0 = Slerp.slerp(java.util.Arrays.copyOfRange(a[0], 0, 3),
        java.util.Arrays.copyOfRange(b[0], 0, 3), 0.5, r0, Slerp.COLINEAR);
    float[] want1 = Slerp.slerp(java.util.Arrays.copyOfRange(a[0], 3, 6),
        java.util.Arrays.copyOfRange(b[0], 3, 6), 0.5, null, Slerp.COLINEAR);
    float[] m = perRow.get("m").data();
    assertEquals(a[0][1], m[1]); // transplanted
    for (int j : new int[] {0, 2}) {
      assertEquals(want0[j], m[j], 1e-6f);
    }
    for (int j = 0; j < 3; j++) {
      assertEquals(want1[j], m[3 + j], 1e-6f);
    }
    // whole model: one angle over the 7 non-core entries of both tensors
    float[] fa = concat(a[0], a[1]);
    float[] fb = concat(b[0], b[1]);
    BitSet rest = new BitSet();
    rest.set(0, 9);
    rest.clear(1);
    rest.clear(8);
    float[] want = Slerp.slerp(fa, fb, 0.5, rest, Slerp.COLINEAR);
    ParamSnapshot whole = CoreParameterFusion.fuse(base, List.of(ea, eb), List.of(ca, cb),
        cfg.withGranularity(CoreParameterFusion.Granularity.WHOLE_MODEL));
    float[] got = concat(whole.get("m").data(), whole.get("v").data());
    for (int j = 0; j < 9; j++) {
      float expected = j == 1 ? a[0][1] : j == 8 ? b[1][2] : want[j];
      assertEquals(expected, got[j], 1e-6f, "entry " + j);
    }
    // and the three readings really differ on these inputs
    float[] perTensor = CoreParameterFusion.fuse(base, List.of(ea, eb), List.of(ca, cb), cfg)
        .get("m").data();
    assertTrue(Math.abs(perTensor[0] - m[0]) > 1e-4 || Math.abs(perTensor[3] - m[3]) > 1e-4);
    assertTrue(Math.abs(perTensor[0] - got[0]) > 1e-4);
    // identical experts: every granularity returns the expert
    for (var g : CoreParameterFusion.Granularity.values()) {
      ParamSnapshot same = CoreParameterFusion.fuse(base, List.of(ea, ea), List.of(ca, cb),
          cfg.withGranularity(g));
      assertArrayEquals(a[0], same.get("m").data(), 1e-6f, g.name());
      assertArrayEquals(a[1], same.get("v").data(), 1e-6f, g.name());
    }
  }

  private static float[] gauss(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static ParamSnapshot two(float[] m, float[] v) {
    return new ParamSnapshot(List.of(new Param("m", new long[] {2, 3}, m.clone()),
        new Param("v", new long[] {3}, v.clone())));
  }

  private static float[] concat(float[] x, float[] y) {
    float[] out = java.util.Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, out, x.length, y.length);
    return out;
  }

  @Test
  void taskVectorGeometryOnPlantedVectors() {
    float[] b = {1, 1, 1, 1};
    ParamSnapshot base = snap(b);
    // three orthogonal task vectors of norm 2: cos 0, averaging keeps 1/sqrt(3) of each
    ParamSnapshot e1 = snap(3, 1, 1, 1);
    ParamSnapshot e2 = snap(1, 3, 1, 1);
    ParamSnapshot e3 = snap(1, 1, -1, 1);
    TaskVectorGeometry g = TaskVectorGeometry.of(base, List.of("a", "b", "c"), List.of(e1, e2, e3));
    assertEquals(2.0, g.baseNorm(), 1e-12);
    assertEquals(1.0, g.relativeNorm(0), 1e-12);
    assertEquals(0.0, g.cosine()[0][1], 1e-12);
    assertEquals(1.0, g.cosine()[2][2], 1e-12);
    assertEquals(1 / Math.sqrt(3), g.meanShrink(), 1e-12);
    // identical task vectors: cos 1, nothing lost by averaging; opposite ones: cos -1, all lost
    TaskVectorGeometry same = TaskVectorGeometry.of(base, List.of("a", "b"), List.of(e1, e1));
    assertEquals(1.0, same.cosine()[0][1], 1e-12);
    assertEquals(1.0, same.meanShrink(), 1e-12);
    TaskVectorGeometry opposite = TaskVectorGeometry.of(base, List.of("a", "b"),
        List.of(e1, snap(-1, 1, 1, 1)));
    assertEquals(-1.0, opposite.cosine()[0][1], 1e-12);
    assertEquals(0.0, opposite.meanShrink(), 1e-12);
    assertThrows(IllegalArgumentException.class,
        () -> TaskVectorGeometry.of(base, List.of("a"), List.of(e1, e2)));
  }

  @Test
  void mergeParametersAreDeclaredOnceWithTheirRanges() {
    MergeParam.TIES_K.check(100);
    MergeParam.DARE_P.check(0);
    for (double bad : new double[] {0, 100.5, Double.NaN}) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> MergeParam.TIES_K.check(bad));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("--ties-k must be a "
          + "finite number in (0, 100]"), e.getMessage());
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> MergeOptions.defaults().withDareDropRate(1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> MergeOptions.defaults().withLambda(Double.POSITIVE_INFINITY));
    // every method that selects on validation varies only parameters it declares
    for (String name : MergeRegistry.names()) {
      java.util.List<MergeParam> declared = MergeRegistry.params(name);
      MergeOptions d = MergeOptions.defaults();
      for (MergeOptions o : MergeRegistry.grid(name, d)) {
        for (MergeParam p : java.util.List.of(MergeParam.LAMBDA, MergeParam.TIES_LAMBDA,
            MergeParam.TIES_K, MergeParam.DARE_P, MergeParam.LINES_BETA, MergeParam.COPA_LAMBDA)) {
          if (!declared.contains(p)) {
            org.junit.jupiter.api.Assertions.assertEquals(d.get(p), o.get(p), name + " " + p.option());
          }
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(MergeParam.LAMBDA),
        MergeRegistry.params("task-arithmetic"));
  }
}
