package org.cpift.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Disjoint sets over 0..n−1, for connected components of the overlap graph. */
public final class UnionFind {
  private final int[] parent;

  public UnionFind(int n) {
    parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
  }

  public int find(int x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  public void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** The components, each sorted, ordered by their smallest member. */
  public List<List<Integer>> components() {
    Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
    for (int i = 0; i < parent.length; i++) {
      byRoot.computeIfAbsent(find(i), r -> new ArrayList<>()).add(i);
    }
    return new ArrayList<>(byRoot.values());
  }

  /** Connected components of the graph linking i and j when {@code sim[i][j] >= tau}. */
  public static List<List<Integer>> components(double[][] sim, double tau) {
    UnionFind uf = new UnionFind(sim.length);
    for (int i = 0; i < sim.length; i++) {
      for (int j = i + 1; j < sim.length; j++) {
        if (sim[i][j] >= tau) {
          uf.union(i, j);
        }
      }
    }
    return uf.components();
  }
}
