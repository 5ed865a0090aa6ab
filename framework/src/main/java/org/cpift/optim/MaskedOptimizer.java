package org.cpift.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.model.DiffPruning;
import org.cpift.model.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * An optimizer written from primitive TF ops whose updates honour a per-entry freeze mask.
 *
 * <p>Each trainable variable has a boolean mask of its own shape (true = trainable), held on the
 * device in a variable of its own that is set when the freeze changes ({@link #maskSetter},
 * {@link #maskAssign}) rather than fed every step, and kept out of the slots (it is no optimizer
 * state and is not checkpointed). The mask an update reads, {@link #mask}, is that variable's
 * value unless a run feeds one. The mask gates the <em>update</em>: for a
 * frozen entry the parameter and every optimizer slot keep their exact bits ({@code select}, not a
 * multiply), so it gets no gradient step, no weight decay and no drift from moments accumulated
 * while it was trainable. Masking the gradient instead would not freeze an entry under Adam.
 *
 * <p>Structure (after TF Java's {@code Adam}): {@link #build} clips the gradients by their global
 * norm (over trainable entries), then calls {@link #applyMasked} per variable; subclasses create
 * their slots there with {@link #slot} and declare per-step scalars in {@link #stepScalars}.
 * Updates read the clipped gradients, which depend on the gradient of every variable, so no
 * assignment can run before the backward pass has read the old values.
 */
public abstract class MaskedOptimizer {
  protected final OptimizerConfig config;
  private Placeholder<TFloat32> lr;
  private Placeholder<TFloat32> clip;
  private Operand<TFloat32> gradNorm;
  private final List<Operand<TBool>> masks = new ArrayList<>();
  private final List<Placeholder<TBool>> maskSetters = new ArrayList<>();
  private final List<Op> maskAssigns = new ArrayList<>();
  private final List<Op> updates = new ArrayList<>();
  private final Map<String, Variable<TFloat32>> slots = new LinkedHashMap<>();
  private final Map<String, long[]> slotShapes = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> scalars = new LinkedHashMap<>();

  protected MaskedOptimizer(OptimizerConfig config) {
    this.config = config;
  }

  public OptimizerConfig config() {
    return config;
  }

  /** Adds the update ops for {@code vars} given their gradients {@code grads} to the graph. */
  public final void build(Ops tf, List<ModelVariable<TFloat32>> vars, List<Operand<TFloat32>> grads) {
    if (!updates.isEmpty()) {
      throw new IllegalStateException("optimizer already built");
    }
    Ops opt = tf.withSubScope("optimizer");
    lr = opt.withName("lr").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    clip = opt.withName("clip_norm").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    List<Operand<TFloat32>> squares = new ArrayList<>();
    List<Operand<TFloat32>> gateSquares = new ArrayList<>(); // diff pruning's log α, apart
    for (ModelVariable<TFloat32> v : vars) {
      Variable<TBool> held = opt.withName("mask_held_" + v.index()).variable(opt.fill(
          opt.constant(v.shape()), opt.constant(true)));
      Placeholder<TBool> set = opt.withName("mask_set_" + v.index()).placeholder(TBool.class,
          Placeholder.shape(Shape.of(v.shape())));
      maskSetters.add(set);
      maskAssigns.add(opt.assign(held, set));
      Operand<TBool> m = opt.withName("mask_" + v.index()).placeholderWithDefault(held,
          Shape.of(v.shape()));
      masks.add(m);
      Operand<TFloat32> g = grads.get(v.index());
      Operand<TFloat32> gm = opt.math.mul(g, opt.dtypes.cast(m, TFloat32.class));
      (DiffPruning.isGate(v.name()) ? gateSquares : squares).add(
          opt.sum(opt.math.square(gm), opt.constant(allAxes(v.shape().length))));
    }
    gradNorm = opt.withName("grad_norm").math.sqrt(squares.isEmpty() ? opt.constant(0f)
        : opt.math.addN(squares));
    Operand<TFloat32> scale = clipScale(opt, gradNorm);
    // diff pruning's gates train as the authors' do: an Adam of their own at a constant rate,
    // without weight decay, their gradients clipped by their own norm
    Operand<TFloat32> gateNorm = gateSquares.isEmpty() ? null
        : opt.math.sqrt(opt.math.addN(gateSquares));
    Operand<TFloat32> gateScale = gateNorm == null ? null : clipScale(opt, gateNorm);
    Operand<TFloat32> gateLr = gateNorm == null ? null : opt.constant(DiffPruning.GATE_LR);
    // every update must wait for the whole backward pass, which reads every variable (a gate's
    // gradient reads its diff, a diff's its gate): with two norms, each clipped gradient is made
    // to wait for both, else an assignment could race a read of the old value
    Ops clipped = gateNorm == null ? opt
        : opt.withControlDependencies(List.<Op>of(gradNorm, gateNorm));
    for (ModelVariable<TFloat32> v : vars) {
      boolean gate = DiffPruning.isGate(v.name());
      Operand<TFloat32> g = clipped.math.mul(grads.get(v.index()), gate ? gateScale : scale);
      float decay = !gate && v.kind().decays() ? config.weightDecay() : 0f;
      List<Op> assigns = applyMasked(opt, v, g, masks.get(v.index()), gate ? gateLr : lr, decay);
      updates.add(opt.withControlDependencies(assigns).withName("update_" + v.index()).noOp());
    }
  }

  /** min(1, clip / norm): feeding clip = +inf disables clipping. */
  private Operand<TFloat32> clipScale(Ops opt, Operand<TFloat32> norm) {
    return opt.math.minimum(opt.constant(1f),
        opt.math.div(clip, opt.math.maximum(norm, opt.constant(1e-12f))));
  }

  /**
   * Builds the masked update of one variable and returns its assignment ops. {@code mask} is true
   * where the entry is trainable; a frozen entry's parameter and slots must keep their values.
   */
  protected abstract List<Op> applyMasked(Ops tf, ModelVariable<TFloat32> v, Operand<TFloat32> grad,
      Operand<TBool> mask, Operand<TFloat32> lr, float weightDecay);

  /** Values of the per-step scalar placeholders for the {@code t}-th update (1-based). */
  public abstract Map<String, Float> stepScalars(long t);

  /** Creates a zero-initialized slot variable {@code <slot>/<variable name>}. */
  protected final Variable<TFloat32> slot(Ops tf, ModelVariable<TFloat32> v, String slot) {
    String name = slot + "/" + v.name();
    Variable<TFloat32> s = tf.withName(slot + "_" + v.index())
        .variable(tf.fill(tf.constant(v.shape()), tf.constant(0f)));
    slots.put(name, s);
    slotShapes.put(name, v.shape());
    return s;
  }

  /** Declares a per-step scalar placeholder, fed from {@link #stepScalars}. */
  protected final Placeholder<TFloat32> stepScalar(Ops tf, String name) {
    return scalars.computeIfAbsent(name,
        n -> tf.withName(n).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar())));
  }

  /** Selects {@code updated} where trainable and {@code current} where frozen, then assigns. */
  protected static Op assignMasked(Ops tf, Variable<TFloat32> var, Operand<TBool> mask,
      Operand<TFloat32> updated, Operand<TFloat32> current) {
    return tf.assign(var, tf.select(mask, updated, current));
  }

  public Placeholder<TFloat32> lr() {
    return lr;
  }

  public Placeholder<TFloat32> clipNorm() {
    return clip;
  }

  /** Global norm of the (masked) gradients before clipping (diff pruning's gates aside). */
  public Operand<TFloat32> gradNorm() {
    return gradNorm;
  }

  /** The mask the update of a variable reads: the held one, or a value fed for one run. */
  public Operand<TBool> mask(int variableIndex) {
    return masks.get(variableIndex);
  }

  /** Feed a new mask here and run {@link #maskAssign} to change the held one. */
  public Placeholder<TBool> maskSetter(int variableIndex) {
    return maskSetters.get(variableIndex);
  }

  public Op maskAssign(int variableIndex) {
    return maskAssigns.get(variableIndex);
  }

  public Op update(int variableIndex) {
    return updates.get(variableIndex);
  }

  /** Slot variables by name ({@code adam_m/h0/attn/wq}), for checkpoints. */
  public Map<String, Variable<TFloat32>> slots() {
    return Collections.unmodifiableMap(slots);
  }

  public long[] slotShape(String name) {
    return slotShapes.get(name);
  }

  public Map<String, Placeholder<TFloat32>> scalarPlaceholders() {
    return Collections.unmodifiableMap(scalars);
  }

  private static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }
}
