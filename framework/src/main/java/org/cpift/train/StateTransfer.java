package org.cpift.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.cpift.model.ModelVariable;
import org.cpift.optim.MaskedOptimizer;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Moves a {@link ModelSession}'s parameters and optimizer slots between the device and host
 * {@link ParamSnapshot}s: one placeholder and assign op per variable and per slot, built into the
 * graph once, so a load is one session run and a fetch another. Checks names and shapes before
 * anything is written to the device.
 */
final class StateTransfer {
  private final List<ModelVariable<TFloat32>> vars;
  private final MaskedOptimizer optimizer;
  private final List<Placeholder<TFloat32>> loadValues = new ArrayList<>();
  private final List<Op> loadOps = new ArrayList<>();
  private final List<String> slotNames = new ArrayList<>();
  private final List<Placeholder<TFloat32>> slotValues = new ArrayList<>();
  private final List<Op> slotLoadOps = new ArrayList<>();

  /** Adds the load ops for {@code vars} and {@code optimizer}'s slots (null: none) to the graph. */
  StateTransfer(Ops tf, List<ModelVariable<TFloat32>> vars, MaskedOptimizer optimizer) {
    this.vars = vars;
    this.optimizer = optimizer;
    Ops load = tf.withSubScope("load");
    for (ModelVariable<TFloat32> v : vars) {
      Placeholder<TFloat32> ph = load.withName("value_" + v.index()).placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(v.shape())));
      loadValues.add(ph);
      loadOps.add(load.assign(v.variable(), ph));
    }
    if (optimizer != null) {
      for (Map.Entry<String, Variable<TFloat32>> e : optimizer.slots().entrySet()) {
        Placeholder<TFloat32> ph = load.withName("slot_" + slotNames.size()).placeholder(
            TFloat32.class, Placeholder.shape(Shape.of(optimizer.slotShape(e.getKey()))));
        slotNames.add(e.getKey());
        slotValues.add(ph);
        slotLoadOps.add(load.assign(e.getValue(), ph));
      }
    }
  }

  ParamSnapshot parameters(Session session) {
    return fetchAll(session, vars.stream().map(v -> (Operand<TFloat32>) v.variable()).toList(),
        vars.stream().map(ModelVariable::name).toList(),
        vars.stream().map(ModelVariable::shape).toList());
  }

  void loadParameters(Session session, ParamSnapshot snapshot) {
    List<String> names = vars.stream().map(ModelVariable::name).toList();
    if (!new HashSet<>(names).equals(snapshot.names())) {
      throw new CpiftException("loading parameters: parameter names differ; expected " + names
          + " but found " + snapshot.names());
    }
    for (ModelVariable<TFloat32> v : vars) {
      long[] got = snapshot.get(v.name()).shape();
      if (!Arrays.equals(got, v.shape())) {
        throw new CpiftException("loading parameters: parameter " + v.name() + " has shape "
            + Arrays.toString(got) + " but " + Arrays.toString(v.shape()) + " was expected");
      }
    }
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (ModelVariable<TFloat32> v : vars) {
        Param p = snapshot.get(v.name());
        r.feed(loadValues.get(v.index()), own(owned,
            TFloat32.tensorOf(Shape.of(v.shape()), DataBuffers.of(p.data(), true, false))));
        r.addTarget(loadOps.get(v.index()));
      }
      r.run().close();
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  ParamSnapshot optimizerState(Session session) {
    return fetchAll(session,
        slotNames.stream().map(n -> (Operand<TFloat32>) optimizer.slots().get(n)).toList(),
        slotNames, slotNames.stream().map(optimizer::slotShape).toList());
  }

  void loadOptimizerState(Session session, ParamSnapshot state) {
    for (String name : slotNames) {
      Param p = state.get(name);
      if (p == null) {
        throw new CpiftException("optimizer state lacks slot " + name + " (a checkpoint of "
            + "another optimizer?)");
      }
      if (!Arrays.equals(p.shape(), optimizer.slotShape(name))) {
        throw new CpiftException("optimizer state " + p.name() + " has shape "
            + Arrays.toString(p.shape()) + " but " + Arrays.toString(optimizer.slotShape(name))
            + " was expected");
      }
    }
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int i = 0; i < slotNames.size(); i++) {
        Param p = state.get(slotNames.get(i));
        r.feed(slotValues.get(i), own(owned,
            TFloat32.tensorOf(Shape.of(p.shape()), DataBuffers.of(p.data(), true, false))));
        r.addTarget(slotLoadOps.get(i));
      }
      if (!r.isEmpty()) {
        r.run().close();
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static ParamSnapshot fetchAll(Session session, List<Operand<TFloat32>> ops,
      List<String> names, List<long[]> shapes) {
    ParamSnapshot out = new ParamSnapshot();
    if (ops.isEmpty()) {
      return out;
    }
    Session.Runner r = session.runner();
    ops.forEach(r::fetch);
    try (Result res = r.run()) {
      for (int i = 0; i < ops.size(); i++) {
        long[] shape = shapes.get(i);
        float[] data = new float[(int) Param.numElements(shape)];
        ((TFloat32) res.get(i)).copyTo(DataBuffers.of(data, false, false));
        out.put(new Param(names.get(i), shape.clone(), data));
      }
    }
    return out;
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }
}
