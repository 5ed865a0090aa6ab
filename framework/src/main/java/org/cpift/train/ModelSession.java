package org.cpift.train;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.cpift.data.Batch;
import org.cpift.model.ModelConfig;
import org.cpift.model.ModelVariable;
import org.cpift.model.LanguageModel;
import org.cpift.model.DiffPruning;
import org.cpift.model.Lora;
import org.cpift.model.Wemoe;
import org.cpift.optim.MaskedOptimizer;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;
import org.cpift.util.PhaseClock;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A live model: a {@link LanguageModel} graph, its masked optimizer and a TF session. It trains
 * one step at a time, evaluates and predicts; freeze masks are switched with {@link #freeze}
 * without rebuilding the graph. Its other jobs have classes of their own: cached decoding
 * ({@link CachedDecoder}, from {@link #startDecoding}) and moving parameters and optimizer state
 * to and from host {@link ParamSnapshot}s ({@code StateTransfer}, behind {@link #parameters} and
 * its siblings). Not thread-safe; close it to free native memory.
 */
public final class ModelSession implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final LanguageModel<TFloat32> model;
  private final MaskedOptimizer optimizer;
  private final List<ModelVariable<TFloat32>> vars;
  private final StateTransfer state;
  /** The trainable variables, indexed as the optimizer knows them; {@link #optIndex} maps. */
  private final List<ModelVariable<TFloat32>> optVars = new ArrayList<>();
  private final int[] optIndex;
  private final List<Operand<TFloat32>> grads = new ArrayList<>();
  private final boolean[] trainable;
  private final Lora lora;
  private final Wemoe wemoe;
  private final DiffPruning diff;
  private boolean sampleGates = true;
  /** What a step minimizes: the answer loss, or for a WEMoE model the entropy. */
  private final Operand<TFloat32> objective;
  /** The seed the model was built with: with the step, it seeds LoRA dropout's masks. */
  private final long seed;
  private long step;

  /**
   * Refuses LoRA targets that name no matrix of the model (a SwiGLU gate {@code wg} on a GPT),
   * which would otherwise be dropped silently, leaving fewer adapters or none.
   */
  private static void requireTargetsPresent(Lora lora, List<ModelVariable<TFloat32>> vars) {
    java.util.SortedSet<String> present = new java.util.TreeSet<>();
    for (ModelVariable<TFloat32> v : vars) {
      if (!Lora.isLoraTensor(v.name()) && v.name().startsWith("h") && v.shape().length == 2) {
        String last = v.name().substring(v.name().lastIndexOf('/') + 1);
        if (Lora.MATRICES.contains(last)) {
          present.add(last);
        }
      }
    }
    List<String> missing = lora.targets().stream().filter(t -> !present.contains(t)).toList();
    if (!missing.isEmpty()) { // the constructor closes the graph
      throw new IllegalArgumentException("LoRA targets " + missing + " are no matrix of this "
          + "model (its layers have " + present + "): choose --lora-targets among those");
    }
  }

  private ModelSession(ModelConfig config, OptimizerConfig optConfig, long seed, Lora lora,
      Wemoe wemoe) {
    this(config, optConfig, seed, lora, wemoe, null);
  }

  private ModelSession(ModelConfig config, OptimizerConfig optConfig, long seed, Lora lora,
      Wemoe wemoe, DiffPruning diff) {
    this.lora = lora;
    this.wemoe = wemoe;
    this.diff = diff;
    this.seed = seed;
    graph = new Graph();
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.GRAPH)) {
      Ops tf = Ops.create(graph);
      model = LanguageModel.build(tf, config, TFloat32.class, seed, lora, wemoe, diff);
      vars = model.variables();
      if (lora != null) {
        requireTargetsPresent(lora, vars);
      }
      objective = wemoe != null ? model.entropy()
          : diff != null ? tf.math.add(model.loss(), model.penalty()) : model.loss();
      // what trains: every variable, a LoRA model's adapters alone or a WEMoE model's routers
      // alone (no gradient, update or optimizer slot is built for the rest, which stays as
      // loaded)
      optIndex = new int[vars.size()];
      for (ModelVariable<TFloat32> v : vars) {
        boolean trains = lora != null ? Lora.isAdapter(v.name())
            : wemoe != null ? Wemoe.isRouter(v.name())
            : diff == null || DiffPruning.isDiff(v.name());
        if (trains) {
          optIndex[v.index()] = optVars.size();
          optVars.add(new ModelVariable<>(v.name(), v.shape(), v.kind(), v.variable(),
              optVars.size()));
        } else {
          optIndex[v.index()] = -1;
        }
      }
      var g = tf.gradients(objective, optVars.stream().map(ModelVariable::variable).toList());
      for (int i = 0; i < optVars.size(); i++) {
        grads.add(g.dy(i));
      }
      if (optConfig != null) {
        optimizer = optConfig.create();
        optimizer.build(tf, optVars, grads);
      } else {
        optimizer = null;
      }
      state = new StateTransfer(tf, vars, optimizer);
      session = new Session(graph, sessionConfig());
      session.initialize();
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    trainable = new boolean[vars.size()];
    freeze(null);
  }

  /**
   * TensorFlow session options, from system properties (for profiling; the defaults are
   * TensorFlow's): {@code cpift.tf.intraOp} and {@code cpift.tf.interOp} thread-pool sizes,
   * {@code cpift.tf.jit=true} for XLA auto-clustering.
   */
  static ConfigProto sessionConfig() {
    ConfigProto.Builder b = ConfigProto.newBuilder();
    Integer intra = Integer.getInteger("cpift.tf.intraOp");
    if (intra != null) {
      b.setIntraOpParallelismThreads(intra);
    }
    Integer inter = Integer.getInteger("cpift.tf.interOp");
    if (inter != null) {
      b.setInterOpParallelismThreads(inter);
    }
    if (Boolean.getBoolean("cpift.tf.jit")) {
      b.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(OptimizerOptions.newBuilder()
          .setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }

  /** A model initialized from {@code seed}, trainable with {@code optimizer} (null: inference). */
  public static ModelSession create(ModelConfig config, OptimizerConfig optimizer, long seed) {
    return new ModelSession(config, optimizer, seed, null, null);
  }

  /**
   * As above, with LoRA adapters on the matrices {@code lora} targets: its parameters are the
   * base's plus the adapters ({@link Lora#initialize}); train only the adapters with
   * {@code freeze(Lora.frozenBase(...))}.
   */
  public static ModelSession create(ModelConfig config, OptimizerConfig optimizer, long seed,
      Lora lora) {
    return new ModelSession(config, optimizer, seed, lora, null);
  }

  /**
   * A model under {@link DiffPruning}: every tensor θ0 + z⊙w, the diff and gate tensors (alone)
   * trainable, each step minimizing the loss plus the expected-L0 penalty with freshly sampled
   * gates. Load it with {@link DiffPruning#initialize}; {@link DiffPruning#merge} gives the
   * pruned model.
   */
  public static ModelSession createDiffPruning(ModelConfig config, OptimizerConfig optimizer,
      long seed, DiffPruning diff) {
    return new ModelSession(config, optimizer, seed, null, null,
        java.util.Objects.requireNonNull(diff));
  }

  /** The diff pruning this model was built with, or null. */
  public DiffPruning diffPruning() {
    return diff;
  }

  /**
   * Whether a diff-pruning model's training steps sample their gates (the default) or use the
   * deterministic ones (the fixed-mask phase after the projection).
   */
  public void sampleGates(boolean on) {
    sampleGates = on;
  }

  /**
   * A {@link Wemoe} model: every MLP upscaled, its routers (alone) trainable by entropy
   * minimization on the batches' weighted positions ({@link #trainStep} minimizes
   * {@link LanguageModel#entropy}, targets unread). Load it with {@link Wemoe#upscale}.
   */
  public static ModelSession createWemoe(ModelConfig config, OptimizerConfig optimizer, long seed,
      Wemoe wemoe) {
    return new ModelSession(config, optimizer, seed, null, java.util.Objects.requireNonNull(wemoe));
  }

  public ModelConfig config() {
    return model.config();
  }

  /** The LoRA adapters this model was built with, or null. */
  public Lora lora() {
    return lora;
  }

  /** Trainable variables in graph order (names, shapes, kinds). */
  public List<ModelVariable<TFloat32>> variables() {
    return vars;
  }

  /** Number of optimizer steps taken so far. */
  public long step() {
    return step;
  }

  /** The objective (the loss, or a WEMoE model's entropy) and pre-clip gradient norm of one step. */
  public record StepResult(float loss, float gradNorm) {}

  /**
   * One optimizer step on {@code batch} with learning rate {@code lr}: forward, backward, masked
   * update. Returns the loss before the update.
   */
  public StepResult trainStep(Batch batch, float lr) {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.TRAIN)) {
      return step(batch, lr, null);
    }
  }

  /**
   * Where one training step's time goes: the op time of a traced step ({@link #trainStep}, update
   * included), summed per op type as TensorFlow ran it (after its graph rewrites, so fused ops
   * appear as such), in microseconds, with the traced step's wall time.
   */
  public record StepProfile(Map<String, Long> microsByOpType, Map<String, Long> microsByScope,
      long wallMicros, StepResult result) {}

  /** One training step as {@link #trainStep}, traced ({@link StepProfile}). */
  public StepProfile profileStep(Batch batch, float lr) {
    Map<String, Long> byType = new java.util.TreeMap<>();
    Map<String, Long> byScope = new java.util.TreeMap<>();
    long t0 = System.nanoTime();
    StepResult r = step(batch, lr, meta -> {
      for (var dev : meta.getStepStats().getDevStatsList()) {
        for (var node : dev.getNodeStatsList()) {
          byType.merge(opType(node.getNodeName(), node.getTimelineLabel()),
              node.getAllEndRelMicros(), Long::sum);
          byScope.merge(scope(node.getNodeName()), node.getAllEndRelMicros(), Long::sum);
        }
      }
    });
    return new StepProfile(byType, byScope, (System.nanoTime() - t0) / 1000, r);
  }

  /** A node's top name scope, blocks h0, h1, ... as one. */
  private static String scope(String node) {
    int slash = node.indexOf('/');
    String top = slash < 0 ? node : node.substring(0, slash);
    return top.matches("h\\d+") ? "h*" : slash < 0 ? "(top level)" : top;
  }

  /** The op type from a trace's label ({@code "name = Type(inputs)"}), else from the graph. */
  private String opType(String node, String label) {
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq >= 0 && paren > eq) {
      return label.substring(eq + 3, paren);
    }
    var op = graph.operation(node);
    return op != null ? op.type() : node.startsWith("_") ? node : "other";
  }

  private StepResult step(Batch batch, float lr,
      java.util.function.Consumer<org.tensorflow.proto.RunMetadata> trace) {
    requireOptimizer();
    step++;
    float clip = optimizer.config().clipNorm() > 0 ? optimizer.config().clipNorm()
        : Float.POSITIVE_INFINITY;
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      feedBatch(r, batch, owned);
      r.feed(optimizer.lr(), own(owned, TFloat32.scalarOf(lr)));
      r.feed(optimizer.clipNorm(), own(owned, TFloat32.scalarOf(clip)));
      for (Map.Entry<String, Float> e : optimizer.stepScalars(step).entrySet()) {
        r.feed(optimizer.scalarPlaceholders().get(e.getKey()),
            own(owned, TFloat32.scalarOf(e.getValue())));
      }
      for (int i = 0; i < vars.size(); i++) {
        if (trainable[i] && optIndex[i] >= 0) {
          // its mask is on the device since the last freeze
          r.addTarget(optimizer.update(optIndex[i]));
        }
      }
      if (diff != null) {
        // fresh gate noise per step, the same for the same seed and step
        r.feed(model.noiseSeed(), own(owned, org.tensorflow.types.TInt64.vectorOf(seed, step)));
        r.feed(model.diffNoise(), own(owned, TFloat32.scalarOf(sampleGates ? 1f : 0f)));
      }
      if (lora != null && lora.dropout() > 0) {
        // a fresh dropout mask per step, the same for the same seed and step
        r.feed(model.noiseSeed(), own(owned, org.tensorflow.types.TInt64.vectorOf(seed, step)));
        r.feed(model.adapterKeep(), own(owned, TFloat32.scalarOf((float) (1 - lora.dropout()))));
      }
      r.fetch(objective).fetch(optimizer.gradNorm());
      if (trace != null) {
        r.setOptions(org.tensorflow.proto.RunOptions.newBuilder()
            .setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE).build());
      }
      try (Result res = trace != null ? r.runAndFetchMetadata() : r.run()) {
        if (trace != null) {
          trace.accept(res.getMetadata().orElseThrow(() -> new IllegalStateException(
              "TensorFlow returned no run metadata for a traced step")));
        }
        return new StepResult(((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * For each named matrix, the mean over {@code examples} of each example's mean input to that
   * matrix over its own tokens (padding left out): one {@code [in]} vector per matrix, in double.
   * Examples run in batches of {@code batchSize}, without an update.
   */
  public Map<String, double[]> matrixInputMeans(List<org.cpift.data.EncodedExample> examples,
      List<String> names, int batchSize) {
    Map<String, double[]> sums = new java.util.LinkedHashMap<>();
    long counted = examples.stream().filter(e -> e.tokens().length > 1).count();
    if (counted == 0) {
      throw new IllegalArgumentException("no example has a token to average over");
    }
    for (String n : names) {
      if (!model.matrixInputs().containsKey(n)) {
        throw new IllegalArgumentException("the model has no matrix " + n);
      }
    }
    for (int from = 0; from < examples.size(); from += batchSize) {
      List<org.cpift.data.EncodedExample> part = examples.subList(from,
          Math.min(examples.size(), from + batchSize));
      Batch batch = Batch.of(part);
      List<Tensor> owned = new ArrayList<>();
      try {
        Session.Runner r = session.runner();
        feedBatch(r, batch, owned);
        // matrices that share an input (q, k, v) fetch it once
        List<Operand<TFloat32>> fetched = new ArrayList<>();
        int[] at = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
          Operand<TFloat32> x = model.matrixInputs().get(names.get(i));
          int k = fetched.indexOf(x);
          if (k < 0) {
            k = fetched.size();
            fetched.add(x);
            r.fetch(x);
          }
          at[i] = k;
        }
        try (Result res = r.run()) {
          for (int i = 0; i < names.size(); i++) {
            TFloat32 t = (TFloat32) res.get(at[i]);
            int total = Math.toIntExact(t.size());
            float[] v = new float[total];
            t.copyTo(DataBuffers.of(v, false, false));
            int in = total / batch.tokens();
            double[] acc = sums.computeIfAbsent(names.get(i), k -> new double[in]);
            for (int row = 0; row < part.size(); row++) {
              int len = part.get(row).tokens().length - 1; // the positions the example fills
              for (int j = 0; j < len; j++) {
                int from0 = (row * batch.length() + j) * in;
                for (int c = 0; c < in; c++) {
                  acc[c] += (double) v[from0 + c] / len;
                }
              }
            }
          }
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    sums.values().forEach(a -> {
      for (int c = 0; c < a.length; c++) {
        a[c] /= counted; // examples without an input position add nothing and do not count
      }
    });
    return sums;
  }

  /** Σ loss and Σ weight of a batch (no update). */
  public record LossSums(double lossSum, double weightSum) {}

  public LossSums evaluate(Batch batch) {
    List<Tensor> owned = new ArrayList<>();
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.LOSS)) {
      Session.Runner r = session.runner();
      feedBatch(r, batch, owned);
      try (Result res = r.fetch(model.lossSum()).fetch(model.weightSum()).run()) {
        return new LossSums(((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Gradient of the batch's objective (the mean answer loss; a WEMoE model's entropy) with
   * respect to every trainable parameter (every parameter; a LoRA model's adapters; a WEMoE
   * model's routers), no update, no dropout.
   */
  public ParamSnapshot gradients(Batch batch) {
    List<Tensor> owned = new ArrayList<>();
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.TRAIN)) {
      Session.Runner r = session.runner();
      feedBatch(r, batch, owned);
      grads.forEach(r::fetch);
      try (Result res = r.run()) {
        ParamSnapshot out = new ParamSnapshot();
        for (ModelVariable<TFloat32> v : optVars) {
          float[] data = new float[(int) v.size()];
          ((TFloat32) res.get(v.index())).copyTo(DataBuffers.of(data, false, false));
          out.put(new Param(v.name(), v.shape().clone(), data));
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Greedy next token at every position of {@code [b, t]} inputs, row-major. */
  public int[] predict(int[] inputs, int b, int t) {
    try (TInt32 in = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(inputs, true, false));
        Result res = session.runner().feed(model.inputs(), in).fetch(model.predictions()).run()) {
      int[] out = new int[b * t];
      ((TInt32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /** Next-token logits at every position of {@code [b, t]} inputs: {@code [b*t*V]}, row-major. */
  public float[] logits(int[] inputs, int b, int t) {
    try (TInt32 in = TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(inputs, true, false));
        Result res = session.runner().feed(model.inputs(), in).fetch(model.logits()).run()) {
      float[] out = new float[Math.toIntExact((long) b * t * model.config().vocabSize())];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /**
   * Starts cached greedy decoding of {@code b} prompts, right-padded to {@code padded} tokens in
   * {@code inputs} (row-major), row i being {@code promptLength[i]} long. {@code first} receives
   * each row's greedy next token. Close the decoder to free its cache.
   */
  public CachedDecoder startDecoding(int[] inputs, int b, int padded, int[] promptLength,
      int[] first) {
    return CachedDecoder.start(session, model, inputs, b, padded, promptLength, first);
  }

  private void feedBatch(Session.Runner r, Batch batch, List<Tensor> owned) {
    if (batch.length() > model.config().contextLength()) {
      throw new CpiftException("batch sequence length " + batch.length()
          + " exceeds the model's context " + model.config().contextLength());
    }
    Shape s = Shape.of(batch.batchSize(), batch.length());
    r.feed(model.inputs(), own(owned, TInt32.tensorOf(s, DataBuffers.of(batch.inputs(), true, false))));
    r.feed(model.targets(), own(owned, TInt32.tensorOf(s, DataBuffers.of(batch.targets(), true, false))));
    r.feed(model.weights(), own(owned, TFloat32.tensorOf(s, DataBuffers.of(batch.weights(), true, false))));
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  /**
   * Freezes the entries selected by {@code frozen} (null or empty: everything trainable). Frozen
   * entries keep their exact values, and their optimizer slots too, until unfrozen. A variable
   * with every entry frozen is skipped by the update altogether.
   */
  public void freeze(ParamMask frozen) {
    // the host copies live only until the device holds them
    TBool[] masks = new TBool[vars.size()];
    try {
      setMasks(frozen, masks);
    } finally {
      for (TBool m : masks) {
        if (m != null) {
          m.close();
        }
      }
    }
  }

  private void setMasks(ParamMask frozen, TBool[] masks) {
    for (ModelVariable<TFloat32> v : vars) {
      int n = (int) v.size();
      BitSet f = frozen == null ? new BitSet() : frozen.get(v.name());
      if (f.length() > n) {
        throw new CpiftException("freeze mask for " + v.name() + " selects entry " + (f.length() - 1)
            + " but the variable has only " + n + " entries");
      }
      trainable[v.index()] = f.cardinality() < n;
      if (optIndex[v.index()] >= 0) {
        boolean[] m = new boolean[n];
        for (int j = 0; j < n; j++) {
          m[j] = !f.get(j);
        }
        masks[v.index()] = TBool.tensorOf(Shape.of(v.shape()), DataBuffers.of(m, true, false));
      }
    }
    if (optimizer != null) {
      // one run sets every trainable variable's mask on the device; the steps then read it there
      Session.Runner r = session.runner();
      for (ModelVariable<TFloat32> v : vars) {
        if (optIndex[v.index()] >= 0) {
          r.feed(optimizer.maskSetter(optIndex[v.index()]), masks[v.index()]);
          r.addTarget(optimizer.maskAssign(optIndex[v.index()]));
        }
      }
      r.run().close();
    }
    if (frozen != null) {
      for (String name : frozen.names()) {
        if (vars.stream().noneMatch(v -> v.name().equals(name))) {
          throw new CpiftException("freeze mask names unknown parameter '" + name + "'");
        }
      }
    }
  }

  /** Copies the model's parameters to the host. */
  public ParamSnapshot parameters() {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.WEIGHTS)) {
      return state.parameters(session);
    }
  }

  /** Sets the model's parameters; names and shapes must match exactly. */
  public void loadParameters(ParamSnapshot snapshot) {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.WEIGHTS)) {
      state.loadParameters(session, snapshot);
    }
  }

  /** Optimizer slots ({@code adam_m/<name>}, ...) as a snapshot, for checkpoints. */
  public ParamSnapshot optimizerState() {
    requireOptimizer();
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.WEIGHTS)) {
      return state.optimizerState(session);
    }
  }

  /** Restores optimizer slots and the step count from a checkpoint. */
  public void loadOptimizerState(ParamSnapshot snapshot, long stepCount) {
    requireOptimizer();
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.WEIGHTS)) {
      state.loadOptimizerState(session, snapshot);
    }
    this.step = stepCount;
  }

  private void requireOptimizer() {
    if (optimizer == null) {
      throw new IllegalStateException("this ModelSession was created without an optimizer");
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
