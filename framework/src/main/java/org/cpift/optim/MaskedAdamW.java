package org.cpift.optim;

import java.util.List;
import java.util.Map;
import org.cpift.model.DiffPruning;
import org.cpift.model.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * AdamW (Loshchilov and Hutter) with bias correction and decoupled weight decay, masked per entry:
 * <pre>
 *   m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
 *   θ ← θ − lr·( (m/(1−β1^t)) / (√(v/(1−β2^t)) + ε) + λ·θ )
 * </pre>
 * applied only where the mask is true; elsewhere θ, m and v keep their bits. The step count t is
 * kept by the caller and fed as the two bias corrections. Diff pruning's gates
 * ({@link DiffPruning#isGate}) use {@link DiffPruning#GATE_BETA2} and a bias correction of their
 * own.
 */
public final class MaskedAdamW extends MaskedOptimizer {
  private static final String GATE_CORRECTION2 = "bias_correction2_gate";

  public MaskedAdamW(OptimizerConfig config) {
    super(config);
  }

  @Override
  protected List<Op> applyMasked(Ops tf, ModelVariable<TFloat32> v, Operand<TFloat32> g,
      Operand<TBool> mask, Operand<TFloat32> lr, float weightDecay) {
    Variable<TFloat32> m = slot(tf, v, "adam_m");
    Variable<TFloat32> s = slot(tf, v, "adam_v");
    Operand<TFloat32> bc1 = stepScalar(tf, "bias_correction1");
    // diff pruning's gates: the authors' gate optimizer's β2, whatever the run's
    boolean gate = DiffPruning.isGate(v.name());
    Operand<TFloat32> bc2 = stepScalar(tf, gate ? GATE_CORRECTION2 : "bias_correction2");
    float b1 = config.beta1();
    float b2 = gate ? DiffPruning.GATE_BETA2 : config.beta2();
    Operand<TFloat32> m1 = tf.math.add(tf.math.mul(m, tf.constant(b1)),
        tf.math.mul(g, tf.constant(1 - b1)));
    Operand<TFloat32> s1 = tf.math.add(tf.math.mul(s, tf.constant(b2)),
        tf.math.mul(tf.math.square(g), tf.constant(1 - b2)));
    Operand<TFloat32> mhat = tf.math.div(m1, bc1);
    Operand<TFloat32> denom = tf.math.add(tf.math.sqrt(tf.math.div(s1, bc2)),
        tf.constant(config.eps()));
    Operand<TFloat32> dir = tf.math.div(mhat, denom);
    Variable<TFloat32> theta = v.variable();
    if (weightDecay > 0) {
      dir = tf.math.add(dir, tf.math.mul(theta, tf.constant(weightDecay)));
    }
    Operand<TFloat32> theta1 = tf.math.sub(theta, tf.math.mul(dir, lr));
    return List.of(assignMasked(tf, theta, mask, theta1, theta), assignMasked(tf, m, mask, m1, m),
        assignMasked(tf, s, mask, s1, s));
  }

  @Override
  public Map<String, Float> stepScalars(long t) {
    Map<String, Float> s = new java.util.LinkedHashMap<>();
    s.put("bias_correction1", (float) (1 - Math.pow(config.beta1(), t)));
    s.put("bias_correction2", (float) (1 - Math.pow(config.beta2(), t)));
    if (scalarPlaceholders().containsKey(GATE_CORRECTION2)) {
      s.put(GATE_CORRECTION2, (float) (1 - Math.pow(DiffPruning.GATE_BETA2, t)));
    }
    return s;
  }
}
