package org.cpift.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.model.ModelConfig;
import org.cpift.model.ModelVariable;
import org.cpift.model.TransformerLM;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The model's forward and backward pass (the loss and every variable's gradient, no update) built
 * in a given floating type: how much a lower precision could buy a training step here, measured
 * rather than estimated. Measured only: the project trains in float32.
 */
public final class PrecisionBenchmark {
  private PrecisionBenchmark() {}

  /** Median seconds of one forward and backward pass of {@code config} at batch b, length t. */
  public static <T extends TFloating> double forwardBackward(ModelConfig config, Class<T> dtype,
      int b, int t, int warmup, int repeats) {
    SplittableRandom rnd = new SplittableRandom(1);
    int[] in = new int[b * t];
    int[] tg = new int[b * t];
    float[] w = new float[b * t];
    for (int i = 0; i < in.length; i++) {
      in[i] = rnd.nextInt(config.vocabSize());
      tg[i] = rnd.nextInt(config.vocabSize());
      w[i] = 1;
    }
    try (Graph g = new Graph(); Session s = new Session(g);
        TInt32 ti = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(in, true, false));
        TInt32 tt = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(tg, true, false));
        TFloat32 tw = TFloat32.tensorOf(Shape.of(b, t), DataBuffers.of(w, true, false))) {
      Ops tf = Ops.create(g);
      TransformerLM<T> m = new TransformerLM<>(tf, config, dtype, 5);
      List<ModelVariable<T>> vars = m.variables();
      var grads = tf.gradients(m.loss, vars.stream().map(ModelVariable::variable).toList());
      List<Operand<?>> fetch = new ArrayList<>();
      for (int i = 0; i < vars.size(); i++) {
        fetch.add(grads.dy(i));
      }
      // the loss weights arrive as float32 and are cast in the graph (a negligible [b, t] cast)
      Placeholder<TFloat32> w32 = tf.placeholder(TFloat32.class);
      Operand<T> cast = tf.dtypes.cast(w32, dtype);
      s.initialize();
      try (Tensor weights = s.runner().feed(w32, tw).fetch(cast).run().get(0)) {
        return Timing.medianSeconds(warmup, repeats, () -> {
          Session.Runner r = s.runner().feed(m.inputs(), ti).feed(m.targets(), tt)
              .feed(m.weights(), weights);
          fetch.forEach(r::fetch);
          r.run().close();
        });
      }
    }
  }
}
