package org.cpift.model;

import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * A named trainable variable of the graph. The name ({@code h3/attn/wq}) is stable: snapshots,
 * masks, core regions and checkpoints key on it.
 */
public record ModelVariable<T extends TType>(String name, long[] shape, ParamKind kind,
    Variable<T> variable, int index) {

  public long size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The layer this variable belongs to: {@code h3} for {@code h3/attn/wq}, else its own name. */
  public String layer() {
    int slash = name.indexOf('/');
    return slash < 0 ? name : name.substring(0, slash);
  }
}
