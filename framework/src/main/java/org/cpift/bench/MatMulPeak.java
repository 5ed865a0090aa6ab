package org.cpift.bench;

import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The reference the training step is measured against: a large square float32 MatMul through
 * TensorFlow, in the same process and thread pool as the model. The inputs are fed placeholders
 * (constants could be folded away by the graph optimizer); the product stays in TensorFlow.
 */
public final class MatMulPeak {
  private MatMulPeak() {}

  /** One measurement: {@code 2·n³} FLOPs per product. */
  public record Result(int n, double medianSeconds, double gflops) {}

  public static Result run(int n, int warmup, int repeats) {
    if (n < 1) {
      throw new IllegalArgumentException("matrix size must be >= 1");
    }
    SplittableRandom rnd = new SplittableRandom(7);
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 a = random(n, rnd); TFloat32 b = random(n, rnd)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> y = tf.placeholder(TFloat32.class);
      MatMul<TFloat32> product = tf.linalg.matMul(x, y);
      double sec = Timing.medianSeconds(warmup, repeats,
          () -> s.runner().feed(x, a).feed(y, b).addTarget(product).run().close());
      return new Result(n, sec, 2.0 * n * n * (double) n / sec / 1e9);
    }
  }

  private static TFloat32 random(int n, SplittableRandom rnd) {
    float[] v = new float[n * n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextDouble(-1, 1);
    }
    return TFloat32.tensorOf(Shape.of(n, n), DataBuffers.of(v, true, false));
  }
}
