package org.cpift.model;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;

/**
 * LoRA (Hu et al., ICLR 2022, arXiv 2106.09685): a targeted matrix {@code W [in, out]} of the
 * model is used as {@code W + (α/r)·A·B}, with {@code A [in, r]} and {@code B [r, out]} trainable
 * and W frozen. A starts uniform in ±1/√in (PEFT's Kaiming-uniform bound with a = √5) and B at
 * zero, so a model with fresh adapters computes exactly what its base does. Adapters are
 * variables of the graph named after their matrix ({@code h0/attn/wq.lora_A},
 * {@code h0/attn/wq.lora_B}) and live in parameter snapshots beside the base tensors;
 * {@link #merge} folds them into the matrices for evaluation and export. With dropout p, a
 * training step feeds the adapters' path a dropped-out input, {@code x·W + (α/r)·(drop(x)·A)·B}
 * with {@code drop(x) = x·m/(1−p)}, m Bernoulli(1−p) per entry, drawn statelessly from the
 * session's seed and the step; evaluation and decoding use x itself (as PEFT's lora_dropout).
 *
 * <p>Where a run freezes entries of the weights (CPI-FT's pipelined phase), {@link FrozenEntries}
 * says how LoRA honours them: by default the run trains adapters whose update is masked,
 * {@code W + K ⊙ (α/r)·A·B} with K zero at the frozen entries and one elsewhere (a constant
 * {@code .lora_keep} tensor beside each adapted matrix, built only for such runs: {@link #masked}),
 * so a frozen entry of W stays bit-identical; or it trains the weights themselves.
 *
 * @param rank r
 * @param alpha α (the update is scaled by α/r)
 * @param targets leaf names of the matrices that get adapters: {@code wq, wk, wv, wo} (attention),
 *     {@code w1, w2, wg} (MLP; {@code wg} is the gate of SwiGLU models); kept sorted and
 *     distinct, so that cache keys and manifests do not depend on the order given
 * @param dropout p of the dropout on the adapters' input in training steps (0: none)
 * @param frozenEntries how a run that freezes entries of the weights trains
 * @param keepMasks whether the graph carries the {@code .lora_keep} masks (set by {@link #masked}
 *     for the sessions of such runs, never by a configuration)
 * @param init how experts' adapters start
 * @param lr the peak learning rate of the adapters' training (0: the run's own): LoRA is
 *     customarily trained at a higher rate than full fine-tuning; a run that trains the weights
 *     themselves (the {@link FrozenEntries#WEIGHTS} pipeline) keeps the run's rate
 */
public record Lora(int rank, double alpha, List<String> targets, double dropout,
    FrozenEntries frozenEntries, boolean keepMasks, Init init, double lr)
    implements org.cpift.util.CacheKey.Evolving {

  /** How an expert's adapters start. */
  public enum Init {
    /** A uniform in ±1/√in, B zero (PEFT's default) */
    RANDOM,
    /**
     * OSRM (Zhang and Zhou, ACL 2025, arXiv 2505.22934): A spans directions orthogonal to the
     * other tasks' mean inputs of the matrix, B zero (an expert of one task; other runs start
     * as {@link #RANDOM}); A's columns orthonormal, as in the authors' code
     */
    OSRM,
    /**
     * {@link #OSRM}'s subspace with each column of A at the norm of the {@link #RANDOM} start's
     * column it replaces: OSRM's orthonormal columns are √3 times longer than the uniform start's
     * (which have norm about 1/√3), and with Adam a larger A makes a larger update (α/r)·A·B, so
     * comparing OSRM with the random start would also compare step sizes; this keeps the
     * subspace as the only difference
     */
    OSRM_MATCHED;

    /** Whether adapters start in OSRM's subspace (either scale). */
    public boolean osrm() {
      return this != RANDOM;
    }
  }

  /** How LoRA honours frozen entries of the weights (CPI-FT's cores in the pipelined phase). */
  public enum FrozenEntries {
    /** adapters train, their update masked to zero at the frozen entries (fresh ones per stage) */
    ADAPTERS,
    /** the weights themselves train, the frozen entries masked in the optimizer (no adapters) */
    WEIGHTS
  }

  /** LoRA on the given matrices, in any order, without dropout. */
  public Lora(int rank, double alpha, Set<String> targets) {
    this(rank, alpha, List.copyOf(targets), 0);
  }

  /** LoRA without dropout. */
  public Lora(int rank, double alpha, List<String> targets) {
    this(rank, alpha, targets, 0);
  }

  /** LoRA with dropout p; frozen entries are honoured by masked adapters. */
  public Lora(int rank, double alpha, List<String> targets, double dropout) {
    this(rank, alpha, targets, dropout, FrozenEntries.ADAPTERS, false, Init.RANDOM, 0);
  }

  /** As this, with dropout p on the adapters' input during training. */
  public Lora withDropout(double p) {
    return new Lora(rank, alpha, targets, p, frozenEntries, keepMasks, init, lr);
  }

  /** As this, honouring frozen entries as {@code f} says. */
  public Lora withFrozenEntries(FrozenEntries f) {
    return new Lora(rank, alpha, targets, dropout, f, keepMasks, init, lr);
  }

  /** As this, with a {@code .lora_keep} mask beside every adapted matrix in the graph. */
  public Lora masked() {
    return new Lora(rank, alpha, targets, dropout, frozenEntries, true, init, lr);
  }

  /**
   * As this, with what only CPI-FT's pipeline reads (how frozen entries are honoured, the keep
   * masks) at their keyed-out values: what determines a single-task expert, so experts trained
   * alike share one cache entry whatever the pipeline later does.
   */
  public Lora forExperts() {
    return new Lora(rank, alpha, targets, dropout, FrozenEntries.WEIGHTS, false, init, lr);
  }

  /** As this, with experts' adapters starting as {@code i} says. */
  public Lora withInit(Init i) {
    return new Lora(rank, alpha, targets, dropout, frozenEntries, keepMasks, i, lr);
  }

  /** As this, the adapters trained at peak learning rate {@code rate} (0: the run's own). */
  public Lora withLr(double rate) {
    return new Lora(rank, alpha, targets, dropout, frozenEntries, keepMasks, init, rate);
  }

  /** The adapters' peak learning rate in a run whose own is {@code runLr}. */
  public float lr(float runLr) {
    return lr > 0 ? (float) lr : runLr;
  }

  /**
   * Dropout, the frozen-entries policy and the adapters' own learning rate came after LoRA
   * results were cached: no dropout, training the weights and the run's learning rate (what
   * those results did) are keyed out.
   */
  @Override
  public Map<String, Object> addedWithDefaults() {
    return Map.of("dropout", 0.0, "frozenEntries", FrozenEntries.WEIGHTS, "keepMasks", false,
        "init", Init.RANDOM, "lr", 0.0);
  }

  /** Every matrix leaf LoRA can target. */
  public static final Set<String> MATRICES = Set.of("wq", "wk", "wv", "wo", "w1", "w2", "wg");

  private static final String A = ".lora_A";
  private static final String B = ".lora_B";
  private static final String KEEP = ".lora_keep";

  public Lora {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank (--lora-rank) must be >= 1; got " + rank);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("LoRA alpha (--lora-alpha) must be a finite number > 0; "
          + "got " + alpha);
    }
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("LoRA learning rate (--lora-lr) must be a finite number "
          + ">= 0 (0: "
          + "the run's own); got " + lr);
    }
    lr = lr == 0 ? 0.0 : lr; // −0 keys as 0
    if (init == null) {
      throw new IllegalArgumentException("LoRA: say how adapters start (RANDOM, OSRM or "
          + "OSRM_MATCHED)");
    }
    if (frozenEntries == null) {
      throw new IllegalArgumentException("LoRA: say how frozen entries are honoured (ADAPTERS "
          + "or WEIGHTS)");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout (--lora-dropout) must be in [0, 1); got "
          + dropout);
    }
    targets = targets.stream().distinct().sorted().toList();
    if (targets.isEmpty() || !MATRICES.containsAll(targets)) {
      throw new IllegalArgumentException("LoRA targets (--lora-targets) must be some of "
          + MATRICES.stream()
          .sorted().toList() + "; got " + targets.stream().sorted().toList());
    }
  }

  /** The update's scale α/r. */
  public double scale() {
    return alpha / rank;
  }

  /** Whether the matrix of stable name {@code name} ({@code h0/attn/wq}) gets adapters. */
  public boolean targets(String name) {
    return !isLoraTensor(name) && name.startsWith("h")
        && targets.contains(name.substring(name.lastIndexOf('/') + 1));
  }

  /** The entries of the adapters this LoRA adds to {@code base}: r·(in + out) per target. */
  public long adapterParameters(ParamSnapshot base) {
    long n = 0;
    for (Param p : base.params()) {
      if (targets(p.name()) && p.shape().length == 2) {
        n += (long) rank * (p.shape()[0] + p.shape()[1]);
      }
    }
    return n;
  }

  /** The A factor's name of matrix {@code name}. */
  public static String a(String name) {
    return name + A;
  }

  /** The B factor's name of matrix {@code name}. */
  public static String b(String name) {
    return name + B;
  }

  /** The keep mask's name of matrix {@code name} (a graph with {@link #keepMasks}). */
  public static String keep(String name) {
    return name + KEEP;
  }

  /** Whether {@code name} is an adapter factor (what LoRA trains). */
  public static boolean isAdapter(String name) {
    return name.endsWith(A) || name.endsWith(B);
  }

  /** Whether {@code name} is a keep mask (constant: never trained). */
  public static boolean isKeep(String name) {
    return name.endsWith(KEEP);
  }

  /** Whether {@code name} is a tensor LoRA adds beside a matrix: a factor or a keep mask. */
  public static boolean isLoraTensor(String name) {
    return isAdapter(name) || isKeep(name);
  }

  /** The matrix an adapter factor belongs to. */
  public static String matrixOf(String adapter) {
    return adapter.substring(0, adapter.length() - A.length());
  }

  /**
   * {@code base} (a model without adapters) with fresh adapters on every targeted matrix: A
   * uniform in ±1/√in from {@code seed}, B zero. Loaded into a session built with this LoRA, it
   * computes exactly what the base does.
   */
  public ParamSnapshot initialize(ParamSnapshot base, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      if (isLoraTensor(p.name())) {
        throw new IllegalArgumentException("LoRA: the base already has adapter " + p.name()
            + "; merge it first");
      }
      out.put(p);
      if (targets(p.name())) {
        long in = p.shape()[0];
        long outDim = p.shape()[1];
        float bound = (float) (1 / Math.sqrt(in));
        float[] a = new float[Math.toIntExact(in * rank)];
        for (int j = 0; j < a.length; j++) {
          a[j] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        out.put(new Param(a(p.name()), new long[] {in, rank}, a));
        out.put(new Param(b(p.name()), new long[] {rank, outDim},
            new float[Math.toIntExact(rank * outDim)]));
        if (keepMasks) {
          float[] k = new float[p.size()];
          java.util.Arrays.fill(k, 1f);
          out.put(new Param(keep(p.name()), p.shape(), k));
        }
      }
    }
    return out;
  }

  /**
   * {@code withAdapters} (from {@link #initialize} of a {@link #masked} LoRA) with every keep mask
   * zero at the entries {@code frozen} selects in its matrix and one elsewhere: the adapters'
   * update then leaves those entries of W exactly as they are. Frozen entries of tensors LoRA
   * does not target need nothing (those tensors do not train at all).
   */
  public ParamSnapshot freeze(ParamSnapshot withAdapters, ParamMask frozen) {
    if (!keepMasks) {
      throw new IllegalStateException("LoRA: freezing entries needs keep masks (Lora.masked())");
    }
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : withAdapters.params()) {
      if (isKeep(p.name())) {
        float[] k = new float[p.size()];
        java.util.Arrays.fill(k, 1f);
        BitSet f = frozen == null ? null : frozen.get(p.name().substring(0,
            p.name().length() - KEEP.length()));
        if (f != null) {
          if (f.length() > k.length) {
            throw new IllegalArgumentException("LoRA: the frozen mask of " + p.name()
                + " selects entry " + (f.length() - 1) + " of a tensor of " + k.length);
          }
          for (int j = f.nextSetBit(0); j >= 0; j = f.nextSetBit(j + 1)) {
            k[j] = 0f;
          }
        }
        out.put(p.withData(k));
      } else {
        out.put(p);
      }
    }
    return out;
  }

  /**
   * The model without adapters: every adapted matrix replaced by {@code W + (α/r)·A·B}
   * (accumulated in double, rounded once; with a keep mask K, {@code W + K ⊙ (α/r)·A·B}), the
   * adapter tensors dropped.
   */
  public ParamSnapshot merge(ParamSnapshot withAdapters) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : withAdapters.params()) {
      if (isLoraTensor(p.name())) {
        continue;
      }
      Param a = withAdapters.names().contains(a(p.name())) ? withAdapters.get(a(p.name())) : null;
      Param b = withAdapters.names().contains(b(p.name())) ? withAdapters.get(b(p.name())) : null;
      if (a == null && b == null) {
        out.put(p);
        continue;
      }
      if (a == null || b == null) {
        throw new IllegalArgumentException("LoRA: " + p.name() + " has only one of its two "
            + "adapter factors");
      }
      int in = (int) p.shape()[0];
      int o = (int) p.shape()[1];
      if (a.shape().length != 2 || b.shape().length != 2 || a.shape()[0] != in
          || b.shape()[1] != o || a.shape()[1] != b.shape()[0]) {
        throw new IllegalArgumentException("LoRA: " + p.name() + " is " + in + " x " + o
            + " but its factors are " + java.util.Arrays.toString(a.shape()) + " and "
            + java.util.Arrays.toString(b.shape()) + " (A must be [in, r], B [r, out])");
      }
      int r = (int) a.shape()[1]; // the factors' width: the rank, or more for adapters read
      // from a fused module (GPT-2's c_attn), whose update still carries this LoRA's α/r
      float[] w = p.data();
      float[] ad = a.data();
      float[] bd = b.data();
      float[] kd = withAdapters.names().contains(keep(p.name()))
          ? withAdapters.get(keep(p.name())).data() : null;
      float[] v = new float[w.length];
      double s = scale();
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < o; j++) {
          double acc = 0;
          for (int k = 0; k < r; k++) {
            acc += (double) ad[i * r + k] * bd[k * o + j];
          }
          if (kd != null && kd[i * o + j] == 0f) {
            v[i * o + j] = w[i * o + j]; // a frozen entry: exactly as it was
            continue;
          }
          v[i * o + j] = (float) (w[i * o + j] + s * acc);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /** Every entry of every tensor but the adapter factors: what LoRA training freezes. */
  public static ParamMask frozenBase(ParamSnapshot withAdapters) {
    ParamMask m = new ParamMask();
    for (Param p : withAdapters.params()) {
      if (!isAdapter(p.name())) {
        BitSet all = new BitSet(p.size());
        all.set(0, p.size());
        m.put(p.name(), all);
      }
    }
    return m;
  }

  /** The adapted matrices of a layout ({@link ParameterLayout#of}), in layout order. */
  public List<String> targetsIn(Map<String, long[]> layout) {
    List<String> out = new ArrayList<>();
    for (String n : layout.keySet()) {
      if (targets(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Trainable parameters the adapters add to a model of this layout: Σ r·(in + out). */
  public long parameters(Map<String, long[]> layout) {
    long n = 0;
    for (String t : targetsIn(layout)) {
      long[] s = layout.get(t);
      n += rank * (s[0] + s[1]);
    }
    return n;
  }
}
