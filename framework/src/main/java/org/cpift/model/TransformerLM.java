package org.cpift.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Decoder-only transformer language model as a TensorFlow graph (GPT-2 layout, after nanoGPT):
 * token + position embedding, {@code nLayers} pre-norm blocks of causal multi-head self-attention
 * and a GELU MLP, a final norm, and an output head tied to the token embedding.
 *
 * <p>Inputs are fed per run: {@code inputs} and {@code targets} as {@code [B, T]} token ids
 * ({@code T <= contextLength}), {@code weights} {@code [B, T]} as the loss weight of each target
 * (1 for answer tokens, 0 for prompt and padding). The SFT loss is
 * {@code L = Σ w·(−log p(target)) / max(Σ w, 1)}, the mean cross-entropy per answer token.
 *
 * <p>Variables are named {@code wte, wpe, h{i}/ln1/g, h{i}/ln1/b, h{i}/attn/{wq,wk,wv,wo},
 * h{i}/attn/{bq,bk,bv,bo}, h{i}/ln2/{g,b}, h{i}/mlp/{w1,b1,w2,b2}, ln_f/{g,b}}. Initialization uses
 * stateless random ops seeded by (seed, variable index), so one seed gives identical weights.
 *
 * <p>The graph avoids {@code Rsqrt} (its gradient crashes the JVM in TF Java 1.1.0) and
 * {@code SparseSoftmaxCrossEntropyWithLogits} (no gradient): norms use {@code pow(x, -0.5)} and
 * the loss uses log-softmax with a one-hot target.
 *
 * @param <T> float type of the graph: {@code TFloat32} for training, {@code TFloat64} for
 *     gradient checks
 */
public final class TransformerLM<T extends TFloating> implements LanguageModel<T> {
  /** An odd 64-bit constant (2⁶⁴/φ) that spreads dropout sites over the seed's first word. */
  private static final long SITE_STRIDE = 0x9E3779B97F4A7C15L;

  public final ModelConfig config;
  public final Class<T> dtype;
  /** {@code [B, T]} input token ids. */
  public final Placeholder<TInt32> inputs;
  /** {@code [B, T]} target token ids (inputs shifted left by one). */
  public final Placeholder<TInt32> targets;
  /** {@code [B, T]} loss weight of each target. */
  public final Placeholder<T> weights;
  /** {@code [B*T, V]} next-token logits. */
  public final Operand<T> logits;
  /** Σ w·nll over the batch. */
  public final Operand<T> lossSum;
  /** Σ w over the batch (number of answer tokens). */
  public final Operand<T> weightSum;
  /** Mean answer-token cross-entropy, the training loss. */
  public final Operand<T> loss;
  /**
   * Mean entropy of the next-token distribution over the weighted positions,
   * {@code Σ w·H(p) / max(Σ w, 1)}: the unsupervised objective of test-time adaptation
   * ({@link Wemoe}'s router).
   */
  public final Operand<T> entropy;
  /** {@code [B, T]} greedy next token at every position. */
  public final Operand<TInt32> predictions;
  /**
   * Per layer, the keys and values of the full forward, {@code [B, nh, T, hs]}: the cache a
   * {@link Decode} step continues from.
   */
  public final List<Operand<T>> keys = new ArrayList<>();
  public final List<Operand<T>> values = new ArrayList<>();
  /** One cached decoding step (see {@link Decode}). */
  public final Decode<T> decode;

  /**
   * The graph of one greedy decoding step with a key/value cache, sharing the model's variables.
   * Feeds: {@code tokens [B]} (the newest token of each row), {@code positions [B]} (its position),
   * {@code bias [B, P+1]} (0 for cache slots the row may attend to, −1e9 for padding slots; the
   * last slot is the new token's), and per layer {@code pastKeys}, {@code pastValues}
   * {@code [B, nh, P, hs]}. Fetches: {@code next [B]}, the greedy token after the new one, and per
   * layer the extended caches {@code [B, nh, P+1, hs]}.
   */
  public record Decode<T extends TFloating>(Placeholder<TInt32> tokens,
      Placeholder<TInt32> positions, Placeholder<T> bias, List<Placeholder<T>> pastKeys,
      List<Placeholder<T>> pastValues, Operand<TInt32> next, List<Operand<T>> newKeys,
      List<Operand<T>> newValues) {}

  private final Ops tf;
  private final long seed;
  private final Lora lora;
  private final Wemoe wemoe;
  /** LoRA dropout's feeds (null without it): the step's seed pair and the keep probability. */
  private Operand<TInt64> noiseSeed;
  private Operand<T> adapterKeep;
  private int dropoutSites;

  private final List<ModelVariable<T>> variables = new ArrayList<>();
  private final Map<String, Ops> scopes = new HashMap<>();
  /** What the graph uses for each variable (itself, or θ0 + z⊙w under diff pruning). */
  private final Map<String, Operand<T>> effective = new HashMap<>();
  /** The first (full-forward) input of each linear layer's matrix, by the matrix's name. */
  private final Map<String, Operand<T>> matrixInputs = new java.util.LinkedHashMap<>();
  /** Model variables registered so far, diff tensors not counted: the next one's seed index. */
  private int seeded;
  private final DiffPruning diff;
  private final List<Operand<T>> penaltyTerms = new ArrayList<>();
  private Operand<T> diffNoise;
  /** λ·Σ expected open gates under diff pruning, else null. */
  private Operand<T> penalty;

  /** Builds the model into {@code tf}'s graph, initialized from {@code seed}. */
  public TransformerLM(Ops tf, ModelConfig config, Class<T> dtype, long seed) {
    this(tf, config, dtype, seed, null);
  }

  /**
   * As above, with LoRA factors beside the matrices {@code lora} targets (null: none): such a
   * matrix enters the graph as {@code W + (α/r)·A·B} ({@link Lora}).
   */
  public TransformerLM(Ops tf, ModelConfig config, Class<T> dtype, long seed, Lora lora) {
    this(tf, config, dtype, seed, lora, null);
  }

  /**
   * As above, with every MLP upscaled into a {@link Wemoe} module (null: none); not together
   * with LoRA.
   */
  public TransformerLM(Ops tf, ModelConfig config, Class<T> dtype, long seed, Lora lora,
      Wemoe wemoe) {
    this(tf, config, dtype, seed, lora, wemoe, null);
  }

  /**
   * As above, under {@link DiffPruning} (null: none): every variable enters the graph as
   * {@code θ0 + z⊙w}; not together with LoRA or WEMoE.
   */
  public TransformerLM(Ops tf, ModelConfig config, Class<T> dtype, long seed, Lora lora,
      Wemoe wemoe, DiffPruning diff) {
    if ((lora != null ? 1 : 0) + (wemoe != null ? 1 : 0) + (diff != null ? 1 : 0) > 1) {
      throw new IllegalArgumentException("a model has at most one of LoRA adapters, WEMoE MLPs "
          + "and diff pruning");
    }
    this.diff = diff;
    this.tf = tf;
    this.config = config;
    this.lora = lora;
    this.wemoe = wemoe;
    this.dtype = dtype;
    this.seed = seed;
    int d = config.dModel();
    int v = config.vocabSize();

    inputs = tf.withName("inputs").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1, -1)));
    targets = tf.withName("targets").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1, -1)));
    weights = tf.withName("weights").placeholder(dtype, Placeholder.shape(Shape.of(-1, -1)));
    Operand<TInt32> shape = tf.shape(inputs);
    Operand<TInt32> b = tf.stridedSlice(shape, Indices.at(0));
    Operand<TInt32> t = tf.stridedSlice(shape, Indices.at(1));

    Operand<T> wte = normal("wte", ParamKind.TOKEN_EMBEDDING, config.initStd(), v, d);
    Operand<T> wpe = config.rotary() ? null : normal("wpe", ParamKind.POSITION_EMBEDDING,
        config.initStd(), config.contextLength(), d);

    Operand<T> tok = tf.gather(wte, inputs, tf.constant(0));                // [B, T, d]
    Operand<T> x;
    Rope<T> rope = null;
    if (wpe != null) {
      Operand<T> pos = tf.slice(wpe, tf.constant(new int[] {0, 0}),
          tf.stack(List.of(t, tf.constant(-1))));                           // [T, d]
      x = tf.reshape(tf.math.add(tok, pos), tf.constant(new int[] {-1, d})); // [B*T, d]
    } else {
      x = tf.reshape(tok, tf.constant(new int[] {-1, d}));
      rope = rope(tf.range(tf.constant(0), t, tf.constant(1)), false);     // [T, hs]
    }
    Operand<T> causal = causalBias(t);                                      // [T, T]

    float residualStd = (float) (config.initStd() / Math.sqrt(2.0 * config.nLayers()));
    for (int layer = 0; layer < config.nLayers(); layer++) {
      Block<T> blk = block("h" + layer, x, b, t, null, null, causal, rope, residualStd);
      x = blk.out();
      keys.add(blk.k());
      values.add(blk.v());
    }
    x = norm("ln_f", x);
    head = config.arch().tiedHead() ? wte
        : normal("lm_head", ParamKind.HEAD, config.initStd(), v, d);

    logits = tf.linalg.matMul(x, head, MatMul.transposeB(true));           // [B*T, V]
    Operand<T> logp = tf.nn.logSoftmax(logits);
    Operand<T> onehot = tf.oneHot(tf.reshape(targets, tf.constant(new int[] {-1})),
        tf.constant(v), scalar(1), scalar(0));                              // [B*T, V]
    Operand<T> nll = tf.math.neg(tf.sum(tf.math.mul(logp, onehot), tf.constant(1))); // [B*T]
    Operand<T> w = tf.reshape(weights, tf.constant(new int[] {-1}));
    lossSum = tf.withName("loss_sum").sum(tf.math.mul(nll, w), tf.constant(0));
    weightSum = tf.withName("weight_sum").sum(w, tf.constant(0));
    loss = tf.withName("loss").math.div(lossSum, tf.math.maximum(weightSum, scalar(1)));
    Operand<T> h = tf.math.neg(tf.sum(tf.math.mul(tf.math.exp(logp), logp), tf.constant(1)));
    entropy = tf.withName("entropy").math.div(tf.sum(tf.math.mul(h, w), tf.constant(0)),
        tf.math.maximum(weightSum, scalar(1)));
    predictions = tf.reshape(tf.math.argMax(logits, tf.constant(1), TInt32.class),
        tf.stack(List.of(b, t)));
    decode = buildDecode(wte, wpe, residualStd);
    if (diff != null) {
      penalty = tf.withName("l0_penalty").math.mul(tf.math.addN(penaltyTerms),
          scalar(diff.l0Weight()));
    }
  }

  /** The output head {@code [V, d]}: the token embedding, or {@code lm_head} when untied. */
  private Operand<T> head;

  /** The cached decoding step; every variable is the full forward's (looked up by name). */
  private Decode<T> buildDecode(Operand<T> wte, Operand<T> wpe, float residualStd) {
    int nkv = config.kvHeads();
    int hs = config.headSize();
    Ops dt = tf.withSubScope("decode");
    Placeholder<TInt32> tokens = dt.withName("tokens").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1)));
    Placeholder<TInt32> positions = dt.withName("positions").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1)));
    Placeholder<T> bias = dt.withName("bias").placeholder(dtype, Placeholder.shape(Shape.of(-1, -1)));
    Operand<TInt32> b = tf.stridedSlice(tf.shape(tokens), Indices.at(0));
    Operand<TInt32> one = tf.constant(1);
    Operand<T> x = tf.gather(wte, tokens, tf.constant(0));                 // [B, d]
    Rope<T> rope = null;
    if (wpe != null) {
      x = tf.math.add(x, tf.gather(wpe, positions, tf.constant(0)));
    } else {
      rope = rope(positions, true);                                         // [B, 1, 1, hs]
    }
    Operand<T> slotBias = tf.expandDims(tf.expandDims(bias, one), one);     // [B, 1, 1, P+1]
    List<Placeholder<T>> pastK = new ArrayList<>();
    List<Placeholder<T>> pastV = new ArrayList<>();
    List<Operand<T>> newK = new ArrayList<>();
    List<Operand<T>> newV = new ArrayList<>();
    for (int layer = 0; layer < config.nLayers(); layer++) {
      Placeholder<T> pk = dt.withName("past_k" + layer).placeholder(dtype,
          Placeholder.shape(Shape.of(-1, nkv, -1, hs)));
      Placeholder<T> pv = dt.withName("past_v" + layer).placeholder(dtype,
          Placeholder.shape(Shape.of(-1, nkv, -1, hs)));
      Block<T> blk = block("h" + layer, x, b, one, pk, pv, slotBias, rope, residualStd);
      x = blk.out();
      pastK.add(pk);
      pastV.add(pv);
      newK.add(blk.k());
      newV.add(blk.v());
    }
    Operand<T> out = tf.linalg.matMul(norm("ln_f", x), head, MatMul.transposeB(true)); // [B, V]
    Operand<TInt32> next = dt.withName("next").math.argMax(out, tf.constant(1), TInt32.class);
    return new Decode<>(tokens, positions, bias, pastK, pastV, next, newK, newV);
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public Placeholder<TInt32> inputs() {
    return inputs;
  }

  @Override
  public Placeholder<TInt32> targets() {
    return targets;
  }

  @Override
  public Placeholder<T> weights() {
    return weights;
  }

  @Override
  public Operand<T> logits() {
    return logits;
  }

  @Override
  public Operand<T> lossSum() {
    return lossSum;
  }

  @Override
  public Operand<T> weightSum() {
    return weightSum;
  }

  @Override
  public Operand<T> loss() {
    return loss;
  }

  @Override
  public Operand<TInt64> noiseSeed() {
    return noiseSeed;
  }

  @Override
  public Operand<T> adapterKeep() {
    return adapterKeep;
  }

  @Override
  public Map<String, Operand<T>> matrixInputs() {
    return java.util.Collections.unmodifiableMap(matrixInputs);
  }

  @Override
  public Operand<T> diffNoise() {
    return diffNoise;
  }

  @Override
  public Operand<T> penalty() {
    return penalty;
  }

  @Override
  public Operand<T> entropy() {
    return entropy;
  }

  @Override
  public Operand<TInt32> predictions() {
    return predictions;
  }

  @Override
  public List<Operand<T>> keys() {
    return Collections.unmodifiableList(keys);
  }

  @Override
  public List<Operand<T>> values() {
    return Collections.unmodifiableList(values);
  }

  @Override
  public Decode<T> decode() {
    return decode;
  }

  /** The trainable variables in creation order. */
  @Override
  public List<ModelVariable<T>> variables() {
    return Collections.unmodifiableList(variables);
  }

  /** A block's output {@code [B*T, d]} and its attention's keys and values {@code [B, nh, P+T, hs]}. */
  private record Block<T extends TFloating>(Operand<T> out, Operand<T> k, Operand<T> v) {}

  /**
   * One pre-norm transformer block, x + attn(ln1(x)), then + mlp(ln2(·)), over T new positions of
   * each of B rows: the training forward (T = the sequence, no past) and a cached decoding step
   * (T = 1, after the P positions whose keys and values are {@code pastK}, {@code pastV}) are the
   * same code. {@code bias} is added to the scaled scores {@code [B, nh, T, P+T]} before softmax:
   * the causal mask, or the decoding step's padding mask. Variables are created on the first path
   * through the model and looked up on later ones.
   */
  private Block<T> block(String h, Operand<T> x, Operand<TInt32> b, Operand<TInt32> t,
      Operand<T> pastK, Operand<T> pastV, Operand<T> bias, Rope<T> rope, float residualStd) {
    int d = config.dModel();
    int nh = config.nHeads();
    int nkv = config.kvHeads();
    int hs = config.headSize();
    boolean qkvBias = config.arch().bias() != ModelConfig.Bias.NONE;
    boolean outBias = config.arch().bias() == ModelConfig.Bias.ALL;
    String s = h + "/attn";
    Operand<T> hn = norm(h + "/ln1", x);
    Operand<T> q = heads(adaptedLinear(hn, s + "/wq", ParamKind.ATTENTION, config.initStd(), d, d,
        () -> qkvBias ? zeros(s + "/bq", d) : null), b, t, nh);           // [B, nh, T, hs]
    Operand<T> k = heads(adaptedLinear(hn, s + "/wk", ParamKind.ATTENTION, config.initStd(), d,
        (long) nkv * hs, () -> qkvBias ? zeros(s + "/bk", (long) nkv * hs) : null), b, t, nkv);
    Operand<T> v = heads(adaptedLinear(hn, s + "/wv", ParamKind.ATTENTION, config.initStd(), d,
        (long) nkv * hs, () -> qkvBias ? zeros(s + "/bv", (long) nkv * hs) : null), b, t, nkv);
    if (rope != null) {
      q = rope.apply(q);
      k = rope.apply(k);
    }
    if (pastK != null) {
      k = tf.concat(List.of(pastK, k), tf.constant(2));                    // [B, nkv, P+T, hs]
      v = tf.concat(List.of(pastV, v), tf.constant(2));
    }
    Operand<T> att = tf.train.batchMatMul(q, repeatKv(k, b), dtype,
        BatchMatMul.adjY(true));                                            // [B, nh, T, P+T]
    att = tf.math.add(tf.math.mul(att, scalar(1.0 / Math.sqrt(hs))), bias);
    att = tf.nn.softmax(att);
    Operand<T> y = tf.train.batchMatMul(att, repeatKv(v, b), dtype);        // [B, nh, T, hs]
    y = tf.linalg.transpose(y, tf.constant(new int[] {0, 2, 1, 3}));       // [B, T, nh, hs]
    y = tf.reshape(y, tf.constant(new int[] {-1, nh * hs}));                // [B*T, d]
    x = tf.math.add(x, adaptedLinear(y, s + "/wo", ParamKind.ATTENTION, residualStd, d, d,
        () -> outBias ? zeros(s + "/bo", d) : null));
    x = tf.math.add(x, mlp(h + "/mlp", norm(h + "/ln2", x), residualStd));
    return new Block<>(x, k, v);
  }

  /**
   * Grouped-query attention: each of the {@code kvHeads} key/value heads serves
   * {@code nHeads / kvHeads} consecutive query heads ({@code [B, nkv, S, hs]} → {@code [B, nh, S,
   * hs]}); the identity when every query head has its own.
   */
  private Operand<T> repeatKv(Operand<T> x, Operand<TInt32> b) {
    int rep = config.nHeads() / config.kvHeads();
    if (rep == 1) {
      return x;
    }
    Operand<T> e = tf.tile(tf.expandDims(x, tf.constant(2)),
        tf.constant(new int[] {1, 1, rep, 1, 1}));                          // [B, nkv, rep, S, hs]
    return tf.reshape(e, tf.stack(List.of(b, tf.constant(config.nHeads()), tf.constant(-1),
        tf.constant(config.headSize()))));
  }

  /**
   * Rotary position embedding (Su et al. 2021, in the Llama layout: the two halves of each head
   * rotated together): x·cos + rotate_half(x)·sin with angles position·θ^(−2j/hs).
   */
  private record Rope<T extends TFloating>(Ops tf, Operand<T> cos, Operand<T> sin, int half) {
    Operand<T> apply(Operand<T> x) {
      var parts = tf.split(tf.constant(-1), x, 2L);
      Operand<T> rotated = tf.concat(List.of(tf.math.neg(parts.output().get(1)),
          parts.output().get(0)), tf.constant(-1));
      return tf.math.add(tf.math.mul(x, cos), tf.math.mul(rotated, sin));
    }
  }

  /** cos and sin of the angles of {@code positions}: {@code [T, hs]}, or {@code [B, 1, 1, hs]} per row. */
  private Rope<T> rope(Operand<TInt32> positions, boolean perRow) {
    int hs = config.headSize();
    float[] inv = new float[hs / 2];
    for (int j = 0; j < inv.length; j++) {
      inv[j] = (float) (1.0 / Math.pow(config.arch().ropeTheta(), (2.0 * j) / hs));
    }
    Operand<T> angles = tf.math.mul(tf.expandDims(tf.dtypes.cast(positions, dtype),
        tf.constant(-1)), tf.dtypes.cast(tf.constant(inv), dtype));         // [N, hs/2]
    Operand<T> emb = tf.concat(List.of(angles, angles), tf.constant(-1));  // [N, hs]
    Operand<T> cos = tf.math.cos(emb);
    Operand<T> sin = tf.math.sin(emb);
    if (perRow) {
      Operand<TInt32> shape = tf.constant(new int[] {-1, 1, 1, hs});
      cos = tf.reshape(cos, shape);
      sin = tf.reshape(sin, shape);
    }
    return new Rope<>(tf, cos, sin, hs / 2);
  }

  /** {@code [B*T, n·hs]} → {@code [B, n, T, hs]}. */
  private Operand<T> heads(Operand<T> x, Operand<TInt32> b, Operand<TInt32> t, int n) {
    Operand<T> r = tf.reshape(x, tf.stack(List.of(b, t, tf.constant(n),
        tf.constant(config.headSize()))));                                  // [B, T, n, hs]
    return tf.linalg.transpose(r, tf.constant(new int[] {0, 2, 1, 3}));
  }

  private Operand<T> mlp(String s, Operand<T> x, float residualStd) {
    int d = config.dModel();
    int m = config.mlpWidth();
    if (wemoe != null) {
      return routedMlp(s, x, residualStd);
    }
    if (config.activation() == ModelConfig.Activation.SWIGLU) {
      Operand<T> gate = adaptedLinear(x, s + "/wg", ParamKind.MLP, config.initStd(), d, m,
          () -> null);
      Operand<T> up = adaptedLinear(x, s + "/w1", ParamKind.MLP, config.initStd(), d, m,
          () -> null);
      Operand<T> silu = tf.math.mul(gate, tf.math.sigmoid(gate));
      return adaptedLinear(tf.math.mul(silu, up), s + "/w2", ParamKind.MLP, residualStd, m, d,
          () -> null);
    }
    boolean bias = config.arch().bias() == ModelConfig.Bias.ALL;
    Operand<T> hid = adaptedLinear(x, s + "/w1", ParamKind.MLP, config.initStd(), d, m,
        () -> bias ? zeros(s + "/b1", m) : null);                           // [B*T, m]
    hid = gelu(hid);
    return adaptedLinear(hid, s + "/w2", ParamKind.MLP, residualStd, m, d,
        () -> bias ? zeros(s + "/b2", d) : null);
  }

  /**
   * A {@link Wemoe} MLP: the router's weights {@code g [R, N]} from the MLP's input, then each
   * linear map with weights {@code W0 + Σ g_i·τ_i} per row.
   */
  private Operand<T> routedMlp(String s, Operand<T> x, float residualStd) {
    int d = config.dModel();
    int m = config.mlpWidth();
    String block = s.substring(0, s.lastIndexOf('/'));
    int n = wemoe.experts();
    Operand<T> hid = linear(x, normal(Wemoe.router(block, "w1"), ParamKind.ROUTER,
        Wemoe.ROUTER_INIT_STD, d, d), constantInit(Wemoe.router(block, "b1"), ParamKind.ROUTER,
        0f, d));
    Operand<T> gate = linear(tf.nn.relu(hid), normal(Wemoe.router(block, "w2"), ParamKind.ROUTER,
        Wemoe.ROUTER_INIT_STD, d, n), constantInit(Wemoe.router(block, "b2"), ParamKind.ROUTER,
        (float) wemoe.initLambda(), n));                                    // [R, N]
    if (config.activation() == ModelConfig.Activation.SWIGLU) {
      Operand<T> g = routedLinear(x, gate, s + "/wg", null, config.initStd(), d, m);
      Operand<T> up = routedLinear(x, gate, s + "/w1", null, config.initStd(), d, m);
      Operand<T> silu = tf.math.mul(g, tf.math.sigmoid(g));
      return routedLinear(tf.math.mul(silu, up), gate, s + "/w2", null, residualStd, m, d);
    }
    boolean bias = config.arch().bias() == ModelConfig.Bias.ALL;
    Operand<T> h = gelu(routedLinear(x, gate, s + "/w1", bias ? s + "/b1" : null,
        config.initStd(), d, m));
    return routedLinear(h, gate, s + "/w2", bias ? s + "/b2" : null, residualStd, m, d);
  }

  /**
   * {@code x·W0 + b0 + Σ_i g_i·(x·τ_i + τb_i)} for rows x {@code [R, in]} and their routing
   * weights g {@code [R, N]}: the N task-vector products as one matmul on the concatenated
   * task vectors {@code [in, N·out]}.
   */
  private Operand<T> routedLinear(Operand<T> x, Operand<T> gate, String w, String b, float std,
      long in, long out) {
    int n = wemoe.experts();
    Operand<T> y = linear(x, normal(w, ParamKind.MLP, std, in, out),
        b == null ? null : zeros(b, out));
    List<Operand<T>> tw = new ArrayList<>();
    List<Operand<T>> tb = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tw.add(constantInit(Wemoe.taskVector(w, i), ParamKind.TASK_VECTOR, 0f, in, out));
      if (b != null) {
        tb.add(constantInit(Wemoe.taskVector(b, i), ParamKind.TASK_VECTOR, 0f, out));
      }
    }
    Operand<T> all = tf.linalg.matMul(x, tf.concat(tw, tf.constant(1)));  // [R, N·out]
    if (b != null) {
      all = tf.math.add(all, tf.concat(tb, tf.constant(0)));
    }
    all = tf.reshape(all, tf.constant(new int[] {-1, n, (int) out}));     // [R, N, out]
    Operand<T> mixed = tf.sum(tf.math.mul(all, tf.expandDims(gate, tf.constant(-1))),
        tf.constant(1));                                                    // [R, out]
    return tf.math.add(y, mixed);
  }

  /**
   * Exact GELU x·Φ(x) = 0.5·x·(1 + erf(x/√2)); or GPT-2's tanh form
   * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
   */
  private Operand<T> gelu(Operand<T> x) {
    if (config.activation() == ModelConfig.Activation.GELU_TANH) {
      Operand<T> inner = tf.math.mul(tf.math.add(x, tf.math.mul(scalar(0.044715),
          tf.math.mul(tf.math.mul(x, x), x))), scalar(Math.sqrt(2 / Math.PI)));
      return tf.math.mul(tf.math.mul(x, tf.math.add(scalar(1), tf.math.tanh(inner))),
          scalar(0.5));
    }
    Operand<T> phi = tf.math.add(scalar(1), tf.math.erf(tf.math.mul(x, scalar(Math.sqrt(0.5)))));
    return tf.math.mul(tf.math.mul(x, phi), scalar(0.5));
  }

  private Operand<T> linear(Operand<T> x, Operand<T> w, Operand<T> bias) {
    Operand<T> y = tf.linalg.matMul(x, w);
    return bias == null ? y : tf.math.add(y, bias);
  }

  /** LayerNorm (x−μ)/√(σ²+ε)·g + b, or RMSNorm x/√(mean(x²)+ε)·g, over the last axis. */
  private Operand<T> norm(String s, Operand<T> x) {
    int d = config.dModel();
    Operand<T> g = constantInit(s + "/g", ParamKind.NORM, 1f, d);
    Operand<TInt32> axis = tf.constant(new int[] {-1});
    Operand<T> eps = scalar(config.normEps());
    Operand<T> minusHalf = scalar(-0.5);
    if (config.norm() == ModelConfig.Norm.RMS) {
      Operand<T> ms = tf.math.mean(tf.math.square(x), axis,
          org.tensorflow.op.math.Mean.keepDims(true));
      return tf.math.mul(tf.math.mul(x, tf.math.pow(tf.math.add(ms, eps), minusHalf)), g);
    }
    Operand<T> bias = constantInit(s + "/b", ParamKind.NORM, 0f, d);
    Operand<T> mu = tf.math.mean(x, axis, org.tensorflow.op.math.Mean.keepDims(true));
    Operand<T> xc = tf.math.sub(x, mu);
    Operand<T> var = tf.math.mean(tf.math.square(xc), axis,
        org.tensorflow.op.math.Mean.keepDims(true));
    return tf.math.add(tf.math.mul(tf.math.mul(xc, tf.math.pow(tf.math.add(var, eps), minusHalf)),
        g), bias);
  }

  /**
   * {@code [T, T]} additive mask for the batch's length T: 0 where key ≤ query, −1e9 above the
   * diagonal. Built from T in the graph, not held as a {@code [ctx, ctx]} constant (64 MB at a
   * context of 4,096).
   */
  private Operand<T> causalBias(Operand<TInt32> t) {
    Operand<TInt32> idx = tf.range(tf.constant(0), t, tf.constant(1));    // [T]
    Operand<TBool> above = tf.math.greater(tf.expandDims(idx, tf.constant(0)),
        tf.expandDims(idx, tf.constant(1)));                                // [T, T]: key > query
    return tf.math.mul(tf.dtypes.cast(above, dtype), scalar(-1e9));
  }

  private Operand<T> scalar(double value) {
    return tf.dtypes.cast(tf.constant(value), dtype);
  }

  private Operand<T> normal(String name, ParamKind kind, float std, long... shape) {
    if (effective.containsKey(name)) {
      return effective.get(name); // a second path through the model (decoding) reuses it
    }
    Ops scope = scopeOf(name);
    Operand<TInt64> seedPair = tf.constant(new long[] {seed, seeded});
    Operand<T> init = tf.math.mul(
        tf.random.statelessTruncatedNormal(tf.constant(shape), seedPair, dtype), scalar(std));
    return register(name, kind, scope.withName(leaf(name)).variable(init), shape);
  }

  /**
   * A matrix {@code [in, out]}: its variable, or with LoRA on it {@code W + (α/r)·A·B} with
   * {@code A [in, r]} and {@code B [r, out]} variables of their own ({@link Lora#initialize}
   * gives them their starting values; here A starts seeded like any matrix and B at zero).
   */
  private Operand<T> adaptedLinear(Operand<T> x, String name, ParamKind kind, float std, long in,
      long out, java.util.function.Supplier<Operand<T>> bias) {
    // variables are created in the order W, A, B, bias (their seeds follow that order)
    matrixInputs.putIfAbsent(name, x);
    Operand<T> w = normal(name, kind, std, in, out);
    if (lora == null || !lora.targets(name)) {
      return linear(x, w, bias.get());
    }
    Operand<T> a = normal(Lora.a(name), ParamKind.ADAPTER, (float) (1 / Math.sqrt(in)), in,
        lora.rank());
    Operand<T> bf = constantInit(Lora.b(name), ParamKind.ADAPTER, 0f, lora.rank(), out);
    if (lora.keepMasks()) {
      // W + K ⊙ (α/r)·A·B, K constant: zero at frozen entries, whose W then stays as it is
      Operand<T> k = constantInit(Lora.keep(name), ParamKind.ADAPTER, 1f, in, out);
      Operand<T> delta = tf.math.mul(tf.math.mul(tf.linalg.matMul(a, bf), scalar(lora.scale())), k);
      if (lora.dropout() == 0) {
        return linear(x, tf.math.add(w, delta), bias.get());
      }
      return tf.math.add(linear(x, w, bias.get()), tf.linalg.matMul(adapterDropout(x), delta));
    }
    if (lora.dropout() == 0) {
      return linear(x, tf.math.add(w, tf.math.mul(tf.linalg.matMul(a, bf),
          scalar(lora.scale()))), bias.get());
    }
    // with dropout the adapters see a dropped-out input: x·W + (α/r)·(drop(x)·A)·B
    Operand<T> y = linear(x, w, bias.get());
    Operand<T> xa = tf.linalg.matMul(adapterDropout(x), a);
    return tf.math.add(y, tf.math.mul(tf.linalg.matMul(xa, bf), scalar(lora.scale())));
  }

  /**
   * {@code x·m/keep} with m Bernoulli(keep) per entry, drawn statelessly from {@link #noiseSeed}
   * (the run's seed, the step) with this call site's index mixed into the first word, so that no
   * two adapters share a mask at any pair of steps; the identity when {@link #adapterKeep} is
   * left at its default 1.
   */
  private Operand<T> adapterDropout(Operand<T> x) {
    ensureNoiseFeeds();
    Operand<TInt64> site = tf.math.add(noiseSeed,
        tf.constant(new long[] {(1 + dropoutSites++) * SITE_STRIDE, 1}));
    Operand<T> u = tf.random.statelessRandomUniform(tf.shape(x), site, dtype);
    Operand<T> mask = tf.dtypes.cast(tf.math.less(u, adapterKeep), dtype);
    return tf.math.div(tf.math.mul(x, mask), adapterKeep);
  }

  private Operand<T> zeros(String name, long... shape) {
    return constantInit(name, ParamKind.BIAS, 0f, shape);
  }

  private Operand<T> constantInit(String name, ParamKind kind, float value, long... shape) {
    if (effective.containsKey(name)) {
      return effective.get(name);
    }
    Operand<T> init = tf.fill(tf.constant(shape), scalar(value));
    return register(name, kind, scopeOf(name).withName(leaf(name)).variable(init), shape);
  }

  /**
   * Adds a variable; returns what the graph uses for it: the variable, or under diff pruning
   * {@code θ0 + z⊙w} with its diff and gate variables created beside it.
   */
  private Operand<T> register(String name, ParamKind kind, Variable<T> var, long[] shape) {
    variables.add(new ModelVariable<>(name, shape, kind, var, variables.size()));
    boolean companion = DiffPruning.isDiff(name);
    if (!companion) {
      seeded++; // diff tensors do not shift the seeds of the model's own variables
    }
    Operand<T> eff = diff != null && !companion ? diffed(name, var, shape) : var;
    effective.put(name, eff);
    return eff;
  }

  /**
   * {@code θ0 + z⊙w} for base tensor {@code name}: z the stretched hard-concrete gate of its
   * log α variable, sampled with noise u ~ U(0, 1) in training steps
   * ({@link #diffNoise} fed 1) and at u = ½ otherwise (the deterministic gate); its expected-L0
   * term joins {@link #penalty}.
   */
  private Operand<T> diffed(String name, Variable<T> base, long[] shape) {
    Operand<T> w = constantInit(DiffPruning.diff(name), ParamKind.DIFF, 0f, shape);
    Operand<T> logAlpha = constantInit(DiffPruning.gate(name), ParamKind.DIFF,
        (float) DiffPruning.LOG_ALPHA_INIT, shape);
    ensureNoiseFeeds();
    Operand<T> z = DiffPruning.hardConcrete(tf, gateNoise(shape), logAlpha, DiffPruning.LOWER,
        DiffPruning.UPPER, dtype);
    Operand<T> open = DiffPruning.expectedOpen(tf, logAlpha, DiffPruning.LOWER, DiffPruning.UPPER,
        dtype);
    if (diff.structured()) {
      // the tensor's own gate, shape [1], its noise from the next site; the expected L0 of
      // the tensor's entries is P(z_t ≠ 0)·Σ P(z_i ≠ 0), the paper's structured penalty
      long[] one = {1};
      Operand<T> tensorLogAlpha = constantInit(DiffPruning.tensorGate(name), ParamKind.DIFF,
          (float) DiffPruning.LOG_ALPHA_INIT, one);
      z = tf.math.mul(z, DiffPruning.hardConcrete(tf, gateNoise(one), tensorLogAlpha,
          DiffPruning.LOWER, DiffPruning.UPPER, dtype));
      open = tf.math.mul(open, DiffPruning.expectedOpen(tf, tensorLogAlpha, DiffPruning.LOWER,
          DiffPruning.UPPER, dtype));
    }
    penaltyTerms.add(open);
    return tf.math.add(base, tf.math.mul(z, w));
  }

  /**
   * A gate site's noise u of {@code shape}: uniform in (0, 1) in training steps
   * ({@link #diffNoise} fed 1), ½ otherwise (the deterministic gate). The site's index offsets
   * the step word, so a site's noise at step s + 1 is the next same-shaped site's at step s:
   * every gate still draws fresh noise each step, so the estimator is unaffected; kept (unlike
   * the dropout sites) so that the committed diff-pruning results stay reproducible.
   */
  private Operand<T> gateNoise(long[] shape) {
    Operand<TInt64> site = tf.math.add(noiseSeed, tf.constant(new long[] {0, 1 + dropoutSites++}));
    Operand<T> uniform = tf.math.minimum(tf.math.maximum(
        tf.random.statelessRandomUniform(tf.constant(shape), site, dtype), scalar(1e-6)),
        scalar(1 - 1e-6));
    return tf.math.add(scalar(0.5), tf.math.mul(diffNoise, tf.math.sub(uniform, scalar(0.5))));
  }

  /** The noise feeds LoRA dropout and diff pruning share, made on first use. */
  private void ensureNoiseFeeds() {
    if (noiseSeed == null) {
      noiseSeed = tf.withName("noise_seed").placeholderWithDefault(
          tf.constant(new long[] {0, 0}), Shape.of(2));
      adapterKeep = tf.withName("adapter_keep").placeholderWithDefault(scalar(1), Shape.scalar());
      diffNoise = tf.withName("diff_noise").placeholderWithDefault(scalar(0), Shape.scalar());
    }
  }

  /** One {@code Ops} per name prefix, so TF op names equal our stable names. */
  private Ops scopeOf(String name) {
    int slash = name.lastIndexOf('/');
    if (slash < 0) {
      return tf;
    }
    String prefix = name.substring(0, slash);
    Ops scope = scopes.get(prefix);
    if (scope == null) {
      // scopeOf(prefix) is the scope of prefix's parent; recursion builds h3 before h3/attn
      scope = scopeOf(prefix).withSubScope(leaf(prefix));
      scopes.put(prefix, scope);
    }
    return scope;
  }

  private static String leaf(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }
}
