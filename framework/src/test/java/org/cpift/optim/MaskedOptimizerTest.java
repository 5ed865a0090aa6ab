package org.cpift.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cpift.model.DiffPruning;
import org.cpift.model.ModelVariable;
import org.cpift.model.ParamKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Three steps of masked AdamW and SGD on a quadratic loss, checked entry by entry (parameters and
 * slots) against a plain-Java re-computation, with masks that change between steps, weight decay
 * on the matrix only, and gradient clipping active; and AdamW with the vector as a diff-pruning
 * gate, which trains at its own constant rate and β2, its gradient clipped by its own norm.
 */
class MaskedOptimizerTest {
  static final float[] W0 = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f};   // matrix [2, 3], decays
  static final float[] B0 = {0.1f, -0.2f, 0.3f};                          // bias [3], no decay
  static final float[] TW = {1f, 1f, -1f, 0f, 2f, 0.5f};
  static final float[] TB = {0f, 0.5f, -0.5f};
  static final float[] CW = {1f, 2f, 3f, 0.5f, 1.5f, 2.5f};
  static final float[] CB = {2f, 1f, 0.5f};
  // per step: mask of W, mask of B (true = trainable)
  static final boolean[][][] MASKS = {
      {{true, true, true, true, true, true}, {true, true, true}},
      {{true, false, true, false, true, true}, {false, false, false}},
      {{false, true, true, true, false, true}, {true, false, true}},
  };
  static final float[] LRS = {0.1f, 0.05f, 0.02f};

  @ParameterizedTest
  @ValueSource(strings = {"ADAMW", "SGD", "ADAMW_GATE"})
  void threeStepsMatchPlainJava(String type) {
    boolean gate = type.equals("ADAMW_GATE");
    OptimizerConfig cfg = type.startsWith("ADAMW")
        ? new OptimizerConfig(OptimizerConfig.Type.ADAMW, 0.9f, 0.99f, 1e-8f, 0.1f, 0f, 3f)
        : new OptimizerConfig(OptimizerConfig.Type.SGD, 0.9f, 0.999f, 1e-8f, 0.1f, 0.8f, 3f);
    float[][] expected = replay(cfg, gate);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = tf.variable(tf.reshape(tf.constant(W0), tf.constant(new int[] {2, 3})));
      Variable<TFloat32> b = tf.variable(tf.constant(B0));
      List<ModelVariable<TFloat32>> vars = List.of(
          new ModelVariable<>("w", new long[] {2, 3}, ParamKind.ATTENTION, w, 0),
          new ModelVariable<>(gate ? DiffPruning.gate("b") : "b", new long[] {3},
              gate ? ParamKind.DIFF : ParamKind.BIAS, b, 1));
      Operand<TFloat32> loss = tf.math.add(
          quadratic(tf, tf.reshape(w, tf.constant(new int[] {6})), TW, CW), quadratic(tf, b, TB, CB));
      var grads = tf.gradients(loss, List.of(w, b));
      MaskedOptimizer opt = cfg.create();
      opt.build(tf, vars, List.of(grads.dy(0), grads.dy(1)));
      try (Session s = new Session(g)) {
        s.initialize();
        for (int step = 0; step < 3; step++) {
          List<Tensor> owned = new ArrayList<>();
          Session.Runner r = s.runner();
          r.feed(opt.lr(), own(owned, TFloat32.scalarOf(LRS[step])));
          r.feed(opt.clipNorm(), own(owned, TFloat32.scalarOf(cfg.clipNorm())));
          for (Map.Entry<String, Float> e : opt.stepScalars(step + 1).entrySet()) {
            r.feed(opt.scalarPlaceholders().get(e.getKey()), own(owned, TFloat32.scalarOf(e.getValue())));
          }
          r.feed(opt.mask(0), own(owned, TBool.tensorOf(Shape.of(2, 3), DataBuffers.of(MASKS[step][0], true, false))));
          r.feed(opt.mask(1), own(owned, TBool.tensorOf(Shape.of(3), DataBuffers.of(MASKS[step][1], true, false))));
          r.addTarget(opt.update(0)).addTarget(opt.update(1));
          r.run().close();
          owned.forEach(Tensor::close);
        }
        List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(w, b));
        opt.slots().values().forEach(fetches::add);
        Session.Runner r = s.runner();
        fetches.forEach(r::fetch);
        try (Result res = r.run()) {
          assertEquals(expected.length, res.size());
          for (int i = 0; i < expected.length; i++) {
            float[] got = new float[expected[i].length];
            ((TFloat32) res.get(i)).copyTo(DataBuffers.of(got, false, false));
            for (int j = 0; j < got.length; j++) {
              assertEquals(expected[i][j], got[j], 2e-6f * Math.max(1f, Math.abs(expected[i][j])),
                  type + " tensor " + i + " entry " + j);
            }
          }
        }
      }
    }
  }

  private static Operand<TFloat32> quadratic(Ops tf, Operand<TFloat32> x, float[] target, float[] c) {
    Operand<TFloat32> d = tf.math.sub(x, tf.constant(target));
    return tf.math.mul(tf.constant(0.5f), tf.sum(tf.math.mul(tf.constant(c), tf.math.square(d)),
        tf.constant(0)));
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  /**
   * Plain-Java replay: returns {w, b, slots...} in the order the optimizer creates its slots
   * (AdamW: m_w, v_w, m_b, v_b; SGD: buf_w, buf_b). With {@code gate}, b is a diff-pruning gate:
   * its own clipping norm, the gates' constant rate and β2, no decay.
   */
  static float[][] replay(OptimizerConfig cfg, boolean gate) {
    float[][] theta = {W0.clone(), B0.clone()};
    float[][] targets = {TW, TB};
    float[][] coef = {CW, CB};
    float[] decay = {cfg.weightDecay(), 0f};
    float[][] m = {new float[6], new float[3]};
    float[][] v = {new float[6], new float[3]};
    for (int step = 0; step < 3; step++) {
      float[][] g = new float[2][];
      double[] sq = new double[2]; // the squared norm of each clipping group
      int[] group = {0, gate ? 1 : 0};
      for (int k = 0; k < 2; k++) {
        g[k] = new float[theta[k].length];
        for (int j = 0; j < g[k].length; j++) {
          g[k][j] = coef[k][j] * (theta[k][j] - targets[k][j]);
          if (MASKS[step][k][j]) {
            sq[group[k]] += (double) g[k][j] * g[k][j];
          }
        }
      }
      int t = step + 1;
      for (int k = 0; k < 2; k++) {
        boolean isGate = gate && k == 1;
        double scale = Math.min(1.0, cfg.clipNorm() / Math.max(Math.sqrt(sq[group[k]]), 1e-12));
        double beta2 = isGate ? DiffPruning.GATE_BETA2 : cfg.beta2();
        double lr = isGate ? DiffPruning.GATE_LR : LRS[step];
        for (int j = 0; j < theta[k].length; j++) {
          if (!MASKS[step][k][j]) {
            continue; // frozen: parameter and slots keep their values
          }
          double gj = g[k][j] * scale;
          if (cfg.type() == OptimizerConfig.Type.ADAMW) {
            m[k][j] = (float) (cfg.beta1() * m[k][j] + (1 - cfg.beta1()) * gj);
            v[k][j] = (float) (beta2 * v[k][j] + (1 - beta2) * gj * gj);
            double mhat = m[k][j] / (1 - Math.pow(cfg.beta1(), t));
            double vhat = v[k][j] / (1 - Math.pow(beta2, t));
            double dir = mhat / (Math.sqrt(vhat) + cfg.eps()) + decay[k] * theta[k][j];
            theta[k][j] = (float) (theta[k][j] - lr * dir);
          } else {
            double d = gj + decay[k] * theta[k][j];
            m[k][j] = (float) (cfg.momentum() * m[k][j] + d);
            theta[k][j] = (float) (theta[k][j] - LRS[step] * m[k][j]);
          }
        }
      }
    }
    return cfg.type() == OptimizerConfig.Type.ADAMW
        ? new float[][] {theta[0], theta[1], m[0], v[0], m[1], v[1]}
        : new float[][] {theta[0], theta[1], m[0], m[1]};
  }
}
