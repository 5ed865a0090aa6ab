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
 * @param rank r
 * @param alpha α (the update is scaled by α/r)
 * @param targets leaf names of the matrices that get adapters: {@code wq, wk, wv, wo} (attention),
 *     {@code w1, w2, wg} (MLP; {@code wg} is the gate of SwiGLU models); kept sorted and
 *     distinct, so that cache keys and manifests do not depend on the order given
 */
public record Lora(int rank, double alpha, List<String> targets, double dropout)
    implements org.cpift.util.CacheKey.Evolving {
  /** LoRA on the given matrices, in any order, without dropout. */
  public Lora(int rank, double alpha, Set<String> targets) {
    this(rank, alpha, List.copyOf(targets), 0);
  }

  /** LoRA without dropout. */
  public Lora(int rank, double alpha, List<String> targets) {
    this(rank, alpha, targets, 0);
  }

  /** As this, with dropout p on the adapters' input during training. */
  public Lora withDropout(double p) {
    return new Lora(rank, alpha, targets, p);
  }

  /** Dropout came after LoRA results were cached: none (0) is keyed out. */
  @Override
  public Map<String, Object> addedWithDefaults() {
    return Map.of("dropout", 0.0);
  }

  /** Every matrix leaf LoRA can target. */
  public static final Set<String> MATRICES = Set.of("wq", "wk", "wv", "wo", "w1", "w2", "wg");

  private static final String A = ".lora_A";
  private static final String B = ".lora_B";

  public Lora {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1; got " + rank);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("LoRA alpha must be a finite number > 0; got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1); got " + dropout);
    }
    targets = targets.stream().distinct().sorted().toList();
    if (targets.isEmpty() || !MATRICES.containsAll(targets)) {
      throw new IllegalArgumentException("LoRA targets must be some of " + MATRICES.stream()
          .sorted().toList() + "; got " + targets.stream().sorted().toList());
    }
  }

  /** The update's scale α/r. */
  public double scale() {
    return alpha / rank;
  }

  /** Whether the matrix of stable name {@code name} ({@code h0/attn/wq}) gets adapters. */
  public boolean targets(String name) {
    return !isAdapter(name) && name.startsWith("h")
        && targets.contains(name.substring(name.lastIndexOf('/') + 1));
  }

  /** The A factor's name of matrix {@code name}. */
  public static String a(String name) {
    return name + A;
  }

  /** The B factor's name of matrix {@code name}. */
  public static String b(String name) {
    return name + B;
  }

  /** Whether {@code name} is an adapter factor. */
  public static boolean isAdapter(String name) {
    return name.endsWith(A) || name.endsWith(B);
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
      if (isAdapter(p.name())) {
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
      }
    }
    return out;
  }

  /**
   * The model without adapters: every adapted matrix replaced by {@code W + (α/r)·A·B}
   * (accumulated in double, rounded once), the adapter tensors dropped.
   */
  public ParamSnapshot merge(ParamSnapshot withAdapters) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : withAdapters.params()) {
      if (isAdapter(p.name())) {
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
      int r = (int) a.shape()[1];
      float[] w = p.data();
      float[] ad = a.data();
      float[] bd = b.data();
      float[] v = new float[w.length];
      double s = alpha / r;
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < o; j++) {
          double acc = 0;
          for (int k = 0; k < r; k++) {
            acc += (double) ad[i * r + k] * bd[k * o + j];
          }
          v[i * o + j] = (float) (w[i * o + j] + s * acc);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /** Every entry of every non-adapter tensor: what LoRA training freezes. */
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
