package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.cpift.data.EncodedExample;
import org.cpift.model.Lora;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OSRM, orthogonal subspaces for robust merging of LoRA experts (Zhang and Zhou, "Unraveling
 * LoRA Interference: Orthogonal Subspaces for Robust Model Merging", ACL 2025, arXiv
 * 2505.22934): before task i's expert is fine-tuned, the A factor of each adapted matrix W is set
 * so that the other tasks' inputs to W fall (on average) outside the adapter's subspace, so that
 * after merging, task i's update shifts other tasks' outputs as little as possible
 * ({@code x̄_j·A_i ≈ 0} in this project's row-vector convention, {@code A_i h_j ≈ 0} in the
 * paper's).
 *
 * <p>As the authors' code does: the base model's input to W is averaged over each example's
 * tokens and then over {@link #SAMPLES} training examples of a task, one mean vector per other
 * task; they are the rows of X {@code [N−1, in]} (not centred), and A's r columns are the
 * eigenvectors of XᵀX with the r smallest eigenvalues (orthonormal, not rescaled), B zero; A and
 * B then both train. When N − 1 ≤ in − r the smallest eigenvalue is 0 with a null space of
 * dimension ≥ r, and any orthonormal basis of it is such a set of eigenvectors (the authors take
 * whichever their SVD returns); here the basis is the seeded random A that LoRA would start
 * from, projected onto the null space and orthonormalized (Gram-Schmidt in double), so the choice
 * is reproducible and carries no solver order. Otherwise the eigenvectors come from a full
 * symmetric eigen-decomposition.
 *
 * <p>Under {@link Lora.Init#OSRM_MATCHED} each column is then scaled to the norm of the random
 * start's column it replaces ({@link #matchNorms}), so that OSRM and the random start differ in
 * A's subspace alone, not in its scale (orthonormal columns are about √3 times the uniform
 * start's, and a larger A takes larger steps under Adam).
 *
 * <p>Departures from the authors' code: padding is left out of each example's token mean (their
 * code averages it in); the null-space basis is chosen as above rather than by the solver. Left
 * out: nothing of the method. It is an initialization of the experts, offered as {@code
 * --lora-init osrm|osrm-matched} before any merge, not as a merge method of its own: the paper
 * presents it as a start for LoRA fine-tuning that existing merging methods then combine, as here.
 */
public final class Osrm {
  private static final Logger LOG = LoggerFactory.getLogger(Osrm.class);

  /** Training examples per other task whose inputs are averaged (the authors' default). */
  public static final int SAMPLES = 100;
  private static final int BATCH = 16;

  private Osrm() {}

  /**
   * The base with adapters for {@code task}'s expert under {@code lora}: fresh ones
   * ({@link Lora#initialize} from {@code seed}) with every A replaced by OSRM's basis.
   */
  public static ParamSnapshot initialize(MethodContext ctx, Task task, Lora lora, long seed) {
    ParamSnapshot base = ctx.base().params();
    ParamSnapshot fresh = lora.initialize(base, seed);
    List<String> matrices = new ArrayList<>();
    for (Param p : base.params()) {
      if (lora.targets(p.name())) {
        matrices.add(p.name());
      }
    }
    Map<String, List<double[]>> rows = new LinkedHashMap<>();
    matrices.forEach(n -> rows.put(n, new ArrayList<>()));
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(base);
      for (Task t : ctx.tasks()) {
        if (t.name().equals(task.name())) {
          continue;
        }
        List<EncodedExample> ex = ctx.encode(ctx.sample(t, SAMPLES, ctx.seed("osrm/" + t.name())),
            "OSRM " + t.name());
        m.matrixInputMeans(ex, matrices, BATCH).forEach((n, v) -> rows.get(n).add(v));
      }
    }
    boolean matched = lora.init() == Lora.Init.OSRM_MATCHED;
    ParamSnapshot out = new ParamSnapshot();
    Map<String, float[]> bases = new LinkedHashMap<>();
    for (Param p : fresh.params()) {
      if (!p.name().endsWith(".lora_A")) {
        out.put(p);
        continue;
      }
      String w = Lora.matrixOf(p.name());
      int in = (int) p.shape()[0];
      float[] a = bases.computeIfAbsent(w, k -> {
        double[] basis = basis(rows.get(k), in, lora.rank(), p.data());
        return toFloat(matched ? matchNorms(basis, p.data(), lora.rank()) : basis);
      });
      out.put(p.withData(a));
    }
    LOG.info("OSRM: {} adapters of the {} expert start orthogonal to {} other tasks' mean inputs"
        + "{}", matrices.size(), task.name(), ctx.tasks().size() - 1,
        matched ? " (A at the random start's column norms)" : "");
    return out;
  }

  /**
   * r orthonormal columns {@code [in, r]} (row-major) spanning eigenvectors of XᵀX with the r
   * smallest eigenvalues, X the given rows; {@code start} {@code [in, r]} picks the basis when
   * those eigenvalues are all zero (see the class comment).
   */
  static double[] basis(List<double[]> rows, int in, int r, float[] start) {
    List<double[]> span = orthonormalize(rows, new ArrayList<>());
    if (span.size() <= in - r) {
      List<double[]> cols = new ArrayList<>();
      for (int c = 0; c < r; c++) {
        double[] v = new double[in];
        for (int i = 0; i < in; i++) {
          v[i] = start[i * r + c];
        }
        cols.add(v);
      }
      List<double[]> taken = new ArrayList<>(span);
      List<double[]> out = orthonormalize(cols, taken);
      if (out.size() < r) {
        throw new IllegalStateException("OSRM: the starting columns are degenerate");
      }
      return columns(out, in);
    }
    double[][] x = rows.toArray(double[][]::new);
    RealMatrix xm = new Array2DRowRealMatrix(x, false);
    EigenDecomposition eig = new EigenDecomposition(xm.transpose().multiply(xm));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (p, q) -> Double.compare(values[p], values[q]));
    List<double[]> out = new ArrayList<>();
    for (int c = 0; c < r; c++) {
      out.add(eig.getEigenvector(order[c]).toArray());
    }
    return columns(out, in);
  }

  /**
   * {@code basis} {@code [in, r]} (row-major) with column c scaled to the norm of {@code start}'s
   * column c: the same directions, the start's scale.
   */
  static double[] matchNorms(double[] basis, float[] start, int r) {
    int in = basis.length / r;
    double[] out = basis.clone();
    for (int c = 0; c < r; c++) {
      double want = 0;
      double have = 0;
      for (int i = 0; i < in; i++) {
        want += (double) start[i * r + c] * start[i * r + c];
        have += basis[i * r + c] * basis[i * r + c];
      }
      double f = Math.sqrt(want / have);
      for (int i = 0; i < in; i++) {
        out[i * r + c] *= f;
      }
    }
    return out;
  }

  /**
   * Gram-Schmidt (twice, for stability) of {@code vectors} against {@code against} and each
   * other: the unit vectors that add a direction, in order ({@code against} gains them too).
   */
  private static List<double[]> orthonormalize(List<double[]> vectors, List<double[]> against) {
    List<double[]> added = new ArrayList<>();
    for (double[] v0 : vectors) {
      double[] v = v0.clone();
      double norm0 = Math.sqrt(dot(v, v));
      for (int pass = 0; pass < 2; pass++) {
        for (double[] u : against) {
          double d = dot(v, u);
          for (int i = 0; i < v.length; i++) {
            v[i] -= d * u[i];
          }
        }
      }
      double norm = Math.sqrt(dot(v, v));
      if (norm > 1e-10 * Math.max(norm0, 1e-300)) {
        for (int i = 0; i < v.length; i++) {
          v[i] /= norm;
        }
        against.add(v);
        added.add(v);
      }
    }
    return added;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] columns(List<double[]> cols, int in) {
    int r = cols.size();
    double[] out = new double[in * r];
    for (int c = 0; c < r; c++) {
      for (int i = 0; i < in; i++) {
        out[i * r + c] = cols.get(c)[i];
      }
    }
    return out;
  }

  private static float[] toFloat(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }
}
