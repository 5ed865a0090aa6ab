package org.cpift.core;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cpift.params.ParamMask;

/**
 * Step 3a of CPI-FT: overlap of core regions by the Jaccard index
 * <pre>  J(Ci, Cj) = |Ci ∩ Cj| / |Ci ∪ Cj|  </pre>
 * (defined as 0 when both are empty).
 */
public final class CoreOverlap {
  private CoreOverlap() {}

  public static double jaccard(ParamMask a, ParamMask b) {
    Set<String> names = new HashSet<>(a.names());
    names.addAll(b.names());
    long inter = 0;
    long union = 0;
    for (String n : names) {
      BitSet x = a.get(n);
      BitSet y = b.get(n);
      BitSet i = (BitSet) x.clone();
      i.and(y);
      inter += i.cardinality();
      union += x.cardinality() + y.cardinality() - i.cardinality();
    }
    return union == 0 ? 0 : (double) inter / union;
  }

  /** The symmetric Jaccard matrix of regions (diagonal 1). */
  public static double[][] matrix(List<CoreRegion> regions) {
    int n = regions.size();
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      m[i][i] = 1;
      for (int j = i + 1; j < n; j++) {
        m[i][j] = m[j][i] = jaccard(regions.get(i).mask(), regions.get(j).mask());
      }
    }
    return m;
  }
}
