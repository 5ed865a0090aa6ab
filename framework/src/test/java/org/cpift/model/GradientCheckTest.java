package org.cpift.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Finite-difference check of the model loss's gradient (float64 graph, central differences) for
 * sampled entries of every variable: embeddings, attention, MLP, biases and norms; LoRA factors;
 * and for WEMoE models the entropy objective's gradient, routers and task vectors included.
 */
class GradientCheckTest {

  /**
   * The project's own layout with LayerNorm and with RMSNorm, and the llama family: rotary
   * positions, SwiGLU, 2 query heads sharing 1 key/value head, q/k/v biases, an untied head.
   */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> configs() {
    ModelConfig llama = new ModelConfig(13, 8, 2, 2, 8, 1, ModelConfig.Norm.RMS, 1e-5f, 0.3f,
        ModelConfig.Family.LLAMA, ModelConfig.Activation.SWIGLU,
        new ModelConfig.Architecture(12, 1, 100.0, ModelConfig.Bias.QKV, false));
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            new ModelConfig(13, 8, 2, 2, 8, 2, ModelConfig.Norm.LAYER, 1e-5f, 0.3f), null, null,
            null),
        org.junit.jupiter.params.provider.Arguments.of(
            new ModelConfig(13, 8, 2, 2, 8, 2, ModelConfig.Norm.RMS, 1e-5f, 0.3f), null, null,
            null),
        org.junit.jupiter.params.provider.Arguments.of(llama, null, null, null),
        // LoRA factors on attention and MLP matrices (B set non-zero below, so A's gradient is too)
        org.junit.jupiter.params.provider.Arguments.of(llama,
            new Lora(2, 4, java.util.Set.of("wq", "wo", "wg", "w2")), null, null),
        // masked LoRA (CPI-FT's pipeline under LoRA): W + K ⊙ (α/r)·A·B, K set to 0/1 below
        org.junit.jupiter.params.provider.Arguments.of(llama,
            new Lora(2, 4, java.util.Set.of("wq", "w1")).masked(), null, null),
        // WEMoE MLPs (task vectors set non-zero below), checked on the entropy they are trained by
        org.junit.jupiter.params.provider.Arguments.of(
            new ModelConfig(13, 8, 2, 2, 8, 2, ModelConfig.Norm.LAYER, 1e-5f, 0.3f), null,
            new Wemoe(2, 0.3), null),
        org.junit.jupiter.params.provider.Arguments.of(llama, null, new Wemoe(3, 0.3), null),
        // diff pruning (diffs and gate logits set below), on the loss plus its L0 penalty
        org.junit.jupiter.params.provider.Arguments.of(llama, null, null,
            new DiffPruning(1.0, 1e-3)),
        // structured: a gate per tensor too, multiplying the entries' gates and their penalty
        org.junit.jupiter.params.provider.Arguments.of(llama, null, null,
            new DiffPruning(1.0, 1e-3, true)));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void analyticGradientMatchesFiniteDifferences(ModelConfig cfg, Lora lora, Wemoe wemoe,
      DiffPruning diff) {
    int b = 3;
    int t = 6;
    SplittableRandom rnd = new SplittableRandom(11);
    int[] in = new int[b * t];
    int[] tg = new int[b * t];
    double[] w = new double[b * t];
    for (int i = 0; i < in.length; i++) {
      in[i] = rnd.nextInt(13);
      tg[i] = rnd.nextInt(13);
      w[i] = (i % t) >= 2 ? 1 : 0; // prompt positions carry no loss
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      TransformerLM<TFloat64> m = new TransformerLM<>(tf, cfg, TFloat64.class, 5, lora, wemoe,
          diff);
      Operand<TFloat64> objective = wemoe != null ? m.entropy
          : diff != null ? tf.math.add(m.loss, m.penalty()) : m.loss;
      List<ModelVariable<TFloat64>> vars = m.variables();
      EnumSet<ParamKind> want = EnumSet.allOf(ParamKind.class);
      if (cfg.arch().tiedHead()) {
        want.remove(ParamKind.HEAD);
      }
      if (cfg.rotary()) {
        want.remove(ParamKind.POSITION_EMBEDDING);
      }
      if (lora == null) {
        want.remove(ParamKind.ADAPTER);
      }
      if (wemoe == null) {
        want.remove(ParamKind.ROUTER);
        want.remove(ParamKind.TASK_VECTOR);
      }
      if (diff == null) {
        want.remove(ParamKind.DIFF);
      }
      assertEquals(want, kinds(vars));
      var grads = tf.gradients(objective, vars.stream().map(ModelVariable::variable).toList());
      // every run below has one of four signatures (values, gradients, assign-all, objective):
      // a new signature per variable would make TensorFlow build and optimize an executor for each
      List<Placeholder<TFloat64>> values = new ArrayList<>();
      List<Op> assigns = new ArrayList<>();
      for (ModelVariable<TFloat64> v : vars) {
        Placeholder<TFloat64> ph = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(v.shape())));
        values.add(ph);
        assigns.add(tf.assign(v.variable(), ph));
      }
      Op assignAll = tf.withControlDependencies(assigns).noOp();
      try (Session s = new Session(g);
          TInt32 tin = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(in, true, false));
          TInt32 ttg = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(tg, true, false));
          TFloat64 tw = TFloat64.tensorOf(Shape.of(b, t), DataBuffers.of(w, true, false))) {
        s.initialize();
        List<Operand<?>> variableOps = new ArrayList<>();
        vars.forEach(v -> variableOps.add(v.variable()));
        double[][] value = fetchAll(s.runner(), variableOps, vars);
        for (ModelVariable<TFloat64> v : vars) {
          double[] x = value[v.index()];
          if (DiffPruning.isGate(v.name())) {
            // log α in (0.2, 1.4): every deterministic gate strictly inside (0, 1) (0.15 to
            // 0.91), where the loss reaches both w and log α (outside, the clamp zeroes both)
            for (int j = 0; j < x.length; j++) {
              x[j] = 0.2 + 1.2 * rnd.nextDouble();
            }
          } else if (Lora.isKeep(v.name())) {
            for (int j = 0; j < x.length; j++) {
              x[j] = rnd.nextDouble() < 0.3 ? 0 : 1;
            }
          } else if (v.name().endsWith(".lora_B") || Wemoe.isTaskVector(v.name())
              || v.name().endsWith(".diff")) {
            for (int j = 0; j < x.length; j++) {
              x[j] = rnd.nextGaussian() * 0.3;
            }
          }
        }
        assign(s, assignAll, values, vars, value);
        List<Operand<?>> gradOps = new ArrayList<>();
        vars.forEach(v -> gradOps.add(grads.dy(v.index())));
        double[][] grad = fetchAll(s.runner().feed(m.inputs, tin).feed(m.targets, ttg)
            .feed(m.weights, tw), gradOps, vars);
        int checked = 0;
        for (ModelVariable<TFloat64> v : vars) {
          double[] x = value[v.index()];
          for (int k = 0; k < 3; k++) {
            int j = rnd.nextInt(x.length);
            double h = 1e-6;
            double saved = x[j];
            x[j] = saved + h;
            assign(s, assignAll, values, vars, value);
            double lp = loss(s, m, objective, tin, ttg, tw);
            x[j] = saved - h;
            assign(s, assignAll, values, vars, value);
            double lm = loss(s, m, objective, tin, ttg, tw);
            x[j] = saved;
            double numeric = (lp - lm) / (2 * h);
            double[] gv = grad[v.index()];
            double err = Math.abs(numeric - gv[j]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(gv[j]));
            assertTrue(err < 1e-5 || Math.abs(numeric - gv[j]) < 1e-9,
                v.name() + "[" + j + "]: analytic " + gv[j] + " vs numeric " + numeric);
            checked++;
          }
        }
        assertTrue(checked >= 3 * vars.size());
      }
    }
  }

  private static EnumSet<ParamKind> kinds(List<ModelVariable<TFloat64>> vars) {
    EnumSet<ParamKind> k = EnumSet.noneOf(ParamKind.class);
    vars.forEach(v -> k.add(v.kind()));
    return k;
  }

  /** The values of {@code ops} (one per variable, in order) in one run of {@code r}. */
  private static double[][] fetchAll(Session.Runner r, List<Operand<?>> ops,
      List<ModelVariable<TFloat64>> vars) {
    ops.forEach(r::fetch);
    try (Result res = r.run()) {
      double[][] out = new double[vars.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new double[(int) vars.get(i).size()];
        ((TFloat64) res.get(i)).copyTo(DataBuffers.of(out[i], false, false));
      }
      return out;
    }
  }

  private static double loss(Session s, TransformerLM<TFloat64> m, Operand<TFloat64> objective,
      TInt32 in, TInt32 tg, TFloat64 w) {
    try (Result r = s.runner().feed(m.inputs, in).feed(m.targets, tg).feed(m.weights, w)
        .fetch(objective).run()) {
      return ((TFloat64) r.get(0)).getDouble();
    }
  }

  /** Every variable set to {@code value} in one run. */
  private static void assign(Session s, Op assignAll, List<Placeholder<TFloat64>> phs,
      List<ModelVariable<TFloat64>> vars, double[][] value) {
    List<TFloat64> ts = new ArrayList<>();
    try {
      Session.Runner r = s.runner();
      for (int i = 0; i < vars.size(); i++) {
        TFloat64 t = TFloat64.tensorOf(Shape.of(vars.get(i).shape()),
            DataBuffers.of(value[i], true, false));
        ts.add(t);
        r.feed(phs.get(i), t);
      }
      r.addTarget(assignAll).run().close();
    } finally {
      ts.forEach(TFloat64::close);
    }
  }
}
