package org.cpift.params;

import java.util.Arrays;

/**
 * One named float32 tensor held on the host: its shape and its values in row-major order.
 *
 * @param name stable variable name, for example {@code h3/attn/wq}
 * @param shape dimensions (empty for a scalar)
 * @param data values, {@code data.length == product(shape)}
 */
public record Param(String name, long[] shape, float[] data) {
  public Param {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("parameter name must not be empty");
    }
    long n = numElements(shape);
    if (n != data.length) {
      throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(shape)
          + " holds " + n + " values but " + data.length + " were given");
    }
  }

  /** Number of elements of a shape; throws on negative dimensions or overflow. */
  public static long numElements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public int size() {
    return data.length;
  }

  /** A deep copy. */
  public Param copy() {
    return new Param(name, shape.clone(), data.clone());
  }

  /** Same name and shape, other values. */
  public Param withData(float[] values) {
    return new Param(name, shape, values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Param p && name.equals(p.name) && Arrays.equals(shape, p.shape)
        && Arrays.equals(data, p.data);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
