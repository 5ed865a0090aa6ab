package org.cpift.merge;

import java.util.BitSet;
import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/**
 * Localize-and-stitch style merging (He et al., 2024): each task contributes its delta only on its
 * localized region m_i (here: its core region), and entries owned by several tasks are averaged:
 * {@code θ = θ0 + Σ_i m_i ⊙ δi / (number of tasks owning the entry)}.
 */
public final class LocalizeStitch implements MergeMethod {
  @Override
  public String name() {
    return "localize-stitch";
  }

  @Override
  public String reference() {
    return "He et al., Localize-and-Stitch: Efficient Model Merging via Sparse Task Arithmetic, "
        + "TMLR 2025 (arXiv 2408.13656)";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("regions", "core regions");
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    if (ctx.cores() == null) {
      throw new IllegalArgumentException("localize-stitch needs the tasks' core regions");
    }
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : ctx.base().params()) {
      double[] sum = new double[p.size()];
      int[] owners = new int[p.size()];
      for (int i = 0; i < ctx.experts().size(); i++) {
        BitSet m = ctx.cores().get(i).get(p.name());
        float[] d = ctx.delta(i, p.name());
        for (int j = m.nextSetBit(0); j >= 0; j = m.nextSetBit(j + 1)) {
          sum[j] += d[j];
          owners[j]++;
        }
      }
      float[] v = p.data().clone();
      for (int j = 0; j < v.length; j++) {
        if (owners[j] > 0) {
          v[j] = (float) (v[j] + sum[j] / owners[j]);
        }
      }
      out.put(p.withData(v));
    }
    return out;
  }
}
