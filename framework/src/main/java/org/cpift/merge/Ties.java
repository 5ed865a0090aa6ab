package org.cpift.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/**
 * TIES-merging (Yadav et al., 2023): trim each task vector to its top-k% entries by magnitude
 * (over the whole flattened vector), elect each entry's sign by the total mass
 * {@code sign(Σ_i trimmed δi)}, average the trimmed entries that agree with the elected sign
 * (disjoint mean), and add {@code λ·merged} to θ0.
 */
public final class Ties implements MergeMethod {
  private final double topPercent;
  private final double lambda;

  public Ties(double topPercent, double lambda) {
    this.topPercent = topPercent;
    this.lambda = lambda;
  }

  @Override
  public String name() {
    return "ties";
  }

  @Override
  public String reference() {
    return "Yadav et al., TIES-Merging: Resolving Interference When Merging Models, NeurIPS 2023 "
        + "(arXiv 2306.01708)";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("top_percent", topPercent, "lambda", lambda);
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    return merge(ctx, ctx::delta);
  }

  /** TIES over the given task vectors (DARE-TIES passes its dropped-and-rescaled deltas). */
  ParamSnapshot merge(MergeContext ctx, TaskArithmetic.Deltas deltas) {
    int n = ctx.experts().size();
    List<ParamSnapshot> trimmed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      trimmed.add(trim(ctx, deltas, i));
    }
    ParamSnapshot out = new ParamSnapshot();
    double[] agreeing = new double[2];
    for (Param p : ctx.base().params()) {
      float[] v = p.data().clone();
      for (int j = 0; j < v.length; j++) {
        if (elect(trimmed, p.name(), j, agreeing)) {
          v[j] = (float) (p.data()[j] + lambda * agreeing[0] / agreeing[1]);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /**
   * The TIES-merged task vector itself, {@code merged} above without θ0 or λ (LiNeS scales it
   * per layer).
   */
  ParamSnapshot mergedVector(MergeContext ctx) {
    int n = ctx.experts().size();
    List<ParamSnapshot> trimmed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      trimmed.add(trim(ctx, ctx::delta, i));
    }
    ParamSnapshot out = new ParamSnapshot();
    double[] agreeing = new double[2];
    for (Param p : ctx.base().params()) {
      float[] v = new float[p.size()];
      for (int j = 0; j < v.length; j++) {
        if (elect(trimmed, p.name(), j, agreeing)) {
          v[j] = (float) (agreeing[0] / agreeing[1]);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }

  /**
   * Sign election at entry j of parameter {@code name}: sets {@code agreeing} to the sum and the
   * count of the trimmed deltas whose sign agrees with {@code sign(Σ_i trimmed δi)} (their
   * disjoint mean is the ratio); false where the total mass is 0 (the entry stays at θ0).
   */
  private static boolean elect(List<ParamSnapshot> trimmed, String name, int j,
      double[] agreeing) {
    double mass = 0;
    for (ParamSnapshot t : trimmed) {
      mass += t.get(name).data()[j];
    }
    if (mass == 0) {
      return false;
    }
    double sum = 0;
    int count = 0;
    for (ParamSnapshot t : trimmed) {
      float d = t.get(name).data()[j];
      if (d != 0 && (d > 0) == (mass > 0)) {
        sum += d;
        count++;
      }
    }
    agreeing[0] = sum;
    agreeing[1] = count;
    return true;
  }

  /** Task i's deltas with all but the top-k% magnitudes (over all parameters) set to 0. */
  private ParamSnapshot trim(MergeContext ctx, TaskArithmetic.Deltas deltas, int i) {
    List<float[]> ds = new ArrayList<>();
    int total = 0;
    for (Param p : ctx.base().params()) {
      float[] d = deltas.of(i, p.name());
      ds.add(d);
      total += d.length;
    }
    float[] mags = new float[total];
    int at = 0;
    for (float[] d : ds) {
      for (float x : d) {
        mags[at++] = Math.abs(x);
      }
    }
    int k = (int) Math.floor(topPercent / 100.0 * total);
    float[] sorted = mags.clone();
    Arrays.sort(sorted);
    float threshold = k == 0 ? Float.POSITIVE_INFINITY : sorted[total - k];
    int above = 0;
    for (float m : mags) {
      if (m > threshold) {
        above++;
      }
    }
    int ties = k - above; // entries equal to the threshold, taken in position order
    ParamSnapshot out = new ParamSnapshot();
    int idx = 0;
    for (Param p : ctx.base().params()) {
      float[] d = ds.get(idx++);
      float[] kept = new float[d.length];
      for (int j = 0; j < d.length; j++) {
        float m = Math.abs(d[j]);
        if (m > threshold || (m == threshold && ties-- > 0)) {
          kept[j] = d[j];
        }
      }
      out.put(p.withData(kept));
    }
    return out;
  }
}
