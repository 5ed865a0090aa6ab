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
            new DiffPruning(1.0, 1e-3)));
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
      List<Placeholder<TFloat64>> values = new ArrayList<>();
      List<Op> assigns = new ArrayList<>();
      for (ModelVariable<TFloat64> v : vars) {
        Placeholder<TFloat64> ph = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(v.shape())));
        values.add(ph);
        assigns.add(tf.assign(v.variable(), ph));
      }
      try (Session s = new Session(g);
          TInt32 tin = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(in, true, false));
          TInt32 ttg = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(tg, true, false));
          TFloat64 tw = TFloat64.tensorOf(Shape.of(b, t), DataBuffers.of(w, true, false))) {
        s.initialize();
        for (ModelVariable<TFloat64> v : vars) {
          if (v.name().endsWith(".diff_gate")) {
            // gate logits log α = 100·ρ in (−1, 1): gates inside their linear range
            double[] rho = new double[(int) v.size()];
            for (int j = 0; j < rho.length; j++) {
              rho[j] = (rnd.nextDouble() * 2 - 1) / 100;
            }
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), rho);
          } else if (Lora.isKeep(v.name())) {
            double[] keep = new double[(int) v.size()];
            for (int j = 0; j < keep.length; j++) {
              keep[j] = rnd.nextDouble() < 0.3 ? 0 : 1;
            }
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), keep);
          } else if (v.name().endsWith(".lora_B") || Wemoe.isTaskVector(v.name())
              || v.name().endsWith(".diff")) {
            double[] nb = new double[(int) v.size()];
            for (int j = 0; j < nb.length; j++) {
              nb[j] = rnd.nextGaussian() * 0.3;
            }
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), nb);
          }
        }
        int checked = 0;
        for (ModelVariable<TFloat64> v : vars) {
          double[] value = fetch(s, v.variable(), (int) v.size());
          double[] grad = fetchGrad(s, m, grads.dy(v.index()), tin, ttg, tw, (int) v.size());
          for (int k = 0; k < 3; k++) {
            int j = rnd.nextInt(value.length);
            double h = 1e-6;
            double saved = value[j];
            value[j] = saved + h;
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), value);
            double lp = loss(s, m, objective, tin, ttg, tw);
            value[j] = saved - h;
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), value);
            double lm = loss(s, m, objective, tin, ttg, tw);
            value[j] = saved;
            assign(s, assigns.get(v.index()), values.get(v.index()), v.shape(), value);
            double numeric = (lp - lm) / (2 * h);
            double err = Math.abs(numeric - grad[j]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(grad[j]));
            assertTrue(err < 1e-5 || Math.abs(numeric - grad[j]) < 1e-9,
                v.name() + "[" + j + "]: analytic " + grad[j] + " vs numeric " + numeric);
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

  private static double[] fetch(Session s, Operand<TFloat64> op, int n) {
    try (Result r = s.runner().fetch(op).run()) {
      double[] out = new double[n];
      ((TFloat64) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  private static double[] fetchGrad(Session s, TransformerLM<TFloat64> m, Operand<?> grad,
      TInt32 in, TInt32 tg, TFloat64 w, int n) {
    try (Result r = s.runner().feed(m.inputs, in).feed(m.targets, tg).feed(m.weights, w)
        .fetch(grad).run()) {
      double[] out = new double[n];
      ((TFloat64) r.get(0)).copyTo(DataBuffers.of(out, false, false));
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

  private static void assign(Session s, Op assign, Placeholder<TFloat64> ph, long[] shape, double[] v) {
    try (TFloat64 t = TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(v, true, false))) {
      s.runner().feed(ph, t).addTarget(assign).run().close();
    }
  }
}
