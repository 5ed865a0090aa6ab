package org.cpift.cluster;

/**
 * How tasks are grouped by core overlap (step 3 of CPI-FT).
 *
 * @param linkage cluster linkage on the distance 1 − J
 * @param tau link tasks whose (linkage) similarity J ≥ τ (paper: 0.1)
 * @param fixedGroups when > 0, cut the dendrogram into exactly this many groups, ignoring τ
 */
public record GroupingConfig(Linkage linkage, double tau, int fixedGroups) {
  /** Linkage between clusters of tasks. */
  public enum Linkage { SINGLE, AVERAGE, COMPLETE }

  public GroupingConfig {
    if (linkage == null) {
      throw new IllegalArgumentException("GroupingConfig: linkage is required");
    }
    if (!(tau >= 0 && tau <= 1)) {
      throw new IllegalArgumentException("GroupingConfig: tau must be in [0, 1], got " + tau);
    }
    if (fixedGroups < 0) {
      throw new IllegalArgumentException("GroupingConfig: fixedGroups must be >= 0");
    }
  }

  /** The paper's setting: connected components at τ = 0.1 (single linkage). */
  public static GroupingConfig paper() {
    return new GroupingConfig(Linkage.SINGLE, 0.1, 0);
  }

  public GroupingConfig withTau(double t) {
    return new GroupingConfig(linkage, t, fixedGroups);
  }

  public GroupingConfig withLinkage(Linkage l) {
    return new GroupingConfig(l, tau, fixedGroups);
  }

  public GroupingConfig withFixedGroups(int k) {
    return new GroupingConfig(linkage, tau, k);
  }
}
