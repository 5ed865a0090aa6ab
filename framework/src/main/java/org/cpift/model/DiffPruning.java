package org.cpift.model;

import java.util.ArrayList;
import java.util.List;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Diff pruning (Guo, Rush and Kim, ACL 2021, arXiv 2012.07463): a task's model is the frozen base
 * plus a diff vector, {@code θ = θ0 + z⊙w}, where every entry of w has a gate z drawn from a
 * stretched hard-concrete distribution with a trainable log α (Louizos et al. 2018), and the
 * loss is penalized by the expected number of open gates, {@code λ·Σ sigmoid(log α − log(−l/r))}.
 * At the end the diff is made exactly sparse: with the deterministic gates, the
 * {@link #keepPercent} of all entries with the largest |z·w| are kept and the rest set to zero
 * (the paper's magnitude projection to its target sparsity), and the kept entries are
 * fine-tuned further with that mask fixed and the gates at their deterministic values.
 *
 * <p>The authors' settings (their code, {@code run_glue_diffpruning.py}): stretch (l, r) =
 * (−1.5, 1.5), temperature 1, log α starting at 5 (every gate open), λ = 1.25e-7 per entry, and
 * log α trained by an Adam of its own at a constant learning rate of 0.1 ({@link #GATE_LR}: no
 * warm-up or decay, no weight decay, its gradients clipped by their own norm, and PyTorch's
 * default β2 = 0.999, {@link #GATE_BETA2}), whatever the diff's rate, schedule and β2; the
 * optimizer does this for every gate variable ({@link #isGate}).
 *
 * <p>Structured diff pruning (the paper's §3.3, {@code structured}): each tensor also has one gate
 * of its own, z_t, so that {@code θ = θ0 + z_t·z⊙w}, and the expected L0 norm becomes the paper's
 * {@code Σ_t P(z_t ≠ 0)·Σ_i P(z_i ≠ 0)}, so a tensor can be dropped as a whole. (The authors'
 * code, {@code --per_params_alpha}, adds the tensor gate's own term instead of multiplying; the
 * paper's formula is the one taken.) Its log α trains like the entries'.
 *
 * <p>Variables: beside every base tensor {@code name}, {@code name.diff} (w, starting at 0),
 * {@code name.diff_gate} (log α) and, structured, {@code name.diff_tensor_gate} (the tensor's log
 * α, shape [1]), of kind {@link ParamKind#DIFF}; only they train.
 *
 * @param keepPercent the target: the percentage of all entries the final diff keeps
 * @param l0Weight λ, the penalty per expected open gate
 * @param structured a gate per tensor as well as per entry
 */
public record DiffPruning(double keepPercent, double l0Weight, boolean structured)
    implements org.cpift.util.CacheKey.Evolving {
  public static final double LOWER = -1.5;
  public static final double UPPER = 1.5;
  public static final double LOG_ALPHA_INIT = 5;
  /** The gates' own constant learning rate (Adam, the authors' 0.1). */
  public static final float GATE_LR = 0.1f;
  /**
   * The gates' Adam β2: the authors' gate optimizer is PyTorch's AdamW with its default betas
   * (0.9, 0.999), whatever the diff's; β1 and ε are the run's (0.9 and 1e-8 by default, theirs).
   */
  public static final float GATE_BETA2 = 0.999f;
  /**
   * How the gates train, for cache keys: cells and experts of diff pruning trained before the
   * gates had their own rate (log α then moved at 100× the diff's scheduled rate, too slowly to
   * close a gate at small), or the run's β2, are not reused.
   */
  public static final String GATE_RULE =
      "log alpha: own Adam, lr 0.1 constant, beta2 0.999, own clip";
  /** The authors' λ per entry. */
  public static final double PAPER_L0_WEIGHT = 1.25e-7;
  private static final String DIFF = ".diff";
  private static final String GATE = ".diff_gate";
  private static final String TENSOR_GATE = ".diff_tensor_gate";

  /** The paper's λ and a target of {@code keepPercent}% of the entries, a gate per entry. */
  public DiffPruning(double keepPercent) {
    this(keepPercent, PAPER_L0_WEIGHT);
  }

  /** A gate per entry (not structured). */
  public DiffPruning(double keepPercent, double l0Weight) {
    this(keepPercent, l0Weight, false);
  }

  /** As this, structured or not. */
  public DiffPruning withStructured(boolean on) {
    return new DiffPruning(keepPercent, l0Weight, on);
  }

  @Override
  public java.util.Map<String, Object> addedWithDefaults() {
    return java.util.Map.of("structured", false);
  }

  public DiffPruning {
    if (!(keepPercent > 0 && keepPercent <= 100)) {
      throw new IllegalArgumentException("diff pruning: the percentage of entries kept "
          + "(--diff-sparsity) must be in (0, 100]; got " + keepPercent);
    }
    if (!(l0Weight >= 0) || Double.isInfinite(l0Weight)) {
      throw new IllegalArgumentException("diff pruning: λ must be finite and >= 0; got "
          + l0Weight);
    }
  }

  public static String diff(String name) {
    return name + DIFF;
  }

  public static String gate(String name) {
    return name + GATE;
  }

  /** The tensor gate's name (structured) of base tensor {@code name}. */
  public static String tensorGate(String name) {
    return name + TENSOR_GATE;
  }

  /**
   * Whether {@code name} is a gate tensor (an entry's or, structured, a tensor's log α), which
   * trains at {@link #GATE_LR}.
   */
  public static boolean isGate(String name) {
    return name.endsWith(GATE) || name.endsWith(TENSOR_GATE);
  }

  /**
   * How far the gates of {@code withDiff} have closed: the mean P(z ≠ 0) over every gate, and
   * the share of deterministic gates at exactly 0 (log α ≤ 0 with the symmetric stretch), as one
   * line for a log.
   */
  public static String gateSummary(ParamSnapshot withDiff) {
    String entries = gateSummary(withDiff, GATE, "gates");
    String tensors = gateSummary(withDiff, TENSOR_GATE, "tensor gates");
    return tensors == null ? (entries == null ? "no gates" : entries) : entries + "; " + tensors;
  }

  private static String gateSummary(ParamSnapshot withDiff, String suffix, String what) {
    double open = 0;
    long shut = 0;
    long n = 0;
    for (Param p : withDiff.params()) {
      if (p.name().endsWith(suffix)) {
        for (float logAlpha : p.data()) {
          open += openProbability(logAlpha);
          shut += deterministicGate(logAlpha) == 0 ? 1 : 0;
          n++;
        }
      }
    }
    return n == 0 ? null : String.format(java.util.Locale.ROOT,
        "%,d %s: mean P(open) %.4f, %.2f%% shut", n, what, open / n, 100.0 * shut / n);
  }

  /** Whether {@code name} is a diff or gate tensor. */
  public static boolean isDiff(String name) {
    return name.endsWith(DIFF) || isGate(name);
  }

  /** log(−l/r), the shift of the expected-L0 sigmoid (0 for the symmetric stretch). */
  public static double logRatio() {
    return logRatio(LOWER, UPPER);
  }

  /** log(−l/r) for the stretch (l, r) = ({@code lower}, {@code upper}), l &lt; 0 &lt; 1 &lt; r. */
  static double logRatio(double lower, double upper) {
    return Math.log(-lower / upper);
  }

  /** P(z ≠ 0) of one gate: {@code sigmoid(log α − log(−l/r))}. */
  public static double openProbability(double logAlpha) {
    return openProbability(logAlpha, LOWER, UPPER);
  }

  /**
   * P(z ≠ 0) of one gate with the stretch (l, r) and temperature 1: the stretched variable is
   * above 0 when its sigmoid exceeds −l/(r − l), that is when the logistic noise exceeds
   * log(−l/r) − log α, which happens with probability {@code sigmoid(log α − log(−l/r))}.
   */
  static double openProbability(double logAlpha, double lower, double upper) {
    return 1 / (1 + Math.exp(-(logAlpha - logRatio(lower, upper))));
  }

  /**
   * One stretched hard-concrete gate per entry of {@code logAlpha}, in the graph (Louizos et al.
   * 2018, temperature 1 as in the diff-pruning authors' code):
   * {@code z = clamp(sigmoid(log u − log(1 − u) + log α)·(r − l) + l, 0, 1)} for noise
   * {@code u} in (0, 1) (uniform while training; ½ gives the deterministic gate).
   */
  static <T extends TNumber> Operand<T> hardConcrete(Ops tf, Operand<T> u, Operand<T> logAlpha,
      double lower, double upper, Class<T> dtype) {
    Operand<T> logit = tf.math.add(tf.math.sub(tf.math.log(u),
        tf.math.log(tf.math.sub(constant(tf, 1, dtype), u))), logAlpha);
    Operand<T> stretched = tf.math.add(tf.math.mul(tf.math.sigmoid(logit),
        constant(tf, upper - lower, dtype)), constant(tf, lower, dtype));
    return tf.math.minimum(tf.math.maximum(stretched, constant(tf, 0, dtype)),
        constant(tf, 1, dtype));
  }

  /**
   * The gates' expected number of open entries, their expected L0 norm, in the graph:
   * {@code Σ sigmoid(log α − log(−l/r))} over every entry of {@code logAlpha}.
   */
  static <T extends TNumber> Operand<T> expectedOpen(Ops tf, Operand<T> logAlpha, double lower,
      double upper, Class<T> dtype) {
    return tf.sum(tf.math.sigmoid(tf.math.sub(logAlpha,
        constant(tf, logRatio(lower, upper), dtype))),
        tf.range(tf.constant(0), tf.rank(logAlpha), tf.constant(1)));
  }

  private static <T extends TNumber> Operand<T> constant(Ops tf, double value, Class<T> dtype) {
    return tf.dtypes.cast(tf.constant(value), dtype);
  }

  /** The deterministic gate: {@code clamp(sigmoid(log α)·(r − l) + l, 0, 1)}. */
  public static double deterministicGate(double logAlpha) {
    double s = 1 / (1 + Math.exp(-logAlpha));
    return Math.min(1, Math.max(0, s * (UPPER - LOWER) + LOWER));
  }

  /** {@code base} with a zero diff and every gate at its start beside each tensor. */
  public ParamSnapshot initialize(ParamSnapshot base) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      if (isDiff(p.name())) {
        throw new IllegalArgumentException("diff pruning: the base already has " + p.name());
      }
      out.put(p);
      out.put(new Param(diff(p.name()), p.shape(), new float[p.size()]));
      float[] g = new float[p.size()];
      java.util.Arrays.fill(g, (float) LOG_ALPHA_INIT);
      out.put(new Param(gate(p.name()), p.shape(), g));
      if (structured) {
        out.put(new Param(tensorGate(p.name()), new long[] {1},
            new float[] {(float) LOG_ALPHA_INIT}));
      }
    }
    return out;
  }

  /** The deterministic tensor gate of {@code name} (structured), else 1. */
  private double tensorGateOf(ParamSnapshot withDiff, String name) {
    return structured ? deterministicGate(withDiff.get(tensorGate(name)).data()[0]) : 1;
  }

  /**
   * The model without diff tensors: {@code θ0 + z·w} (deterministic gates) after
   * {@link #project}, so every entry outside the kept ones is the base's.
   */
  public ParamSnapshot merge(ParamSnapshot withDiff) {
    ParamSnapshot projected = project(withDiff);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : projected.params()) {
      if (isDiff(p.name())) {
        continue;
      }
      float[] w = projected.get(diff(p.name())).data();
      float[] logAlpha = projected.get(gate(p.name())).data();
      double zt = tensorGateOf(projected, p.name());
      float[] v = p.data().clone();
      for (int j = 0; j < v.length; j++) {
        if (w[j] != 0) {
          v[j] = p.data()[j] + (float) (zt * deterministicGate(logAlpha[j]) * w[j]);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /**
   * The magnitude projection: {@code withDiff} with every diff entry set to zero except the
   * {@link #keepPercent}% of all entries with the largest gated diff {@code |z·w|}
   * (deterministic gates; ties broken by position). Loaded back into a diff-pruning session, the
   * session computes the pruned model.
   */
  public ParamSnapshot project(ParamSnapshot withDiff) {
    List<Param> bases = new ArrayList<>();
    List<float[]> deltas = new ArrayList<>();
    long total = 0;
    for (Param p : withDiff.params()) {
      if (isDiff(p.name())) {
        continue;
      }
      float[] w = withDiff.get(diff(p.name())).data();
      float[] logAlpha = withDiff.get(gate(p.name())).data();
      double zt = tensorGateOf(withDiff, p.name());
      float[] d = new float[w.length];
      for (int j = 0; j < d.length; j++) {
        d[j] = (float) (zt * deterministicGate(logAlpha[j]) * w[j]);
      }
      bases.add(p);
      deltas.add(d);
      total += d.length;
    }
    long keep = Math.min(total, Math.round(total * keepPercent / 100));
    float threshold = threshold(deltas, keep);
    long above = 0;
    for (float[] d : deltas) {
      for (float v : d) {
        if (Math.abs(v) > threshold) {
          above++;
        }
      }
    }
    long ties = keep - above; // entries at the threshold, kept in order
    ParamSnapshot out = new ParamSnapshot();
    for (int t = 0; t < bases.size(); t++) {
      Param p = bases.get(t);
      float[] d = deltas.get(t);
      float[] w = withDiff.get(diff(p.name())).data().clone();
      for (int j = 0; j < w.length; j++) {
        float a = Math.abs(d[j]);
        boolean kept = d[j] != 0 && (a > threshold || (a == threshold && ties-- > 0));
        if (!kept) {
          w[j] = 0;
        }
      }
      out.put(p);
      out.put(new Param(diff(p.name()), p.shape(), w));
      out.put(withDiff.get(gate(p.name())));
      if (structured) {
        out.put(withDiff.get(tensorGate(p.name())));
      }
    }
    return out;
  }

  /**
   * What the fixed-mask phase after {@link #project} freezes: every gate tensor, and every diff
   * entry the projection set to zero (the base tensors are never trained).
   */
  public static org.cpift.params.ParamMask fixedMask(ParamSnapshot projected) {
    org.cpift.params.ParamMask m = new org.cpift.params.ParamMask();
    for (Param p : projected.params()) {
      java.util.BitSet b = new java.util.BitSet(p.size());
      if (isGate(p.name())) {
        b.set(0, p.size());
      } else if (p.name().endsWith(DIFF)) {
        float[] w = p.data();
        for (int j = 0; j < w.length; j++) {
          if (w[j] == 0) {
            b.set(j);
          }
        }
      } else {
        continue;
      }
      m.put(p.name(), b);
    }
    return m;
  }

  /** The keep-th largest |δ| (0 when keep covers every entry). */
  private static float threshold(List<float[]> deltas, long keep) {
    int n = deltas.stream().mapToInt(d -> d.length).sum();
    if (keep >= n) {
      return 0;
    }
    float[] all = new float[n];
    int k = 0;
    for (float[] d : deltas) {
      for (float v : d) {
        all[k++] = Math.abs(v);
      }
    }
    java.util.Arrays.sort(all);
    return all[(int) (n - Math.max(1, keep))];
  }

  /** The number of entries in which {@code merged} differs from {@code base}. */
  public static long changedEntries(ParamSnapshot base, ParamSnapshot merged) {
    long n = 0;
    for (Param p : base.params()) {
      float[] a = p.data();
      float[] b = merged.get(p.name()).data();
      for (int j = 0; j < a.length; j++) {
        if (Float.floatToIntBits(a[j]) != Float.floatToIntBits(b[j])) {
          n++;
        }
      }
    }
    return n;
  }
}
