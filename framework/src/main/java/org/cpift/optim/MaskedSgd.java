package org.cpift.optim;

import java.util.List;
import java.util.Map;
import org.cpift.model.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * SGD with (heavy-ball) momentum and L2 weight decay, as PyTorch's {@code SGD}, masked per entry:
 * <pre>
 *   d ← g + λ·θ      b ← μ·b + d  (b = d when μ = 0)      θ ← θ − lr·b
 * </pre>
 * applied only where the mask is true; elsewhere θ and b keep their bits.
 */
public final class MaskedSgd extends MaskedOptimizer {
  public MaskedSgd(OptimizerConfig config) {
    super(config);
  }

  @Override
  protected List<Op> applyMasked(Ops tf, ModelVariable<TFloat32> v, Operand<TFloat32> g,
      Operand<TBool> mask, Operand<TFloat32> lr, float weightDecay) {
    Variable<TFloat32> theta = v.variable();
    Operand<TFloat32> d = weightDecay > 0
        ? tf.math.add(g, tf.math.mul(theta, tf.constant(weightDecay))) : g;
    if (config.momentum() == 0f) {
      return List.of(assignMasked(tf, theta, mask, tf.math.sub(theta, tf.math.mul(d, lr)), theta));
    }
    Variable<TFloat32> buf = slot(tf, v, "momentum");
    Operand<TFloat32> b1 = tf.math.add(tf.math.mul(buf, tf.constant(config.momentum())), d);
    return List.of(assignMasked(tf, theta, mask, tf.math.sub(theta, tf.math.mul(b1, lr)), theta),
        assignMasked(tf, buf, mask, b1, buf));
  }

  @Override
  public Map<String, Float> stepScalars(long t) {
    return Map.of();
  }
}
