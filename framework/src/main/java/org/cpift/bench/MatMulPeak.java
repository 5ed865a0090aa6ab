package org.cpift.bench;

import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * The reference the training step is measured against: a large square float32 MatMul through
 * TensorFlow, in the same process and thread pool as the model. The inputs are fed placeholders
 * (constants could be folded away by the graph optimizer); the product stays in TensorFlow.
 */
public final class MatMulPeak {
  private MatMulPeak() {}

  /** One measurement: {@code 2·n³} FLOPs per product. */
  public record Result(int n, double medianSeconds, double gflops) {
    Result withFlops(int m, int k, int n) {
      return new Result(this.n, medianSeconds, 2.0 * m * k * (double) n / medianSeconds / 1e9);
    }
  }

  public static Result run(int n, int warmup, int repeats) {
    if (n < 1) {
      throw new IllegalArgumentException("matrix size must be >= 1");
    }
    return new Result(n, product(n, n, n, false, warmup, repeats), 0).withFlops(n, n, n);
  }

  /**
   * The median seconds of one {@code [m, k] × [k, n]} product of float32 inputs; with
   * {@code bf16} the inputs are cast to bfloat16 in the graph, multiplied there and the product
   * cast back, so the casts are timed as a mixed-precision model would pay them.
   */
  public static double product(int m, int k, int n, boolean bf16, int warmup, int repeats) {
    if (m < 1 || k < 1 || n < 1) {
      throw new IllegalArgumentException("matrix sizes must be >= 1; got " + m + "x" + k + "x"
          + n);
    }
    SplittableRandom rnd = new SplittableRandom(7);
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 a = random(m, k, rnd); TFloat32 b = random(k, n, rnd)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> y = tf.placeholder(TFloat32.class);
      Operand<TFloat32> product = bf16
          ? tf.dtypes.cast(tf.linalg.matMul(tf.dtypes.cast(x, TBfloat16.class),
              tf.dtypes.cast(y, TBfloat16.class)), TFloat32.class)
          : tf.linalg.matMul(x, y);
      return Timing.medianSeconds(warmup, repeats,
          () -> s.runner().feed(x, a).feed(y, b).addTarget(product).run().close());
    }
  }

  private static TFloat32 random(int rows, int cols, SplittableRandom rnd) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextDouble(-1, 1);
    }
    return TFloat32.tensorOf(Shape.of(rows, cols), DataBuffers.of(v, true, false));
  }
}
